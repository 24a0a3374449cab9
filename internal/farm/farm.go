// Package farm serves many synthetic RSS feeds and their article pages, and
// writes a feeds.yaml for them, so that poll rounds of thousands of feeds can
// be measured on loopback. cmd/feedfarm and cmd/heraldbench share it.
package farm

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Farm describes the feeds served: N feeds of Items items each, at Base
// (for example "http://127.0.0.1:8080"), which the feeds' links point to.
type Farm struct {
	Base  string
	N     int
	Items int
}

// epoch fixes the items' dates, so that every run serves the same feeds.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// FeedURL is the URL of feed i.
func (f Farm) FeedURL(i int) string { return f.Base + "/feed/" + strconv.Itoa(i) }

// ArticleURL is the page of item j of feed i, as the feed links it.
func (f Farm) ArticleURL(i, j int) string {
	return fmt.Sprintf("%s/article/%d/%d?utm_source=rss", f.Base, i, j)
}

// Handler serves GET /feed/{i} (RSS 2.0, with an ETag; a matching
// If-None-Match gets 304) and GET /article/{i}/{j} (an HTML article page).
func (f Farm) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed/{i}", f.serveFeed)
	mux.HandleFunc("GET /article/{i}/{j}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(Article(r.PathValue("i"), r.PathValue("j")))
	})
	return mux
}

func (f Farm) serveFeed(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 || i >= f.N {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"feed-%d-%d"`, i, f.Items)
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write(f.Feed(i))
}

// Feed is the RSS document of feed i.
func (f Farm) Feed(i int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %d</title><link>%s/</link><description>Synthetic feed %d</description>`, i, f.Base, i)
	for j := range f.Items {
		pub := epoch.Add(time.Duration(i*f.Items+j) * time.Minute).Format(time.RFC1123Z)
		fmt.Fprintf(&b, `<item><title>Story %d of feed %d</title><link>%s</link><guid isPermaLink="false">farm-%d-%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			j, i, f.ArticleURL(i, j), i, j, pub, teaser(i, j))
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func teaser(i, j int) string {
	return fmt.Sprintf("Feed %d reports story %d: a short teaser of the kind feeds carry, with a few words more.", i, j)
}

// Article is the HTML page of story j of feed i: navigation, an article of
// eight paragraphs, related links and a footer, so that an extractor has
// real work to do.
func Article(i, j string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><title>Story %s of feed %s - Farm News</title><meta property="og:site_name" content="Farm News"></head><body>`, j, i)
	b.WriteString(`<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sports">Sports</a></nav></header><main><article>`)
	fmt.Fprintf(&b, `<h1>Story %s of feed %s</h1><p class="byline">By Farm Reporter</p>`, j, i)
	for p := range 8 {
		fmt.Fprintf(&b, `<p>Paragraph %d of story %s in feed %s. The article body goes on with sentences, commas, and the usual rhythm of news prose, so that an extractor has something real to score.</p>`, p, j, i)
	}
	b.WriteString(`</article><aside class="related"><h2>Related</h2><ul><li><a href="/a">Another story</a></li><li><a href="/b">And another</a></li></ul></aside></main><footer>Copyright Farm News</footer></body></html>`)
	return []byte(b.String())
}

// WriteConfig writes a feeds.yaml at path for the farm's feeds, with the
// archive herald.db beside it and no politeness gap for the loopback site.
func (f Farm) WriteConfig(path string, fullText bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "archive: herald.db\ndefaults:\n  full_text: %v\n  timeout: 30s\nconcurrency: 64\n", fullText)
	b.WriteString("sites:\n  127.0.0.1:\n    site_concurrency: 32\n    site_gap: 0s\nfeeds:\n")
	for i := range f.N {
		fmt.Fprintf(&b, "  - url: %s\n    name: feed-%d\n", f.FeedURL(i), i)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}
