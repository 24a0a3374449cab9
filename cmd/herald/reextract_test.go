package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

const articlePage = `<!DOCTYPE html><html><head><title>Ferry resumes - Harbour News</title></head><body>
<header><nav><a href="/">Home</a></nav></header>
<article><h1>Ferry resumes</h1>
<div id="story"><p>The ferry to the islands resumed service on Monday after a week of storms, the operator said, and the first crossing was full.</p>
<p>Passengers queued from dawn, many of them islanders who had been stranded on the mainland since the storms began last week.</p></div>
<div id="extra"><p>Harbour News has covered the islands, their ferries and their weather since the paper was founded, many years ago now.</p></div>
</article></body></html>`

// Pages kept in the archive are extracted again, without the network,
// when the site rules change.
func TestReextract(t *testing.T) {
	var pageHits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>Harbour</title><link>%[1]s/</link><description>d</description>
<item><title>Ferry resumes</title><link>%[1]s/ferry</link><guid>ferry</guid><description>The ferry is back.</description></item></channel></rss>`, "http://"+r.Host)
		case "/ferry":
			pageHits++
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, articlePage)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "feeds.yaml")
	base := fmt.Sprintf("feeds:\n  - url: %s/feed\n    name: harbour\nsites:\n  127.0.0.1:\n    site_gap: 0s\n", srv.URL)
	writeFile(t, dir, "feeds.yaml", base)
	if code, out, stderr := runCLI(t, "-c", cfg, "fetch"); code != 0 || !strings.Contains(out, "1 new") {
		t.Fatalf("fetch: %d %s %s", code, out, stderr)
	}
	first := exportOne(t, cfg)
	if first.ExtractedBy != "generic" || !strings.Contains(first.Text, "Passengers queued") {
		t.Fatalf("first extraction: %q by %s", first.Text, first.ExtractedBy)
	}

	writeFile(t, dir, "feeds.yaml", base+"    body: \"#extra\"\n")
	code, out, stderr := runCLI(t, "-c", cfg, "reextract", "--site", "127.0.0.1")
	if code != 0 || !strings.Contains(out, "1 changed") {
		t.Fatalf("reextract: %d %s %s", code, out, stderr)
	}
	again := exportOne(t, cfg)
	if again.ExtractedBy != "site-rule" || !strings.Contains(again.Text, "covered the islands") || strings.Contains(again.Text, "Passengers queued") {
		t.Errorf("after reextract: %q by %s", again.Text, again.ExtractedBy)
	}
	if again.ID != first.ID || len(again.Sources) != 1 {
		t.Errorf("reextract changed the article's identity: %+v", again)
	}
	if pageHits != 1 {
		t.Errorf("page fetched %d times; reextract must not use the network", pageHits)
	}
	if code, out, _ := runCLI(t, "-c", cfg, "reextract", "--feed", "harbour"); code != 0 || !strings.Contains(out, "re-extracted 1 pages") {
		t.Errorf("reextract --feed harbour: %d %s", code, out)
	}
	// As fetch --feed: a name that is no feed is a mistake, not zero pages.
	if code, out, stderr := runCLI(t, "-c", cfg, "reextract", "--feed", "nope"); code != exitUsage || !strings.Contains(stderr, `no feed named "nope"`) {
		t.Errorf("reextract --feed nope: %d %s %s", code, out, stderr)
	}
}

type exported struct {
	ID          string            `json:"id"`
	Text        string            `json:"text"`
	ExtractedBy string            `json:"extracted_by"`
	Sources     []json.RawMessage `json:"sources"`
}

func exportOne(t *testing.T, cfg string) exported {
	t.Helper()
	code, out, stderr := runCLI(t, "-c", cfg, "export", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	var a exported
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("export output %q: %v", out, err)
	}
	return a
}
