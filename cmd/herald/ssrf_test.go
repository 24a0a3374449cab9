package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// TestPrivateArticleLinks checks end to end that allow_private, and a
// feed configured on loopback, let article pages on loopback be fetched.
// The refusals (a feed on a public host, its redirects and its links to
// private addresses) are checked in poll and fetch, where a public host can
// be played without a name lookup: a request that refuses private
// addresses bypasses any proxy, so it cannot be routed to a test server.
//
// The allowed feed is on a public-looking host: the child's HTTP_PROXY
// points at a loopback server that plays news.example.com. Nothing
// connects outside 127.0.0.0/8.
func TestPrivateArticleLinks(t *testing.T) {
	bin := heraldBinary(t)

	var mu sync.Mutex
	hits := map[string]int{}
	pages := serveOn(t, "127.0.0.4", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Page %[1]s</title></head><body><article><h1>Page %[1]s</h1>`, r.URL.Path)
		for i := range 6 {
			fmt.Fprintf(w, `<p>Paragraph %d of the page at %s, long enough to be the article's own text and not boilerplate around it.</p>`, i, r.URL.Path)
		}
		io.WriteString(w, `</article></body></html>`)
	}))

	feedFor := func(kind string, links ...string) string {
		var items []item
		for i, l := range links {
			items = append(items, item{guid: fmt.Sprintf("%s-%d", kind, i), title: fmt.Sprintf("%s story %d", kind, i), link: l, desc: "A teaser."})
		}
		return rss(kind, items...)
	}
	// The proxy, playing news.example.com, and a feed on loopback itself.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		switch {
		case r.URL.Host == "news.example.com" && r.URL.Path == "/allowed":
			io.WriteString(w, feedFor("allowed", pages.URL+"/article/allowed"))
		case r.URL.Path == "/local":
			io.WriteString(w, feedFor("local", pages.URL+"/article/local"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer proxy.Close()

	dir := t.TempDir()
	cfg := writeFile(t, dir, "feeds.yaml", fmt.Sprintf(`archive: herald.db
defaults:
  full_text: true
  timeout: 5s
sites:
  127.0.0.4:
    site_concurrency: 8
    site_gap: 0s
feeds:
  - url: http://news.example.com/allowed
    name: allowed
    allow_private: true
  - url: %s/local
    name: local
`, proxy.URL))

	cmd := exec.Command(bin, "-c", cfg, "fetch")
	cmd.Env = append(os.Environ(), "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fetch: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "feeds: 2 ok") {
		t.Fatalf("want both feeds read (through the proxy):\n%s", out)
	}

	mu.Lock()
	if hits["/article/allowed"] != 1 || hits["/article/local"] != 1 {
		t.Errorf("page hits %v; want /article/allowed (allow_private) and /article/local (a feed on loopback) once each", hits)
	}
	mu.Unlock()

	code, export, stderr := runCLI(t, "-c", cfg, "export", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	feeds := byFeed(parseExport(t, export))
	for _, name := range []string{"allowed", "local"} {
		for _, a := range feeds[name] {
			if a.ExtractError != "" || !strings.Contains(a.Text, "Paragraph 3") {
				t.Errorf("%s: page not extracted: error %q, text %.80q", name, a.ExtractError, a.Text)
			}
		}
	}
}
