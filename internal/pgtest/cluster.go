package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// cluster is a throwaway PostgreSQL cluster in a temporary folder (data/,
// the socket, the server's log), its server a child of the test process
// listening on a loopback port. The server is told to quit if the test
// process dies without Main's cleanup (a fuzz worker, a test timeout), and
// a folder left behind is removed by the next cluster's start.
type cluster struct {
	dir    string
	bin    string // folder of initdb and postgres
	port   int
	cred   *syscall.Credential // the postgres user's, when we are root
	server *exec.Cmd
	exited chan struct{} // closed when the server has exited
}

const folderPrefix = "herald-pgtest-"

func (c *cluster) adminDSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", c.port)
}

func startCluster() (*cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	sweep()
	dir, err := os.MkdirTemp("", folderPrefix)
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		// The server refuses to run as root.
		if err := c.runAs("postgres"); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := c.init(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// A free port can be taken between our check and the server's bind:
	// try a few.
	for range 3 {
		if c.port, err = freePort(); err != nil {
			break
		}
		if err = c.start(); err == nil {
			return c, nil
		}
	}
	os.RemoveAll(dir)
	return nil, err
}

// findBin finds PostgreSQL's server binaries: on PATH, else where Debian
// puts them (/usr/lib/postgresql/NN/bin, the newest).
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		// Resolve symlinks: postgres is beside the real initdb.
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "postgres")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb and postgres are neither on PATH nor in /usr/lib/postgresql/*/bin")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// runAs makes the folder the named user's and runs the server as that user.
func (c *cluster) runAs(name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("running as root and no %q user to run the server as: %v", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(c.dir, uid, gid); err != nil {
		return err
	}
	c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return nil
}

func (c *cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir // the server's user may not reach the test's folder
	cmd.SysProcAttr = childAttr(c.cred)
	return cmd
}

func (c *cluster) init() error {
	out, err := c.command("initdb", "-D", filepath.Join(c.dir, "data"), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// start starts the server and waits until it takes connections.
// Durability is off: the cluster is thrown away, and speed matters more.
func (c *cluster) start() error {
	logPath := filepath.Join(c.dir, "server.log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o666)
	if err != nil {
		return err
	}
	defer log.Close()
	if c.cred != nil {
		os.Chown(logPath, int(c.cred.Uid), int(c.cred.Gid))
	}
	cmd := c.command("postgres", "-D", filepath.Join(c.dir, "data"), "-p", strconv.Itoa(c.port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	c.server, c.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(c.exited) }()
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-c.exited:
			return fmt.Errorf("postgres exited at start: %s", tail(logPath))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, c.adminDSN())
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		if time.Now().After(deadline) {
			c.stop()
			return fmt.Errorf("postgres did not take connections within a minute: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop shuts the server down fast: sessions are ended, data kept.
func (c *cluster) stop() error {
	if c.server == nil {
		return nil
	}
	defer func() { c.server = nil }()
	c.server.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
		return nil
	case <-time.After(time.Minute):
		c.server.Process.Kill()
		<-c.exited
		return errors.New("postgres did not stop within a minute: killed")
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
