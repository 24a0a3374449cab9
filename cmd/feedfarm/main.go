// Command feedfarm serves many synthetic feeds and their article pages on a
// loopback address, and writes a feeds.yaml for them, so that a poll round
// of thousands of feeds can be measured on one machine without the network.
//
//	feedfarm -n 2000 -items 20 -config /tmp/farm/feeds.yaml
//
// It runs until interrupted. Feeds answer conditional requests with 304.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 2000, "number of feeds")
	items := flag.Int("items", 20, "items per feed")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	config := flag.String("config", "", "write a feeds.yaml for the farm here")
	fullText := flag.Bool("full-text", false, "set full_text: true in the written config")
	flag.Parse()
	if err := run(*n, *items, *addr, *config, *fullText); err != nil {
		log.Fatal(err)
	}
}

func run(n, items int, addr, config string, fullText bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("feedfarm listens on loopback only, not %s", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if config != "" {
		if err := writeConfig(config, base, n, fullText); err != nil {
			return err
		}
	}
	fmt.Println(base)
	srv := &http.Server{Handler: handler(base, n, items), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func writeConfig(path, base string, n int, fullText bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "archive: herald.db\ndefaults:\n  full_text: %v\n  timeout: 30s\nconcurrency: 64\n", fullText)
	b.WriteString("sites:\n  127.0.0.1:\n    site_concurrency: 32\n    site_gap: 0s\nfeeds:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - url: %s/feed/%d\n    name: feed-%d\n", base, i, i)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// epoch fixes the items' dates, so that every run serves the same feeds.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func handler(base string, n, items int) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed/{i}", func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscan(r.PathValue("i"), &i); err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"feed-%d-%d"`, i, items)
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %d</title><link>%s/</link><description>Synthetic feed %d</description>`, i, base, i)
		for j := range items {
			pub := epoch.Add(time.Duration(i*items+j) * time.Minute).Format(time.RFC1123Z)
			fmt.Fprintf(&b, `<item><title>Story %d of feed %d</title><link>%s/article/%d/%d?utm_source=rss</link><guid isPermaLink="false">farm-%d-%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
				j, i, base, i, j, i, j, pub, teaser(i, j))
		}
		b.WriteString(`</channel></rss>`)
		fmt.Fprint(w, b.String())
	})
	mux.HandleFunc("GET /article/{i}/{j}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, article(r.PathValue("i"), r.PathValue("j")))
	})
	return mux
}

func teaser(i, j int) string {
	return fmt.Sprintf("Feed %d reports story %d: a short teaser of the kind feeds carry, with a few words more.", i, j)
}

func article(i, j string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><title>Story %s of feed %s - Farm News</title><meta property="og:site_name" content="Farm News"></head><body>`, j, i)
	b.WriteString(`<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sports">Sports</a></nav></header><main><article>`)
	fmt.Fprintf(&b, `<h1>Story %s of feed %s</h1><p class="byline">By Farm Reporter</p>`, j, i)
	for p := range 8 {
		fmt.Fprintf(&b, `<p>Paragraph %d of story %s in feed %s. The article body goes on with sentences, commas, and the usual rhythm of news prose, so that an extractor has something real to score.</p>`, p, j, i)
	}
	b.WriteString(`</article><aside class="related"><h2>Related</h2><ul><li><a href="/a">Another story</a></li><li><a href="/b">And another</a></li></ul></aside></main><footer>Copyright Farm News</footer></body></html>`)
	return b.String()
}
