package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"herald/internal/scriptcheck"
)

// TestNoScriptThroughIngest feeds an XSS corpus through the whole ingest
// path, as feed content (poll -> extract.Fragment -> archive) and as an
// article page (extract.Page), and checks the exports: the html field of
// json, and the content of atom, rss and jsonfeed, carry nothing
// executable. serve's xss_test.go covers the HTTP outputs.
func TestNoScriptThroughIngest(t *testing.T) {
	corpus, err := os.ReadFile("../../serve/testdata/evil.html")
	if err != nil {
		t.Fatal(err)
	}
	evil := string(corpus)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>&lt;script&gt;alert(0)&lt;/script&gt;</title>`+
				`<item><guid>content</guid><title>&lt;img src=x onerror=alert(1)&gt; In the feed</title><link>javascript:alert(2)</link><description>&lt;svg onload=alert(3)&gt; teaser</description><content:encoded><![CDATA[%s]]></content:encoded></item>`+
				`<item><guid>page</guid><title>On the page</title><link>%s/page</link><description>short</description></item>`+
				`</channel></rss>`, evil, "http://"+r.Host)
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Page</title><script>alert("head")</script></head><body onload="alert(4)"><article><h1>On the page</h1>%s%s</article></body></html>`,
				strings.Repeat("<p>A paragraph long enough to count as the article's own text, not boilerplate.</p>", 4), evil)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeFile(t, dir, "feeds.yaml", fmt.Sprintf("archive: herald.db\ndefaults:\n  full_text: true\nsites:\n  127.0.0.1:\n    site_gap: 0s\nfeeds:\n  - url: %s/feed\n    name: evil\n", srv.URL))
	if code, out, stderr := runCLI(t, "-c", cfg, "fetch"); code != 0 || !strings.Contains(out, "2 new") {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, stderr)
	}

	code, out, _ := runCLI(t, "-c", cfg, "export", "--format", "jsonl")
	arts := parseExport(t, out)
	if code != 0 || len(arts) != 2 {
		t.Fatalf("export: exit %d, %d articles", code, len(arts))
	}
	for _, a := range arts {
		if !strings.Contains(a.HTML, "The end.") {
			t.Errorf("%q: the corpus's text was lost: %.200q", a.Title, a.HTML)
		}
		if d := scriptcheck.Executable(a.HTML); d != "" {
			t.Errorf("%q: export html field carries %s", a.Title, d)
		}
	}

	for _, format := range []string{"atom", "rss", "jsonfeed"} {
		code, out, _ := runCLI(t, "-c", cfg, "export", "--format", format)
		if code != 0 {
			t.Fatalf("export --format %s: exit %d", format, code)
		}
		if low := strings.ToLower(out); strings.Contains(low, "<script") || strings.Contains(low, "<svg") {
			t.Errorf("export --format %s carries raw markup", format)
		}
		if strings.Contains(out, `href="javascript:`) || strings.Contains(out, `"url":"javascript:`) || strings.Contains(out, `<link>javascript:`) {
			t.Errorf("export --format %s links to a javascript: URL", format)
		}
		if format == "jsonfeed" {
			continue
		}
		for _, frag := range xmlContents(t, out) {
			if d := scriptcheck.Executable(frag); d != "" {
				t.Errorf("export --format %s: content carries %s", format, d)
			}
		}
	}
}

// xmlContents returns the text of every content, description, summary and
// title element of a feed: what a reader may take as HTML.
func xmlContents(t *testing.T, doc string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("export is not well-formed XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "content", "description", "summary", "title", "encoded":
			var s string
			if err := d.DecodeElement(&s, &se); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
	}
}
