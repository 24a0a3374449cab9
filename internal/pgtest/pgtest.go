// Package pgtest gives a test a fresh, empty PostgreSQL database: on the
// server HERALD_TEST_POSTGRES names, else on a throwaway cluster it starts
// itself from initdb and postgres, else the test skips. Only tests import it.
//
// A package using it calls Main from its TestMain, which stops the cluster
// and removes its folder when the package's tests end.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ServerEnv names a server the tests may create databases on, as a DSN
// (postgres://user:password@host:port/db or key=value form).
const ServerEnv = "HERALD_TEST_POSTGRES"

// RequireEnv, set to 1, makes a missing PostgreSQL a failure rather than a
// skip; CI sets it after installing postgresql.
const RequireEnv = "HERALD_REQUIRE_POSTGRES"

var (
	mu       sync.Mutex
	inMain   bool
	started  *cluster // the throwaway cluster, once started
	startErr error    // why it could not start, kept so every test says so
	dbSeq    atomic.Int64

	// This test binary's database, its name and the admin DSN it was made
	// with: dropped by Main.
	testDB, testDBName, testDBAdmin string
)

// Main runs the package's tests and then stops the throwaway cluster, if
// one was started, and removes its folder. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain with more to clean up: it returns the tests'
// exit code instead of exiting.
func Run(m *testing.M) int {
	mu.Lock()
	inMain = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if testDB != "" {
		// FORCE: a pool a test left open must not keep the database.
		if err := adminExec(testDBAdmin, "DROP DATABASE IF EXISTS "+testDBName+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: drop database:", err)
		}
		testDB = ""
	}
	if started != nil {
		if err := started.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
		os.RemoveAll(started.dir)
		started = nil
	}
	return code
}

// DB gives the test a fresh, empty database, dropped when the test ends,
// and returns its DSN, which a subprocess can use as well. It skips the
// test when no PostgreSQL is at hand, or fails it when
// HERALD_REQUIRE_POSTGRES=1.
//
// The "database" is a schema of its own in one database per test binary,
// named by the DSN's search_path: creating a schema takes milliseconds, a
// database a quarter of a second, and the archive's suite makes hundreds.
// Code under test must not name a schema in its SQL.
func DB(t testing.TB) string {
	t.Helper()
	dsn := database(t)
	name := fmt.Sprintf("t%d", dbSeq.Add(1))
	if err := adminExec(dsn, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(dsn, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Logf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return withParam(dsn, "search_path", name)
}

// database returns the DSN of this test binary's database, creating it on
// first use.
func database(t testing.TB) string {
	t.Helper()
	admin := server(t)
	mu.Lock()
	defer mu.Unlock()
	if testDB == "" {
		name := fmt.Sprintf("herald_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
		if err := adminExec(admin, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
			t.Fatalf("pgtest: create database: %v", err)
		}
		dsn, err := withDatabase(admin, name)
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		testDB, testDBName, testDBAdmin = dsn, name, admin
	}
	return testDB
}

// Stop shuts the throwaway cluster down (fast: sessions are ended) until
// Start; clients see their connections fail meanwhile. It skips the test on
// a server from HERALD_TEST_POSTGRES, which pgtest cannot restart.
func Stop(t testing.TB) {
	t.Helper()
	c := own(t)
	if err := c.stop(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// Start starts the throwaway cluster again after Stop, on the same port.
func Start(t testing.TB) {
	t.Helper()
	c := own(t)
	if err := c.start(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// Restart stops and starts the throwaway cluster: every open connection is
// lost, and the data kept.
func Restart(t testing.TB) {
	t.Helper()
	Stop(t)
	Start(t)
}

// own returns the throwaway cluster, skipping the test on an external one.
func own(t testing.TB) *cluster {
	t.Helper()
	server(t)
	mu.Lock()
	defer mu.Unlock()
	if started == nil {
		t.Skipf("pgtest: the server from %s cannot be restarted by the test", ServerEnv)
	}
	return started
}

// server returns an admin DSN of the server to create databases on,
// starting the throwaway cluster on first use.
func server(t testing.TB) string {
	t.Helper()
	if dsn := os.Getenv(ServerEnv); dsn != "" {
		return dsn
	}
	mu.Lock()
	defer mu.Unlock()
	if started != nil {
		return started.adminDSN()
	}
	if startErr == nil {
		if !inMain {
			t.Fatal("pgtest: the package's TestMain must call pgtest.Main, which stops the cluster pgtest starts")
		}
		started, startErr = startCluster()
	}
	if startErr != nil {
		unavailable(t, startErr.Error())
	}
	return started.adminDSN()
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := fmt.Sprintf("no PostgreSQL for this test (%s); set %s to a server's DSN, or install postgresql", why, ServerEnv)
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s=1 but %s", RequireEnv, msg)
	}
	t.Skip(msg)
}

func adminExec(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// withParam returns dsn with a run-time parameter set, which the server
// applies to every session opened with it.
func withParam(dsn, key, value string) string {
	if isURL(dsn) {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + key + "=" + url.QueryEscape(value)
	}
	return dsn + " " + key + "=" + value
}

func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// withDatabase returns dsn naming database name instead of its own.
func withDatabase(dsn, name string) (string, error) {
	if isURL(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("%s is not a URL", ServerEnv) // the error would show the password
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	// In key=value form a later key wins.
	return dsn + " dbname=" + name, nil
}
