package main

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// crashFarm serves feeds that gain one item per epoch and keep their last
// window of items; an item's content never changes.
type crashFarm struct {
	feeds  int
	epoch  atomic.Int64
	window int
}

func (f *crashFarm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var i int
	if _, err := fmt.Sscanf(r.URL.Path, "/c/%d", &i); err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	var items []item
	e := int(f.epoch.Load())
	for k := e; k >= max(0, e-f.window+1); k-- {
		items = append(items, f.item(i, k))
	}
	io.WriteString(w, rss(fmt.Sprintf("crash %d", i), items...))
}

func (f *crashFarm) item(feed, k int) item {
	return item{
		guid:  f.guid(feed, k),
		title: fmt.Sprintf("Crash story %d of feed %d", k, feed),
		link:  fmt.Sprintf("http://example.org/c/%d/%d", feed, k),
		desc:  fmt.Sprintf("Story %d of feed %d. ", k, feed) + strings.Repeat(fmt.Sprintf("Sentence %d-%d. ", feed, k), 60),
		date:  time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Minute).Format(time.RFC1123Z),
	}
}

func (f *crashFarm) guid(feed, k int) string { return fmt.Sprintf("c%d-%d", feed, k) }

// served is every item (feed name, guid) the farm serves at epoch e.
func (f *crashFarm) served(e int) []string {
	var out []string
	for i := range f.feeds {
		for k := max(0, e-f.window+1); k <= e; k++ {
			out = append(out, fmt.Sprintf("c%d %s", i, f.guid(i, k)))
		}
	}
	return out
}

func (f *crashFarm) config(url, listen string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "archive: herald.db\nlisten: %s\ndefaults:\n  interval: 1s\n  min_interval: 1s\n  max_interval: 2s\n  full_text: false\nsites:\n  127.0.0.1:\n    site_concurrency: 8\n    site_gap: 0s\nfeeds:\n", listen)
	for i := range f.feeds {
		fmt.Fprintf(&b, "  - url: %s/c/%d\n    name: c%d\n", url, i, i)
	}
	return b.String()
}

// TestCrash kills `herald fetch`, then `herald run`, with SIGKILL at random
// moments, and checks after each kill that the archive passes bbolt's
// consistency check, and at the end that every item a finished run saw is
// archived, once.
func TestCrash(t *testing.T) {
	bin := heraldBinary(t)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)

	farm := &crashFarm{feeds: 40, window: 15}
	srv := httptest.NewServer(farm)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeFile(t, dir, "feeds.yaml", farm.config(srv.URL, freePort(t)))
	dbPath := filepath.Join(dir, "herald.db")

	mustHave := map[string]bool{} // items a finished run saw
	child := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"-c", cfg}, args...)...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		return cmd
	}

	// One clean run, to learn how long a run takes.
	start := time.Now()
	if out, err := exec.Command(bin, "-c", cfg, "fetch").CombinedOutput(); err != nil {
		t.Fatalf("first fetch: %v\n%s", err, out)
	}
	runTime := time.Since(start)
	for _, k := range farm.served(0) {
		mustHave[k] = true
	}

	var killed, finished int
	deadline := time.Now().Add(35 * time.Second)
	for killed < 40 && time.Now().Before(deadline) {
		e := int(farm.epoch.Add(1))
		cmd := child("fetch")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(runTime * 3 / 2))))
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var exit *exec.ExitError
		switch {
		case err == nil:
			finished++
			for _, k := range farm.served(e) {
				mustHave[k] = true
			}
		case errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
			killed++
		default:
			t.Fatalf("fetch at epoch %d: %v", e, err)
		}
		checkBolt(t, dbPath)
		if t.Failed() {
			t.Fatalf("archive damaged after %d kills", killed)
		}
	}
	t.Logf("herald fetch: %d kills survived, %d runs finished (a run takes about %v)", killed, finished, runTime.Round(time.Millisecond))

	// The daemon: killed a few times while it polls and serves.
	daemonKills := 0
	for range 5 {
		farm.epoch.Add(1)
		cmd := child("run")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300*time.Millisecond + time.Duration(rng.Int64N(int64(1500*time.Millisecond))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		daemonKills++
		checkBolt(t, dbPath)
		if t.Failed() {
			t.Fatalf("archive damaged after %d daemon kills", daemonKills)
		}
	}
	t.Logf("herald run: %d kills survived", daemonKills)

	// A final full run completes, and nothing is lost or doubled.
	final := int(farm.epoch.Load())
	if out, err := exec.Command(bin, "-c", cfg, "fetch").CombinedOutput(); err != nil || !strings.Contains(string(out), "0 failed") {
		t.Fatalf("final fetch: %v\n%s", err, out)
	}
	for _, k := range farm.served(final) {
		mustHave[k] = true
	}
	code, out, stderr := runCLI(t, "-c", cfg, "export", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	arts := parseExport(t, out)
	seen := map[string]int{}
	for _, a := range arts {
		for _, s := range a.Sources {
			seen[s.Feed+" "+s.GUID]++
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("entry %s archived %d times", k, n)
		}
	}
	lost := 0
	for k := range mustHave {
		if seen[k] == 0 {
			lost++
			if lost <= 5 {
				t.Errorf("entry %s, seen by a finished run, is not in the archive", k)
			}
		}
	}
	if lost > 0 || len(arts) < len(mustHave) {
		t.Errorf("%d entries lost; %d articles archived for %d entries seen by finished runs", lost, len(arts), len(mustHave))
	}
}
