package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/config"
)

// site serves a home page that links to two feeds, the feeds, and a page
// that links to none.
func site(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Harbour News</title>
<link rel="alternate" type="application/rss+xml" title="News" href="/news.xml">
<link rel="alternate" type="application/atom+xml" title="Comments" href="/comments.atom">
</head><body><p>Welcome</p></body></html>`)
		case "/plain":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<!DOCTYPE html><html><head><title>No feed</title></head><body>hi</body></html>`)
		case "/news.xml", "/other.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title><link>http://example.org/</link><description>d</description>
<item><title>Ferry resumes</title><link>http://example.org/ferry</link><guid>ferry</guid></item>
<item><title>Storm ends</title><link>http://example.org/storm</link><guid>storm</guid></item></channel></rss>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

const commentedConfig = `# My feeds. Keep this comment.
archive: herald.db
feeds:
  # the first one
  - url: https://a.example/feed   # trailing comment
    name: a
# sites below
sites: {}
`

func TestAdd(t *testing.T) {
	srv := site(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "feeds.yaml", commentedConfig)
	host := strings.TrimPrefix(srv.URL, "http://")

	// A web page: its first feed is found, checked and added.
	code, out, stderr := runCLI(t, "-c", cfg, "add", srv.URL+"/")
	if code != 0 || !strings.Contains(out, "added "+host+" ("+srv.URL+"/news.xml)") || !strings.Contains(out, `"Harbour News", 2 entries`) {
		t.Fatalf("add a page: exit %d, %q, %q", code, out, stderr)
	}
	if !strings.Contains(stderr, "links to 2 feeds") || !strings.Contains(stderr, srv.URL+"/comments.atom") {
		t.Errorf("the other feed is not mentioned: %q", stderr)
	}
	// The same feed again: nothing added, and said so.
	if code, _, stderr := runCLI(t, "-c", cfg, "add", srv.URL+"/news.xml"); code != exitFailure || !strings.Contains(stderr, "already in") {
		t.Errorf("add again: exit %d, %q", code, stderr)
	}
	// A feed URL, flags after it.
	if code, out, stderr := runCLI(t, "-c", cfg, "add", srv.URL+"/other.xml", "--name", "harbour", "--tag", "local"); code != 0 || !strings.Contains(out, "added harbour") {
		t.Errorf("add a feed URL: exit %d, %q, %q", code, out, stderr)
	}

	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{"# My feeds. Keep this comment.", "# the first one", "# trailing comment", "# sites below"} {
		if !strings.Contains(string(text), keep) {
			t.Errorf("comment %q lost:\n%s", keep, text)
		}
	}
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatalf("the config does not load after add: %v\n%s", err, text)
	}
	var got []string
	for _, f := range c.Feeds {
		got = append(got, fmt.Sprintf("%s %s %v", f.Name, f.URL, f.Tags))
	}
	want := []string{"a https://a.example/feed []", host + " " + srv.URL + "/news.xml []", "harbour " + srv.URL + "/other.xml [local]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("feeds:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// What add refuses, with the config left as it was.
func TestAddRefuses(t *testing.T) {
	srv := site(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "feeds.yaml", commentedConfig)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"add", srv.URL + "/plain"}, exitFailure, "links to no feed"},
		{[]string{"add", srv.URL + "/missing"}, exitFailure, "HTTP 404"},
		{[]string{"add", "ftp://a.example/feed"}, exitUsage, `"ftp://a.example/feed"`},
		{[]string{"add"}, exitUsage, "want 1 argument(s), got 0"},
		{[]string{"add", srv.URL + "/news.xml", "--name", "a"}, 0, "added a-2"},
	}
	for _, tt := range tests {
		code, out, stderr := runCLI(t, append([]string{"-c", cfg}, tt.args...)...)
		if code != tt.code || !strings.Contains(out+stderr, tt.want) {
			t.Errorf("herald %s: exit %d, want %d; %q %q", strings.Join(tt.args, " "), code, tt.code, out, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "herald.db")); err == nil {
		t.Error("add created an archive")
	}
}
