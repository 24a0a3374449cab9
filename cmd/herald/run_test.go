package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"herald/archive"
)

// rssServer serves RSS feeds whose items the test can add to.
type rssServer struct {
	mu    sync.Mutex
	items map[string][]string // feed path -> item titles, oldest first
}

func (s *rssServer) add(path, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[path] = append(s.items[path], title)
}

func (s *rssServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	titles, ok := s.items[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Test ` + r.URL.Path + `</title><link>http://example.org/</link>`)
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := len(titles) - 1; i >= 0; i-- {
		slug := strings.ReplaceAll(strings.ToLower(titles[i]), " ", "-")
		fmt.Fprintf(&b, `<item><title>%s</title><link>http://example.org%s/%s</link><guid>%s%s</guid><pubDate>%s</pubDate><description>%s, the whole story.</description></item>`,
			titles[i], r.URL.Path, slug, r.URL.Path, slug, base.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), titles[i])
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml")
	io.WriteString(w, b.String())
}

// syncBuffer collects the daemon's log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func writeConfig(t *testing.T, path, listen string, feedURLs map[string]string) {
	t.Helper()
	var feeds strings.Builder
	for _, name := range []string{"alpha", "beta", "broken"} {
		if u, ok := feedURLs[name]; ok {
			fmt.Fprintf(&feeds, "  - url: %s\n    name: %s\n", u, name)
		}
	}
	cfg := fmt.Sprintf(`archive: herald.db
listen: %s
defaults:
  interval: 1s
  min_interval: 1s
  max_interval: 2s
  full_text: false
feeds:
%ssites:
  127.0.0.1:
    site_concurrency: 8
    site_gap: 0s
`, listen, feeds.String())
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// quickLoopback is a test daemon's defaults and sites: feeds polled every
// second or two, and no politeness for the loopback sites tests serve.
const quickLoopback = `defaults:
  interval: 1s
  min_interval: 1s
  max_interval: 2s
sites:
  127.0.0.1:
    site_concurrency: 8
    site_gap: 0s
`

// daemonProc is a `herald run` process started by a test.
type daemonProc struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	exited chan error // receives Wait's result once
}

// startDaemon starts `herald run -c cfg` with args after run. When the
// test ends the process is killed if it still runs, and its log is shown if
// the test failed (or HERALD_TEST_LOG is set).
func startDaemon(t *testing.T, bin, cfg string, args ...string) *daemonProc {
	t.Helper()
	d := &daemonProc{logs: &syncBuffer{}, exited: make(chan error, 1)}
	d.cmd = exec.Command(bin, append([]string{"-c", cfg, "run"}, args...)...)
	d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait() }()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			d.cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() || os.Getenv("HERALD_TEST_LOG") != "" {
			t.Logf("daemon log:\n%s", d.logs.String())
		}
	})
	return d
}

