package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"herald/internal/farm"
	"herald/internal/procmem"
)

// The workers mode: `herald run --role poll` processes sharing one
// PostgreSQL archive poll a farm of several loopback sites that answers
// each request after a delay (polling is latency-bound in the wild). It
// gives feeds per second for each count of processes, the processes'
// memory, and the database's: its tables' size and the resident memory of
// the server processes serving them.

// workersResult is one measured round.
type workersResult struct {
	procs      int
	feeds      int
	elapsed    time.Duration // from the first request's start to the last feed's answer
	workerPeak int64         // kB, the most of any one process
	workerAnon int64
	dbBytes    int64 // the schema's tables and indexes
	dbRSS      int64 // kB, the server processes of the database, summed, at their most
}

func workersMode(ctx context.Context, o options) error {
	if o.archive == "" {
		return errors.New("-mode workers needs -archive postgres://… (a database the benchmark may create schemas in)")
	}
	var counts []int
	for _, s := range strings.Split(o.procs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("-procs %q: want counts like 1,2,4", o.procs)
		}
		counts = append(counts, n)
	}
	fmt.Printf("workers mode: %d feeds × %d items on %d sites answering after %v; archive %s\n",
		o.feeds, o.items, o.sites, o.delay, redacted(o.archive))
	fmt.Println("| processes | feeds | round | feeds/s | per process | worker peak RSS (anon) | database size | database backends RSS |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	var base float64
	for _, n := range counts {
		r, err := workersRound(ctx, o, n)
		if err != nil {
			return err
		}
		rate := float64(r.feeds) / r.elapsed.Seconds()
		if base == 0 {
			base = rate / float64(n)
		}
		fmt.Printf("| %d | %d | %s | %.0f | %.2f× of one | %s (%s) | %s | %s |\n", n, r.feeds, secs(r.elapsed), rate,
			rate/float64(n)/base, mb(r.workerPeak), mb(r.workerAnon), mb(r.dbBytes/1024), mb(r.dbRSS))
	}
	return nil
}

func redacted(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "(not a URL)"
}

// workersRound runs n processes on a fresh schema until every feed has
// been answered once, then stops them.
func workersRound(ctx context.Context, o options, n int) (workersResult, error) {
	res := workersResult{procs: n, feeds: o.feeds}
	schema := fmt.Sprintf("heraldbench_%d_%d", os.Getpid(), n)
	conn, err := pgx.Connect(ctx, o.archive)
	if err != nil {
		return res, fmt.Errorf("connect to -archive: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return res, err
	}
	defer conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	dsn, err := withSearchPath(o.archive, schema)
	if err != nil {
		return res, err
	}

	sites, err := farm.StartSites(o.sites, o.feeds, o.items, o.delay)
	if err != nil {
		return res, err
	}
	defer sites.Close()
	dir := filepath.Join(o.dir, fmt.Sprintf("workers-%d", n))
	cfg := filepath.Join(dir, "feeds.yaml")
	if err := writeWorkersConfig(cfg, dsn, sites); err != nil {
		return res, err
	}

	var procs []*exec.Cmd
	var samples []<-chan procmem.Usage
	stop := make(chan struct{})
	defer func() {
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
	}()
	for range n {
		p := exec.CommandContext(ctx, o.herald, "-c", cfg, "--log-level", "warn", "run", "--role", "poll", "--lease", "1m")
		p.Stdout, p.Stderr = os.Stderr, os.Stderr
		if err := p.Start(); err != nil {
			return res, err
		}
		procs = append(procs, p)
		samples = append(samples, procmem.Sample(p.Process.Pid, 50*time.Millisecond, stop))
	}
	dbStop := make(chan struct{})
	dbRSS := sampleBackends(ctx, conn, dbStop)

	deadline := time.Now().Add(30 * time.Minute)
	for !allAnswered(sites) {
		if time.Now().After(deadline) {
			return res, errors.New("workers: the round did not end within 30 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
	first, last := roundSpan(sites)
	res.elapsed = last.Sub(first)
	// Let the last feeds' writes land before the sizes are read.
	time.Sleep(2 * time.Second)
	for _, p := range procs {
		p.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range procs {
		p.Wait()
	}
	close(stop)
	for _, s := range samples {
		u := <-s
		res.workerPeak, res.workerAnon = max(res.workerPeak, u.PeakKB), max(res.workerAnon, u.AnonKB)
	}
	close(dbStop)
	res.dbRSS = <-dbRSS
	err = conn.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind IN ('r', 'm')`, schema).Scan(&res.dbBytes)
	return res, err
}

func withSearchPath(dsn, schema string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", errors.New("-archive: not a postgres:// URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func writeWorkersConfig(path, dsn string, sites *farm.Sites) error {
	var b strings.Builder
	fmt.Fprintf(&b, "archive: %s\nconcurrency: 16\n", dsn)
	b.WriteString("defaults:\n  interval: 1h\n  full_text: false\n  timeout: 30s\n  site_concurrency: 2\n  site_gap: 0s\nfeeds:\n")
	for i := range sites.N() {
		fmt.Fprintf(&b, "  - url: %s\n    name: feed-%d\n", sites.FeedURL(i), i)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// allAnswered reports whether every feed has been answered once.
func allAnswered(sites *farm.Sites) bool {
	counts := sites.Counts()
	for i := range sites.N() {
		if counts["/feed/"+strconv.Itoa(i)] == 0 {
			return false
		}
	}
	reqs := sites.Requests()
	for _, list := range reqs {
		for _, r := range list {
			if r.End.IsZero() {
				return false
			}
		}
	}
	return true
}

func roundSpan(sites *farm.Sites) (first, last time.Time) {
	for _, list := range sites.Requests() {
		for _, r := range list {
			if first.IsZero() || r.Start.Before(first) {
				first = r.Start
			}
			if r.End.After(last) {
				last = r.End
			}
		}
	}
	return first, last
}

// sampleBackends sums, every half second, the resident memory of the
// server processes connected to the benchmark's database (the server runs
// on this machine), and sends the most it saw once stop is closed.
func sampleBackends(ctx context.Context, conn *pgx.Conn, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var most int64
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				out <- most
				return
			case <-tick.C:
			}
			rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
			if err != nil {
				continue
			}
			pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
			if err != nil {
				continue
			}
			var sum int64
			for _, pid := range pids {
				if u, err := procmem.Read(int(pid)); err == nil {
					sum += u.AnonKB + u.FileKB
				}
			}
			most = max(most, sum)
		}
	}()
	return out
}
