package pgkv_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"herald/archive/kv"
	"herald/archive/kv/kvtest"
	"herald/archive/kv/pgkv"
	"herald/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t testing.TB, dsn string) *pgkv.Engine {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := pgkv.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Engine { return open(t, pgtest.DB(t)) })
}

// Two engines (two processes' pools) on one database: their Updates never
// interleave either.
func TestUpdatesSerialiseAcrossEngines(t *testing.T) {
	dsn := pgtest.DB(t)
	kvtest.Increments(t, []kv.Engine{open(t, dsn), open(t, dsn)}, 4, 10)
}

// Engines opening a fresh database at once migrate it once.
func TestConcurrentOpen(t *testing.T) {
	dsn := pgtest.DB(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			e, err := pgkv.Open(context.Background(), dsn)
			if err == nil {
				e.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	var n int
	conn := connect(t, dsn)
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM herald_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != pgkv.Version()+1 { // and version 0's lock row
		t.Errorf("%d migration rows, want %d", n, pgkv.Version()+1)
	}
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// A database migrated by a newer herald is refused, not misread.
func TestOpenRefusesNewerSchema(t *testing.T) {
	dsn := pgtest.DB(t)
	open(t, dsn).Close()
	newer := pgkv.Version() + 1
	if _, err := connect(t, dsn).Exec(context.Background(),
		"INSERT INTO herald_migrations (version) VALUES ($1)", newer); err != nil {
		t.Fatal(err)
	}
	e, err := pgkv.Open(context.Background(), dsn)
	if err == nil {
		e.Close()
		t.Fatal("opened a database whose schema is newer than this build's")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %q does not say the schema is newer", err)
	}
}

// Errors name the database but never show the password.
func TestErrorsHideThePassword(t *testing.T) {
	const pw = "s3cret-Pa55"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, dsn := range []string{
		"postgres://herald:" + pw + "@127.0.0.1:1/db?sslmode=disable", // nothing listens on port 1
		"postgres://herald:" + pw + "@127.0.0.1:1/db?sslmode=bogus",   // a parse error quotes the DSN
		"host=127.0.0.1 port=1 user=herald password=" + pw + " sslmode=disable",
	} {
		_, err := pgkv.Open(ctx, dsn)
		if err == nil {
			t.Fatalf("opened %s", dsn)
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

// A read that fails inside a transaction fails it: the Update returns the
// error though fn returned nil, and commits nothing. A restarted server
// fails the transaction in flight; the next one works on a new connection.
func TestRestartFailsTheTransactionInFlight(t *testing.T) {
	dsn := pgtest.DB(t)
	e := open(t, dsn)
	must(t, e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		if err := b.Put([]byte("other"), []byte("there")); err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("before"))
	}))
	var got []byte
	err := e.Update(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if err := b.Put([]byte("k"), []byte("lost")); err != nil {
			return err
		}
		pgtest.Restart(t)
		// A key this transaction wrote is read from it, as bbolt does: the
		// read of one it did not write is what fails.
		got = b.Get([]byte("other"))
		// Still sticky: a later write does not revive the transaction.
		b.Put([]byte("k2"), []byte("lost"))
		return nil
	})
	if err == nil {
		t.Fatal("an Update whose connection died mid-way succeeded")
	}
	if got != nil {
		t.Errorf("a failed Get returned %q, want nil", got)
	}
	if !strings.Contains(err.Error(), "pgkv") {
		t.Errorf("the error %q has no context", err)
	}
	var after []byte
	must(t, e.View(func(tx kv.Tx) error {
		after = tx.Bucket([]byte("b")).Get([]byte("k"))
		if v := tx.Bucket([]byte("b")).Get([]byte("k2")); v != nil {
			t.Errorf("k2 = %q from the failed transaction", v)
		}
		return nil
	}))
	if string(after) != "before" {
		t.Errorf("after the restart k = %q, want before", after)
	}
	must(t, e.Update(func(tx kv.Tx) error { return tx.Bucket([]byte("b")).Put([]byte("k"), []byte("after")) }))
}

// A View's failed read fails the View, though fn returned nil.
func TestFailedReadIsSticky(t *testing.T) {
	dsn := pgtest.DB(t)
	e := open(t, dsn)
	must(t, e.Update(func(tx kv.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte("b"))
		return err
	}))
	admin := connect(t, dsn)
	err := e.View(func(tx kv.Tx) error {
		// End this transaction's session from outside, as a failover would.
		if _, err := admin.Exec(context.Background(),
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"); err != nil {
			t.Fatal(err)
		}
		if k, _ := tx.Bucket([]byte("b")).Cursor().First(); k != nil {
			t.Errorf("a failed cursor read landed on %q", k)
		}
		return nil
	})
	if err == nil {
		t.Fatal("a View whose read failed returned nil")
	}
	must(t, e.View(func(tx kv.Tx) error { return nil }))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// pgkv copies what Put is given, as its writes are sent later: a caller
// that reuses its slices, which kv.Bucket.Put forbids, still does not
// change what is stored.
func TestPutCopies(t *testing.T) {
	e := open(t, pgtest.DB(t))
	must(t, e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		must(t, err)
		key, val := []byte("reused"), []byte("first")
		must(t, b.Put(key, val))
		copy(key, "XXXXXX")
		copy(val, "XXXXX")
		return nil
	}))
	must(t, e.View(func(tx kv.Tx) error {
		if got := tx.Bucket([]byte("b")).Get([]byte("reused")); string(got) != "first" {
			t.Errorf("reused = %q, want first", got)
		}
		return nil
	}))
}
