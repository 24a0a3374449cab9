package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/archive"
)

// herald runs the command in-process and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckBadConfigs(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"bad duration", "feeds:\n  - url: https://a.example/f\n    interval: 5x\n", `bad.yaml:3: feeds[0].interval: "5x" is not a duration`},
		{"negative duration", "defaults:\n  timeout: -3s\nfeeds:\n  - url: https://a.example/f\n", "bad.yaml:2: defaults.timeout:"},
		{"bad size", "defaults:\n  max_body: 8XB\nfeeds:\n  - url: https://a.example/f\n", "bad.yaml:2: defaults.max_body:"},
		{"zero size", "defaults:\n  max_body: 0\nfeeds:\n  - url: https://a.example/f\n", "bad.yaml:2: defaults.max_body:"},
		{"ftp url", "feeds:\n  - url: ftp://a.example/f\n", "bad.yaml:2: feeds[0].url:"},
		{"relative url", "feeds:\n  - url: /feed.xml\n", "bad.yaml:2: feeds[0].url:"},
		{"no host", "feeds:\n  - url: https:///feed\n", "bad.yaml:2: feeds[0].url:"},
		{"unknown key", "feeds:\n  - url: https://a.example/f\n    intervall: 5m\n", "bad.yaml:3: feeds[0].intervall: unknown key"},
		{"unknown top key", "archiv: x.db\nfeeds:\n  - url: https://a.example/f\n", "bad.yaml:1: archiv: unknown key"},
		{"wrong type", "feeds:\n  - url: https://a.example/f\n    tags: news\n", "bad.yaml:3: feeds[0].tags:"},
		{"wrong type bool", "defaults:\n  full_text: often\nfeeds:\n  - url: https://a.example/f\n", "bad.yaml:2: defaults.full_text:"},
		{"duplicate names", "feeds:\n  - url: https://a.example/f\n    name: x\n  - url: https://b.example/f\n    name: x\n", "bad.yaml:5: feeds[1].name:"},
		{"unknown timezone", "feeds:\n  - url: https://a.example/f\nsites:\n  a.example:\n    timezone: Mars/Olympus\n", "bad.yaml:5: sites[a.example].timezone:"},
		{"bad selector", "feeds:\n  - url: https://a.example/f\nsites:\n  a.example:\n    body: \"div[\"\n", "bad.yaml:5: sites[a.example].body:"},
		{"yaml syntax", "feeds:\n  - url: https://a.example/f\n   name: [x\n", "bad.yaml:"},
		{"empty feeds", "feeds: []\n", "bad.yaml:1: feeds:"},
		{"min over max", "defaults:\n  min_interval: 2h\n  max_interval: 1h\nfeeds:\n  - url: https://a.example/f\n", "bad.yaml:"},
		{"bad listen", "listen: localhost\nfeeds:\n  - url: https://a.example/f\n", "bad.yaml:1: listen:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "bad.yaml", tt.yaml)
			old, _ := os.Getwd()
			if err := os.Chdir(dir); err != nil {
				t.Fatal(err)
			}
			defer os.Chdir(old)
			code, _, stderr := runCLI(t, "-c", "bad.yaml", "check")
			if code != exitUsage {
				t.Errorf("exit %d, want 2; stderr %q", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.want)
			}
		})
	}
}

func TestShippedConfigChecks(t *testing.T) {
	code, out, stderr := runCLI(t, "-c", "../../feeds.yaml", "check")
	if code != 0 {
		t.Fatalf("shipped feeds.yaml fails check: exit %d, %s", code, stderr)
	}
	if !strings.Contains(out, "ok") {
		t.Errorf("stdout %q", out)
	}
}

// farm serves n small feeds on one loopback server.
func farm(t *testing.T, n int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d", &i); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", fmt.Sprintf(`"f%d"`, i))
		if r.Header.Get("If-None-Match") == fmt.Sprintf(`"f%d"`, i) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %d</title><link>http://example.com/</link><description>d</description>`, i)
		for j := range 3 {
			fmt.Fprintf(w, `<item><title>Story %d-%d</title><link>http://example.com/%d/%d?utm_source=rss</link><guid>g-%d-%d</guid><description>Teaser %d %d</description><pubDate>Mon, 02 Jan 2023 15:0%d:05 +0900</pubDate></item>`, i, j, i, j, i, j, i, j, j)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func farmConfig(t *testing.T, srv *httptest.Server, n int, extra string) string {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("defaults:\n  full_text: false\nsites:\n  127.0.0.1:\n    site_concurrency: 8\n    site_gap: 0s\nfeeds:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - url: %s/feed/%d\n    name: f%d\n    tags: [t%d]\n", srv.URL, i, i, i%2)
	}
	b.WriteString(extra)
	return writeFile(t, dir, "feeds.yaml", b.String())
}

