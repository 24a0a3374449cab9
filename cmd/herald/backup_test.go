package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// growingFarm serves n feeds that gain items at every poll, so that the
// daemon keeps archiving.
func growingFarm(t *testing.T, n int) *httptest.Server {
	polls := make([]atomic.Int64, n)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d", &i); err != nil || i >= n {
			http.NotFound(w, r)
			return
		}
		k := 40 * int(polls[i].Add(1))
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %d</title>`, i)
		for j := k; j < k+40; j++ {
			fmt.Fprintf(w, `<item><title>Story %d-%d</title><link>http://example.com/%d/%d</link><guid>g-%d-%d</guid><description>Teaser %d %d, with words enough.</description><pubDate>Mon, 02 Jan 2023 15:04:05 +0900</pubDate></item>`, i, j, i, j, i, j, i, j)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestBackupThroughDaemon runs herald run over feeds that keep growing and,
// while it archives, runs herald stats, export and backup: each works
// through the daemon instead of failing with "archive is locked". The
// backup passes verify, and every article it holds is in the final
// archive exactly as the backup has it.
func TestBackupThroughDaemon(t *testing.T) {
	srv := growingFarm(t, 10)
	dir := t.TempDir()
	listen := freePort(t)
	var feeds strings.Builder
	for i := range 10 {
		fmt.Fprintf(&feeds, "  - url: %s/feed/%d\n    name: f%d\n", srv.URL, i, i)
	}
	cfg := writeFile(t, dir, "feeds.yaml", fmt.Sprintf(`archive: herald.db
listen: %s
defaults:
  interval: 1s
  min_interval: 1s
  max_interval: 1s
  full_text: false
feeds:
%ssites:
  127.0.0.1:
    site_concurrency: 16
    site_gap: 0s
`, listen, feeds.String()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() { done <- run(ctx, []string{"-c", cfg, "run"}, strings.NewReader(""), logs, logs) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != exitOK {
				t.Errorf("herald run: exit %d\n%s", code, logs)
			}
		}
	}
	defer stop()
	db := filepath.Join(dir, "herald.db")
	waitFor(t, "the local channel", func() bool { _, err := os.Stat(db + ".sock"); return err == nil })
	if info, err := os.Stat(db + ".sock"); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the socket: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	waitFor(t, "articles", func() bool {
		code, out, _ := runCLI(t, "-c", cfg, "stats")
		return code == exitOK && !strings.Contains(out, " 0 articles")
	})
	time.Sleep(1500 * time.Millisecond) // a few rounds in
	backup := filepath.Join(dir, "backup.db")
	code, _, stderr := runCLI(t, "-c", cfg, "backup", backup)
	if code != exitOK {
		t.Fatalf("backup while the daemon runs: exit %d: %s", code, stderr)
	}
	t.Log(strings.TrimSpace(stderr))
	code, exported, stderr := runCLI(t, "-c", cfg, "export", "--format", "jsonl")
	if code != exitOK || exported == "" {
		t.Fatalf("export while the daemon runs: exit %d: %s", code, stderr)
	}
	if code, out, stderr := runCLI(t, "-c", cfg, "stats"); code != exitOK || !strings.Contains(out, "f9") {
		t.Fatalf("stats while the daemon runs: exit %d: %s%s", code, out, stderr)
	}
	waitFor(t, "herald search through the daemon", func() bool {
		code, out, _ := runCLI(t, "-c", cfg, "search", "teaser", "--feed", "f9", "--format", "jsonl", "--limit", "3")
		return code == exitOK && strings.Count(out, "\n") == 3 && strings.Contains(out, `"feed":"f9"`)
	})
	time.Sleep(1500 * time.Millisecond) // more rounds after the backup
	stop()
	if _, err := os.Stat(db + ".sock"); !os.IsNotExist(err) {
		t.Errorf("the socket outlived the daemon: %v", err)
	}
	if code, out, stderr := runCLI(t, "-c", cfg, "--db", backup, "verify"); code != exitOK {
		t.Fatalf("verify of the backup: exit %d: %s%s", code, out, stderr)
	}
	_, final, _ := runCLI(t, "-c", cfg, "export", "--format", "jsonl")
	_, fromBackup, _ := runCLI(t, "-c", cfg, "--db", backup, "export", "--format", "jsonl")
	finalSet := map[string]bool{}
	for _, l := range strings.Split(final, "\n") {
		finalSet[l] = true
	}
	lines := strings.Split(strings.TrimSpace(fromBackup), "\n")
	for _, l := range lines {
		if !finalSet[l] {
			t.Fatalf("the backup holds an article the archive never held so: %.200s", l)
		}
	}
	n := strings.Count(final, "\n")
	if len(lines) == 0 || len(lines) >= n {
		t.Errorf("the backup holds %d articles, the archive at the end %d: not taken during the rounds", len(lines), n)
	}
	t.Logf("backup: %d articles; the archive at the end: %d", len(lines), n)
}
