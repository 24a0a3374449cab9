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

// TestPrivateArticleLinks checks end to end that an article link on a
// loopback, private or link-local address is refused unless the feed itself
// is on such an address or allow_private is set.
//
// A feed on a public-looking host is needed for the refusal. The child's
// HTTP_PROXY points at a loopback server that plays news.example.com, so
// the feed is fetched through it, never from the internet. Article pages
// bypass the proxy; the refused ones are refused before connecting (the
// check is in the dialer's Control hook), and the allowed ones are all on
// 127.0.0.4. Nothing connects outside 127.0.0.0/8.
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
	refused := []string{
		pages.URL + "/article/public-loopback",
		strings.Replace(pages.URL, "127.0.0.4", "localhost", 1) + "/article/public-localhost",
		"http://10.0.0.1/article/public-private",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]:9/article/public-v6",
	}
	// The proxy, playing news.example.com, and a feed on loopback itself.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		switch {
		case r.URL.Host == "news.example.com" && r.URL.Path == "/refused":
			io.WriteString(w, feedFor("refused", refused...))
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
  - url: http://news.example.com/refused
    name: refused
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
	if !strings.Contains(string(out), "feeds: 3 ok") {
		t.Fatalf("want all three feeds read (through the proxy):\n%s", out)
	}

	mu.Lock()
	for path, n := range hits {
		if strings.Contains(path, "public") {
			t.Errorf("%s was fetched %d times; links from a public feed to private addresses must be refused", path, n)
		}
	}
	if hits["/article/allowed"] != 1 || hits["/article/local"] != 1 {
		t.Errorf("page hits %v; want /article/allowed (allow_private) and /article/local (a feed on loopback) once each", hits)
	}
	mu.Unlock()

	code, export, stderr := runCLI(t, "-c", cfg, "export", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	feeds := byFeed(parseExport(t, export))
	if n := len(feeds["refused"]); n != len(refused) {
		t.Errorf("refused feed: %d articles, want %d (kept with the feed's text)", n, len(refused))
	}
	for _, a := range feeds["refused"] {
		if !strings.Contains(a.ExtractError, "private address refused") {
			t.Errorf("%s: extract_error %q, want the private address refused", a.Sources[0].Link, a.ExtractError)
		}
	}
	for _, name := range []string{"allowed", "local"} {
		for _, a := range feeds[name] {
			if a.ExtractError != "" || !strings.Contains(a.Text, "Paragraph 3") {
				t.Errorf("%s: page not extracted: error %q, text %.80q", name, a.ExtractError, a.Text)
			}
		}
	}
}
