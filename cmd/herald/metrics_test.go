package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// metricsFarm serves one feed whose entries link to pages of every kind:
// one the site rule extracts, one it misses (extracted generically), one
// shorter than the feed's summary (the feed's text is kept), and one that
// fails (404).
func metricsFarm(t *testing.T) *httptest.Server {
	words := strings.Repeat("A sentence of the article, long enough to be its body. ", 30)
	summary := strings.Repeat("The feed's own summary, which is long. ", 12)
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>m</title>`)
		for _, p := range []string{"rule", "missed", "short", "gone"} {
			fmt.Fprintf(w, `<item><title>%s</title><link>%s/%s</link><guid>%s</guid><description>%s</description></item>`, p, srv.URL, p, p, summary)
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<html><head><title>t</title></head><body>%s</body></html>", body)
		}
	}
	mux.HandleFunc("/rule", page(`<div id="art"><p>`+words+`</p></div>`))
	mux.HandleFunc("/missed", page(`<article><p>`+words+`</p><p>`+words+`</p></article>`))
	mux.HandleFunc("/short", page(`<div id="art"><p>Too short.</p></div>`))
	mux.HandleFunc("/gone", http.NotFound)
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestMetricsRecorded runs the daemon over a round with article pages and
// checks that every series /metrics describes (HELP) has samples: page
// fetch latency, bytes and errors, and each way of extraction.
func TestMetricsRecorded(t *testing.T) {
	srv := metricsFarm(t)
	dir := t.TempDir()
	listen := freePort(t)
	cfg := writeFile(t, dir, "feeds.yaml", fmt.Sprintf(`archive: herald.db
listen: %s
defaults:
  interval: 1h
  full_text: true
feeds:
  - url: %s/feed.xml
    name: m
sites:
  127.0.0.1:
    body: "#art"
    site_concurrency: 8
    site_gap: 0s
`, listen, srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() { done <- run(ctx, []string{"-c", cfg, "run"}, strings.NewReader(""), logs, logs) }()
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("herald run: exit %d\n%s", code, logs)
		}
	}()
	var body string
	waitFor(t, "a round with pages in /metrics", func() bool {
		body = get(t, "http://"+listen+"/metrics", nil).body
		return strings.Contains(body, `herald_articles_total{`)
	})
	// Every family with a HELP line has at least one sample.
	for _, m := range regexp.MustCompile(`(?m)^# HELP (herald_\w+)`).FindAllStringSubmatch(body, -1) {
		if !regexp.MustCompile(`(?m)^` + m[1] + `(_bucket|_count)?[{ ]`).MatchString(body) {
			t.Errorf("%s is described but never recorded", m[1])
		}
	}
	for _, want := range []string{
		`herald_fetch_duration_seconds_count{kind="page"} 4`,
		`herald_fetched_bytes_total{kind="page",site="127.0.0.1"}`,
		`herald_fetch_errors_total{kind="http-4xx",site="127.0.0.1"} 1`,
		`herald_extractions_total{method="site-rule",site="127.0.0.1"} 1`,
		`herald_extractions_total{method="rule-missed",site="127.0.0.1"} 1`,
		`herald_extractions_total{method="generic",site="127.0.0.1"} 1`,
		`herald_extractions_total{method="feed",site="127.0.0.1"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grepLines(body, "herald_"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