func TestFetchStatsExportImport(t *testing.T) {
	srv := farm(t, 5)
	cfg := farmConfig(t, srv, 5, fmt.Sprintf("  - url: %s/missing\n    name: broken\n", srv.URL))
	code, out, stderr := runCLI(t, "-c", cfg, "fetch")
	if code != 0 {
		t.Fatalf("fetch: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"failed  broken", "HTTP 404", "feeds: 5 ok, 0 not modified, 1 failed", "articles: 15 new"} {
		if !strings.Contains(out, want) {
			t.Errorf("fetch output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "-c", cfg, "fetch")
	if code != 0 || !strings.Contains(out, "0 ok, 5 not modified, 1 failed") || !strings.Contains(out, "0 new") {
		t.Errorf("second round: exit %d:\n%s", code, out)
	}
	code, out, _ = runCLI(t, "-c", cfg, "fetch", "--feed", "f1")
	if code != 0 || !strings.Contains(out, "0 ok, 1 not modified, 0 failed") {
		t.Errorf("--feed: exit %d:\n%s", code, out)
	}
	if code, _, stderr := runCLI(t, "-c", cfg, "fetch", "--feed", "nope"); code != exitUsage || !strings.Contains(stderr, "nope") {
		t.Errorf("unknown --feed: exit %d, %s", code, stderr)
	}

	code, out, _ = runCLI(t, "-c", cfg, "stats")
	if code != 0 {
		t.Fatalf("stats: exit %d", code)
	}
	for _, want := range []string{"broken", "failed: HTTP 404", "15 articles"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lacks %q:\n%s", want, out)
		}
	}

	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if code, _, stderr := runCLI(t, "-c", cfg, "export", "-o", first); code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	fresh := filepath.Join(dir, "fresh.db")
	if code, out, stderr := runCLI(t, "-c", cfg, "--db", fresh, "import", first); code != 0 || !strings.Contains(out, "15 new") {
		t.Fatalf("import: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := runCLI(t, "-c", cfg, "--db", fresh, "export", "-o", second); code != 0 {
		t.Fatalf("export again: %d %s", code, stderr)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Errorf("export, import, export: files differ (%d and %d bytes)", len(a), len(b))
	}
	if strings.Contains(string(a), "utm_source") && !strings.Contains(string(a), `"link"`) {
		t.Error("tracking parameters outside sources")
	}
	code, out, _ = runCLI(t, "-c", cfg, "export", "--format", "jsonl", "--tag", "t1")
	if code != 0 || strings.Count(out, "\n") != 6 {
		t.Errorf("export --tag t1: exit %d, %d lines, want 6", code, strings.Count(out, "\n"))
	}
	code, out, _ = runCLI(t, "-c", cfg, "export", "--format", "jsonl", "--feed", "f2", "--since", "2023-01-02T15:01:00+09:00")
	if code != 0 || strings.Count(out, "\n") != 2 {
		t.Errorf("export --feed --since: exit %d, %d lines, want 2:\n%s", code, strings.Count(out, "\n"), out)
	}
	for _, format := range []string{"atom", "rss"} {
		code, out, _ = runCLI(t, "-c", cfg, "export", "--format", format)
		var doc struct {
			Entries []struct{} `xml:"entry"`
			Items   []struct{} `xml:"channel>item"`
		}
		if err := xml.Unmarshal([]byte(out), &doc); code != 0 || err != nil || len(doc.Entries)+len(doc.Items) != 15 {
			t.Errorf("export --format %s: exit %d, %v, %d entries", format, code, err, len(doc.Entries)+len(doc.Items))
		}
	}
	if code, _, _ := runCLI(t, "-c", cfg, "export", "--format", "yaml"); code != exitUsage {
		t.Errorf("bad format: exit %d, want 2", code)
	}
}

// While the archive is held (by a daemon), fetch says so and exits 1.
func TestFetchLocked(t *testing.T) {
	srv := farm(t, 1)
	cfg := farmConfig(t, srv, 1, "")
	path := filepath.Join(filepath.Dir(cfg), "herald.db")
	db, err := archive.Open(path, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, cmd := range []string{"fetch", "stats"} { // a writer and a reader
		code, _, stderr := runCLI(t, "-c", cfg, cmd)
		if code != exitFailure || !strings.Contains(stderr, "locked") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 1 and a line about the lock", cmd, code, stderr)
		}
		if strings.Count(stderr, "herald.db") != 1 {
			t.Errorf("%s: stderr %q names the archive %d times, want once", cmd, stderr, strings.Count(stderr, "herald.db"))
		}
	}
}

func TestUsage(t *testing.T) {
	if code, _, _ := runCLI(t); code != exitUsage {
		t.Errorf("no command: exit %d", code)
	}
	if code, _, stderr := runCLI(t, "frobnicate"); code != exitUsage || !strings.Contains(stderr, "frobnicate") {
		t.Errorf("unknown command: exit %d %q", code, stderr)
	}
}

// herald extract takes the site rule for --url's host from the config: the
// shipped feeds.yaml's koreaherald.com rule extracts the seed page exactly.
func TestExtractUsesConfigSiteRule(t *testing.T) {
	page := filepath.Join("..", "..", "..", "shared", "fixtures", "seed", "article.html")
	if _, err := os.Stat(page); err != nil {
		t.Skipf("%s is absent (../shared is only beside the repository in CI and development)", page)
	}
	want, err := os.ReadFile(filepath.Join(filepath.Dir(page), "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(want, &exp); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "-c", "../../feeds.yaml", "extract", "--url", "http://www.koreaherald.com/view.php?ud=20150624000515", "--format", "json", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Text, Published, Byline string
		ExtractedBy             string `json:"extracted_by"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.ExtractedBy != "site-rule" || got.Published != "2015-06-24T09:40:00+09:00" || got.Byline != "KH디지털2" || got.Text != exp.Text {
		t.Errorf("got %s, %s, %q, text equal: %v", got.ExtractedBy, got.Published, got.Byline, got.Text == exp.Text)
	}
}
