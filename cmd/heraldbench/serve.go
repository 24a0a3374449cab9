package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"herald/internal/procmem"
)

// serveMode measures `herald run`'s memory while it answers readers: an
// archive of -articles articles of about -article-kb KiB each, then
// -requests concurrent worst-case requests (the largest pages, in every
// format, each page a different one so that no render is shared). It
// reports the daemon's resident memory idle and its peak under the load.
func serveMode(ctx context.Context, o options) (serveResult, error) {
	dir := filepath.Join(o.dir, "serve")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return serveResult{}, err
	}
	jsonl := filepath.Join(dir, "articles.jsonl")
	if err := writeBigArticles(jsonl, o.articles, o.articleKB<<10); err != nil {
		return serveResult{}, err
	}
	addr, err := freeAddr()
	if err != nil {
		return serveResult{}, err
	}
	cfg := filepath.Join(dir, "feeds.yaml")
	// The one feed is never polled during the run: its interval is long
	// and the daemon's first poll fails at once on a closed port.
	yaml := fmt.Sprintf("archive: herald.db\nlisten: %s\nfeeds:\n  - url: http://%s/none.xml\n    interval: 24h\n", addr, addr)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		return serveResult{}, err
	}
	imp := exec.CommandContext(ctx, o.herald, "-c", cfg, "import", jsonl)
	if out, err := imp.CombinedOutput(); err != nil {
		return serveResult{}, fmt.Errorf("herald import: %w\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, o.herald, "-c", cfg, "run")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return serveResult{}, err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	base := "http://" + addr
	if err := waitHealthy(ctx, base); err != nil {
		return serveResult{}, fmt.Errorf("%w\n%s", err, logs.String())
	}
	idle, err := procmem.Read(cmd.Process.Pid)
	if err != nil {
		return serveResult{}, err
	}
	stop := make(chan struct{})
	sampled := procmem.Sample(cmd.Process.Pid, 5*time.Millisecond, stop)
	start := time.Now()
	bytes, failed := worstCaseLoad(ctx, base, o.requests)
	wall := time.Since(start)
	close(stop)
	mem := <-sampled
	return serveResult{idleKB: idle.AnonKB, peakKB: mem.PeakKB, anonKB: mem.AnonKB, bytes: bytes, wall: wall, failed: failed}, nil
}

type serveResult struct {
	idleKB, peakKB, anonKB, bytes int64
	wall                          time.Duration
	failed                        []error
}

func (r serveResult) print(w io.Writer, o options) {
	fmt.Fprintf(w, "serve: %d articles × %d KiB, %d concurrent worst-case requests: idle anon %s, peak RSS %s (anon %s), %s served in %s",
		o.articles, o.articleKB, o.requests, mb(r.idleKB), mb(r.peakKB), mb(r.anonKB), mb(r.bytes>>10), secs(r.wall))
	if len(r.failed) > 0 {
		fmt.Fprintf(w, "; %d requests failed, the first: %v", len(r.failed), r.failed[0])
	}
	fmt.Fprintln(w)
}

// worstCaseLoad sends n requests at once, each for the largest page of a
// format, with limits that differ so that each is a page of its own, and
// follows no links. It returns the bytes received and the requests that
// failed (a server cut off by its write timeout, say).
func worstCaseLoad(ctx context.Context, base string, n int) (int64, []error) {
	paths := []string{"/feed.json", "/api/articles", "/feed.atom", "/feed.rss"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int64
	var failed []error
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := fmt.Sprintf("%s%s?limit=%d", base, paths[i%len(paths)], 500-i)
			got, err := drain(ctx, u)
			mu.Lock()
			defer mu.Unlock()
			total += got
			if err != nil {
				failed = append(failed, err)
			}
		}()
	}
	wg.Wait()
	return total, failed
}

func drain(ctx context.Context, u string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return n, err
}

func waitHealthy(ctx context.Context, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := drain(ctx, base+"/healthz"); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("herald run did not answer /healthz on %s", base)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// writeBigArticles writes n export-format articles to file, each with
// about size bytes of HTML and as much text: what a long page gives.
func writeBigArticles(file string, n, size int) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	para := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 20)
	var html, text strings.Builder
	for html.Len() < size {
		html.WriteString("<p>" + para + "</p>")
		text.WriteString(para + "\n\n")
	}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		// Each article differs in its first words, so none is a duplicate.
		lead := fmt.Sprintf("Article %d. ", i)
		a := map[string]any{
			"id":        fmt.Sprintf("big%04d", i),
			"url":       fmt.Sprintf("https://example.org/big/%d", i),
			"title":     fmt.Sprintf("Big article %d", i),
			"published": day.Add(time.Duration(i) * time.Hour).Format(time.RFC3339),
			"fetched":   day.Add(time.Duration(i) * time.Hour).Format(time.RFC3339),
			"text":      lead + text.String(),
			"html":      "<p>" + lead + "</p>" + html.String(),
			"sources":   []map[string]string{{"feed": "big", "feed_url": "https://example.org/feed.xml", "guid": fmt.Sprint(i), "link": fmt.Sprintf("https://example.org/big/%d", i)}},
		}
		if err := enc.Encode(a); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