// TestRunDaemon starts `herald run` as a process against httptest feeds.
func TestRunDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the daemon: skipped in -short mode")
	}
	bin := heraldBinary(t)
	dir := t.TempDir()

	feeds := &rssServer{items: map[string][]string{}}
	feeds.add("/alpha", "Alpha one")
	feeds.add("/alpha", "Alpha two")
	feeds.add("/alpha", "Alpha three")
	feeds.add("/beta", "Beta one")
	ts := httptest.NewServer(feeds)
	defer ts.Close()

	listen := freePort(t)
	cfgPath := filepath.Join(dir, "feeds.yaml")
	writeConfig(t, cfgPath, listen, map[string]string{"alpha": ts.URL + "/alpha"})

	d := startDaemon(t, bin, cfgPath)
	cmd, logs, exited := d.cmd, d.logs, d.exited
	base := "http://" + listen

	// Polled at once: the feed's entries appear in the merged feed.
	waitFor(t, "the first poll's entries in /feed.atom", func() bool {
		return strings.Contains(get(t, base+"/feed.atom", nil).body, "Alpha three")
	})
	if r := get(t, base+"/healthz", nil); r.status != http.StatusOK {
		t.Errorf("/healthz: %d %s", r.status, r.body)
	}

	// A new entry appears after the next poll, and a search finds it.
	feeds.add("/alpha", "Alpha four")
	waitFor(t, "a new entry in /feed.atom", func() bool {
		return strings.Contains(get(t, base+"/feed.atom", nil).body, "Alpha four")
	})
	waitFor(t, "a search to find the new entry", func() bool {
		r := get(t, base+"/feed.atom?q=four", nil)
		return strings.Contains(r.body, "Alpha four") && !strings.Contains(r.body, "Alpha three")
	})

	// Unchanged, the merged feed answers 304 to a conditional request,
	// though the daemon keeps polling (every second or two).
	first := get(t, base+"/feed.atom", nil)
	etag := first.header.Get("ETag")
	if etag == "" {
		t.Fatalf("no ETag on /feed.atom")
	}
	time.Sleep(2500 * time.Millisecond)
	if r := get(t, base+"/feed.atom", map[string]string{"If-None-Match": etag}); r.status != http.StatusNotModified {
		t.Errorf("conditional GET of an unchanged feed: %d, want 304", r.status)
	}

	// SIGHUP with a broken config: rejected, the daemon runs on.
	if err := os.WriteFile(cfgPath, []byte("feeds:\n  - url: not a url\n    nmae: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the broken config to be rejected in the log", func() bool {
		return strings.Contains(logs.String(), "config reload rejected")
	})
	if r := get(t, base+"/healthz", nil); r.status != http.StatusOK {
		t.Errorf("/healthz after a rejected reload: %d", r.status)
	}

	// SIGHUP adds a feed: its entries appear.
	writeConfig(t, cfgPath, listen, map[string]string{"alpha": ts.URL + "/alpha", "beta": ts.URL + "/beta"})
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the added feed's entry in /feed.atom", func() bool {
		return strings.Contains(get(t, base+"/feed.atom", nil).body, "Beta one")
	})

	// SIGHUP removes a feed: it leaves /api/feeds and the status page.
	writeConfig(t, cfgPath, listen, map[string]string{"beta": ts.URL + "/beta"})
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the removed feed to leave /api/feeds", func() bool {
		return !strings.Contains(get(t, base+"/api/feeds", nil).body, `"name":"alpha"`)
	})
	if r := get(t, base+"/status", nil); r.status != http.StatusOK || strings.Contains(r.body, ">alpha<") || !strings.Contains(r.body, ">beta<") {
		t.Errorf("/status after alpha was removed: %d\n%s", r.status, r.body)
	}

	// SIGTERM: exit 0 within 5 seconds.
	stopAt := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
		if d := time.Since(stopAt); d > 5*time.Second {
			t.Errorf("took %v to stop", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5s after SIGTERM")
	}

	// The archive opens clean and holds both feeds.
	dbPath := filepath.Join(dir, "herald.db")
	checkBolt(t, dbPath)
	db, err := archive.Open(dbPath, archive.Options{})
	if err != nil {
		t.Fatalf("archive after stop: %v", err)
	}
	defer db.Close()
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	polled := map[string]bool{}
	for _, s := range states {
		polled[s.Name] = !s.LastPoll.IsZero() && !s.NextPoll.IsZero()
	}
	if !polled["alpha"] || !polled["beta"] {
		t.Errorf("stored feed states: %+v; want alpha and beta polled with a next poll", states)
	}
}

// checkBolt runs bbolt's consistency check over the file.
func checkBolt(t *testing.T, path string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("bbolt open: %v", err)
	}
	defer b.Close()
	err = b.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		t.Errorf("bbolt check: %v", err)
	}
}

func TestRunArchiveLocked(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "feeds.yaml")
	writeConfig(t, cfgPath, freePort(t), map[string]string{"alpha": "http://127.0.0.1:1/alpha"})
	db, err := archive.Open(filepath.Join(dir, "herald.db"), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"-c", cfgPath, "run"}, nil, io.Discard, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), "locked") {
		t.Errorf("run with the archive held: exit %d, stderr %q; want 1 and a clear message", code, stderr.String())
	}
}

func TestRunBadUsage(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "feeds.yaml")
	writeConfig(t, cfgPath, freePort(t), map[string]string{"alpha": "http://127.0.0.1:1/alpha"})
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"-c", cfgPath, "run", "extra"}, nil, io.Discard, &stderr); code != exitUsage {
		t.Errorf("run with an argument: exit %d, want %d", code, exitUsage)
	}
	if err := os.WriteFile(cfgPath, []byte("feeds: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(t.Context(), []string{"-c", cfgPath, "run"}, nil, io.Discard, &stderr); code != exitUsage {
		t.Errorf("run with a bad config: exit %d, want %d", code, exitUsage)
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, url string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return response{} // not listening yet
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
