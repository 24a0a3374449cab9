// Command heraldbench measures whole poll rounds: it serves a loopback feed
// farm, runs the `herald fetch` binary against it cold and warm, runs a bare
// fetch-and-parse loop beside it in the same run, and prints the ratios.
//
//	heraldbench -mode feeds -n 5000           # N feeds × 20 items, cold and all-304 warm
//	heraldbench -mode fulltext -pages 4000    # full-text feeds: every item's page fetched
//	heraldbench -mode serve -requests 16      # herald run's peak memory under concurrent large pages
//	heraldbench -mode workers -archive postgres://… -procs 1,2,4   # feeds/s of many pollers on one database
//
// Without -herald it builds ./cmd/herald first (run it from the repository).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"herald/internal/farm"
	"herald/internal/procmem"
)

type options struct {
	mode       string
	feeds      int
	items      int
	pages      int
	workers    int
	runs       int
	herald     string
	dir        string
	cpuprofile bool
	articles   int
	articleKB  int
	requests   int
	archive    string        // workers mode: the PostgreSQL database
	procs      string        // workers mode: counts of processes
	sites      int           // workers mode
	delay      time.Duration // workers mode: the farm's latency
}

func main() {
	// The bare loop runs in a child process of its own, so that its CPU
	// time and memory are measured apart from the farm's.
	if len(os.Args) > 1 && os.Args[1] == bareCommand {
		if err := bareMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "heraldbench bare:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.StringVar(&o.mode, "mode", "feeds", "feeds (cold and warm rounds), fulltext, all (both), or serve (memory of the server)")
	flag.IntVar(&o.feeds, "n", 2000, "feeds in the feeds mode")
	flag.IntVar(&o.items, "items", 20, "items per feed")
	flag.IntVar(&o.pages, "pages", 4000, "article pages in the fulltext mode (feeds = pages / items)")
	flag.IntVar(&o.workers, "workers", 16, "workers of the bare loop")
	flag.IntVar(&o.runs, "runs", 1, "runs of each measurement; the median is shown")
	flag.StringVar(&o.herald, "herald", "", "the herald binary (default: go build ./cmd/herald)")
	flag.StringVar(&o.dir, "dir", "", "work directory for configs, archives and profiles (default: a temporary one, removed)")
	flag.BoolVar(&o.cpuprofile, "cpuprofile", false, "have herald write a CPU profile of each cold round into the work directory (kept)")
	flag.IntVar(&o.articles, "articles", 40, "archived articles in the serve mode")
	flag.IntVar(&o.articleKB, "article-kb", 1024, "size of each article's HTML in the serve mode, in KiB")
	flag.IntVar(&o.requests, "requests", 16, "concurrent requests in the serve mode")
	flag.StringVar(&o.archive, "archive", "", "workers mode: a postgres:// URL of a database the benchmark may create schemas in")
	flag.StringVar(&o.procs, "procs", "1,2,4", "workers mode: counts of herald run processes to measure")
	flag.IntVar(&o.sites, "sites", 64, "workers mode: loopback sites the feeds are spread over")
	flag.DurationVar(&o.delay, "delay", 50*time.Millisecond, "workers mode: how long the farm takes to answer each request")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "heraldbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.items <= 0 || o.feeds <= 0 || o.pages <= 0 || o.runs <= 0 || o.workers <= 0 {
		return errors.New("-n, -items, -pages, -runs and -workers must be positive")
	}
	if o.dir == "" {
		dir, err := os.MkdirTemp("", "heraldbench-")
		if err != nil {
			return err
		}
		if !o.cpuprofile {
			defer os.RemoveAll(dir)
		}
		o.dir = dir
	}
	if o.herald == "" {
		bin := filepath.Join(o.dir, "herald")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/herald")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build herald (run from the repository, or give -herald): %w", err)
		}
		o.herald = bin
	}
	fmt.Printf("heraldbench: %d CPUs, work dir %s\n", nproc(), o.dir)
	var rows []row
	if o.mode == "feeds" || o.mode == "all" {
		r, err := feedsMode(ctx, o)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if o.mode == "fulltext" || o.mode == "all" {
		r, err := fullTextMode(ctx, o)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	if o.mode == "workers" {
		return workersMode(ctx, o)
	}
	if o.mode == "serve" {
		r, err := serveMode(ctx, o)
		if err != nil {
			return err
		}
		r.print(os.Stdout, o)
		return nil
	}
	if rows == nil {
		return fmt.Errorf("unknown -mode %q", o.mode)
	}
	printTable(os.Stdout, rows)
	return nil
}

// serve starts a farm on a loopback port until ctx ends.
func serve(ctx context.Context, feeds, items int) (farm.Farm, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return farm.Farm{}, err
	}
	f := farm.Farm{Base: "http://" + ln.Addr().String(), N: feeds, Items: items}
	srv := &http.Server{Handler: f.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	context.AfterFunc(ctx, func() { srv.Close() })
	return f, nil
}

func feedsMode(ctx context.Context, o options) ([]row, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f, err := serve(ctx, o.feeds, o.items)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(o.dir, "feeds", "feeds.yaml")
	if err := f.WriteConfig(cfg, false); err != nil {
		return nil, err
	}
	label := fmt.Sprintf("%d feeds × %d items", o.feeds, o.items)
	var bareCold, bareWarm, cold, warm []measure
	for run := range o.runs {
		c, w, err := bare(ctx, f, o.workers, false)
		if err != nil {
			return nil, err
		}
		bareCold, bareWarm = append(bareCold, c), append(bareWarm, w)
		m, db, err := coldFetch(ctx, o, cfg, "feeds", "cold.pprof", run)
		if err != nil {
			return nil, err
		}
		cold = append(cold, m)
		if m, err = heraldFetch(ctx, o.herald, cfg, db, ""); err != nil {
			return nil, err
		}
		warm = append(warm, m)
	}
	return []row{
		{"cold round, " + label, median(bareCold), median(cold), 4},
		{"unchanged round (all 304), " + label, median(bareWarm), median(warm), 5},
	}, nil
}

func fullTextMode(ctx context.Context, o options) ([]row, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := max(1, o.pages/o.items)
	f, err := serve(ctx, n, o.items)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(o.dir, "fulltext", "feeds.yaml")
	if err := f.WriteConfig(cfg, true); err != nil {
		return nil, err
	}
	var bareRuns, runs []measure
	for run := range o.runs {
		c, _, err := bare(ctx, f, o.workers, true)
		if err != nil {
			return nil, err
		}
		bareRuns = append(bareRuns, c)
		m, _, err := coldFetch(ctx, o, cfg, "fulltext", "fulltext.pprof", run)
		if err != nil {
			return nil, err
		}
		runs = append(runs, m)
	}
	label := fmt.Sprintf("full text, %d pages (%d feeds)", n*o.items, n)
	return []row{{label, median(bareRuns), median(runs), 3}}, nil
}

// measure is one timed child process, or one phase of one.
type measure struct {
	Wall   time.Duration `json:"wall"`
	CPU    time.Duration `json:"cpu"`     // user + system
	PeakKB int64         `json:"peak_kb"` // maximum resident set size
	// AnonKB is the peak of anonymous resident memory, sampled (herald
	// only; zero when unknown): PeakKB less the archive's mapped pages.
	AnonKB int64  `json:"anon_kb,omitempty"`
	Note   string `json:"note,omitempty"`
}

func median(ms []measure) measure {
	s := slices.Clone(ms)
	slices.SortFunc(s, func(a, b measure) int { return int(a.Wall - b.Wall) })
	return s[len(s)/2]
}

// coldFetch runs `herald fetch` with cfg on a new archive in the mode's
// directory, which it returns; with -cpuprofile, the first run writes a
// profile named profile into the work directory.
func coldFetch(ctx context.Context, o options, cfg, mode, profile string, run int) (measure, string, error) {
	db := filepath.Join(o.dir, mode, "herald.db")
	os.Remove(db)
	prof := ""
	if o.cpuprofile && run == 0 {
		prof = filepath.Join(o.dir, profile)
	}
	m, err := heraldFetch(ctx, o.herald, cfg, db, prof)
	return m, db, err
}

// heraldFetch runs one `herald fetch` round and checks that no feed failed.
func heraldFetch(ctx context.Context, bin, cfg, db, profile string) (measure, error) {
	args := []string{"-c", cfg, "--db", db}
	if profile != "" {
		args = append(args, "--cpuprofile", profile)
	}
	args = append(args, "fetch")
	cmd := exec.CommandContext(ctx, bin, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	m, err := runMeasured(cmd)
	if err != nil {
		return measure{}, fmt.Errorf("herald fetch: %w\n%s", err, out.String())
	}
	m.Note = lastLine(out.String())
	if !strings.Contains(m.Note, " 0 failed") {
		return measure{}, fmt.Errorf("herald fetch: feeds failed:\n%s", out.String())
	}
	return m, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// runMeasured runs cmd and measures it: wall and CPU time, and its peak
// and peak anonymous memory, sampled from /proc (the child's own, where
// getrusage would give the parent's if larger: see package procmem), or
// getrusage's where /proc gives nothing.
func runMeasured(cmd *exec.Cmd) (measure, error) {
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measure{}, err
	}
	stop := make(chan struct{})
	sampled := procmem.Sample(cmd.Process.Pid, 10*time.Millisecond, stop)
	err := cmd.Wait()
	m := measure{Wall: time.Since(start)}
	close(stop)
	mem := <-sampled
	if err != nil {
		return measure{}, err
	}
	m.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	m.PeakKB, m.AnonKB = mem.PeakKB, mem.AnonKB
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && m.PeakKB == 0 {
		m.PeakKB = ru.Maxrss // kilobytes on Linux
	}
	return m, nil
}

// bare runs the bare loop in a child process: a cold round, then (feeds
// mode) an unchanged one. Peak memory is the child's, for both phases.
func bare(ctx context.Context, f farm.Farm, workers int, pages bool) (cold, warm measure, err error) {
	self, err := os.Executable()
	if err != nil {
		return cold, warm, err
	}
	args := []string{bareCommand, "-base", f.Base, "-n", fmt.Sprint(f.N), "-items", fmt.Sprint(f.Items), "-workers", fmt.Sprint(workers)}
	if pages {
		args = append(args, "-pages")
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stderr = os.Stderr
	var stdout strings.Builder
	cmd.Stdout = &stdout
	whole, err := runMeasured(cmd)
	if err != nil {
		return cold, warm, fmt.Errorf("bare loop: %w", err)
	}
	var phases []measure
	dec := json.NewDecoder(strings.NewReader(stdout.String()))
	for {
		var m measure
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return cold, warm, fmt.Errorf("bare loop output: %w", err)
		}
		phases = append(phases, m)
	}
	if len(phases) != 2 {
		return cold, warm, fmt.Errorf("bare loop: %d phases reported, want 2", len(phases))
	}
	phases[0].PeakKB, phases[1].PeakKB = whole.PeakKB, whole.PeakKB
	return phases[0], phases[1], nil
}

func nproc() int {
	n := 0
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "processor") {
			n++
		}
	}
	return n
}
