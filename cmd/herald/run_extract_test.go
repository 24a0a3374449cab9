package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestRunStopsWhileExtracting sends SIGTERM while `herald run` extracts a
// page built to be slow: 150,000 blocks that tie on score (8 MB, what
// max_body admits). Extraction once took minutes on it and held shutdown
// that long (issue 12); cancellation now reaches inside it.
func TestRunStopsWhileExtracting(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the daemon: skipped in -short mode")
	}
	bin := heraldBinary(t)
	dir := t.TempDir()

	page := []byte("<!doctype html><html><head><title>Ties</title></head><body>" +
		strings.Repeat("<div><p>word, word, word, word, word, word.</p></div>", 150_000) + "</body></html>")
	var served atomic.Int64 // when the page was last served, in Unix ns
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	defer ts.Close()
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>%[1]s/</link>
<item><title>Ties</title><link>%[1]s/ties</link><guid>ties</guid><description>Short.</description></item>
</channel></rss>`, ts.URL)
	})
	mux.HandleFunc("/ties", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
		served.Store(time.Now().UnixNano())
	})

	cfg := fmt.Sprintf(`archive: herald.db
listen: %s
defaults:
  interval: 1h
  full_text: true
feeds:
  - url: %s/feed
    name: ties
`, freePort(t), ts.URL)
	cfgPath := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, bin, cfgPath)
	waitFor(t, "the daemon to fetch the page", func() bool { return served.Load() != 0 })
	// The page is read in a few milliseconds over loopback: by now the
	// daemon is extracting it.
	time.Sleep(300 * time.Millisecond)

	stopAt := time.Now()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
		t.Logf("stopped %v after SIGTERM", time.Since(stopAt).Round(time.Millisecond))
	case <-time.After(3 * time.Second):
		t.Fatal("still running 3s after SIGTERM while extracting a page of tied blocks")
	}
}
