package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// privateSite is a feed server that wants basic auth for everything: a
// feed whose links and images are relative, their pages, and a feed that
// fails. It counts the requests that came without the credentials.
type privateSite struct {
	mu     sync.Mutex
	denied int
	ok     int
}

func (s *privateSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, _ := r.BasicAuth()
	s.mu.Lock()
	good := user == "reader" && pass == "s3cret"
	if good {
		s.ok++
	} else {
		s.denied++
	}
	s.mu.Unlock()
	if !good {
		w.Header().Set("WWW-Authenticate", `Basic realm="feeds"`)
		http.Error(w, "who are you?", http.StatusUnauthorized)
		return
	}
	switch {
	case r.URL.Path == "/feed.xml" || r.URL.Path == "/other.xml":
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Private</title><link>/</link><description>d</description>`)
		for i := range 2 {
			fmt.Fprintf(w, `<item><title>Private story %[1]d%[2]s</title><link>/articles/%[2]s/%[1]d</link><description>A teaser.</description><media:thumbnail url="/img/%[1]d.jpg"/></item>`, i, strings.TrimSuffix(r.URL.Path[1:], ".xml"))
		}
		fmt.Fprint(w, `</channel></rss>`)
	case strings.HasPrefix(r.URL.Path, "/articles/"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>%[1]s</title><meta property="og:image" content="/img/lead.jpg"></head><body><article><h1>%[1]s</h1>`, r.URL.Path)
		for i := range 5 {
			fmt.Fprintf(w, `<p>Paragraph %d of the private article at %s, long enough to be its text. <a href="/more">More</a></p>`, i, r.URL.Path)
		}
		fmt.Fprint(w, `</article></body></html>`)
	default:
		http.NotFound(w, r)
	}
}

// TestCredentialsNeverShown runs a daemon and the one-shot commands over
// feeds whose credentials are in the URL or in a password file, and checks
// that the password is in the requests only: in nothing Herald stores,
// serves, logs or exports.
func TestCredentialsNeverShown(t *testing.T) {
	bin := heraldBinary(t)
	site := &privateSite{}
	srv := httptest.NewServer(site)
	defer srv.Close()
	withAuth := strings.Replace(srv.URL, "http://", "http://reader:s3cret@", 1)

	dir := t.TempDir()
	writeFile(t, dir, "other.pass", "s3cret\n")
	listen := freePort(t)
	cfg := writeFile(t, dir, "feeds.yaml", fmt.Sprintf(`archive: herald.db
listen: %s
`+quickLoopback+`feeds:
  - url: %[2]s/feed.xml
    name: in-url
  - url: %[3]s/other.xml
    name: from-file
    username: reader
    password_file: other.pass
  - url: %[2]s/missing.xml
    name: broken
`, listen, withAuth, srv.URL))

	d := startDaemon(t, bin, cfg)
	base := "http://" + listen
	waitFor(t, "four articles served", func() bool {
		return strings.Count(get(t, base+"/api/articles", nil).body, `"id"`) >= 4
	})
	shown := map[string]string{}
	for _, path := range []string{"/feed.rss", "/feed.atom", "/feed.json", "/api/articles", "/api/feeds", "/", "/status"} {
		shown["GET "+path] = get(t, base+path, nil).body
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-d.exited; err != nil {
		t.Fatalf("daemon: %v", err)
	}
	d.cmd.ProcessState = &os.ProcessState{} // waited for above
	shown["daemon log"] = d.logs.String()

	for _, args := range [][]string{
		{"export", "--format", "json"}, {"export", "--format", "atom"}, {"export", "--format", "rss"},
		{"export", "--format", "jsonfeed"}, {"stats"}, {"opml", "export"}, {"check"}, {"fetch"},
		{"add", withAuth + "/other.xml?via=add", "--name", "added"}, {"add", withAuth + "/nothing-there"},
	} {
		_, out, errOut := runCLI(t, append([]string{"-c", cfg}, args...)...)
		shown["herald "+strings.Join(args, " ")] = out + errOut
	}
	if !strings.Contains(shown["herald add "+withAuth+"/other.xml?via=add --name added"], "added added") {
		t.Errorf("herald add: %s", shown["herald add "+withAuth+"/other.xml?via=add --name added"])
	}
	db, err := os.ReadFile(filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	shown["the archive file"] = string(db)

	for what, text := range shown {
		if strings.Contains(text, "s3cret") || strings.Contains(text, "reader:") || strings.Contains(text, "reader@") {
			i := max(strings.Index(text, "s3cret"), strings.Index(text, "reader"))
			t.Errorf("%s shows the credentials: …%s…", what, text[max(0, i-80):min(len(text), i+40)])
		}
	}
	if !strings.Contains(shown["herald export --format json"], "Paragraph 3 of the private article") {
		t.Errorf("the article pages were not fetched with the credentials:\n%.600s", shown["herald export --format json"])
	}
	if !strings.Contains(shown["herald export --format json"], srv.URL+"/img/0.jpg") {
		t.Errorf("relative images not resolved against the feed URL:\n%.600s", shown["herald export --format json"])
	}
	if !strings.Contains(shown["daemon log"], "missing.xml") {
		t.Errorf("the failing feed is not in the log:\n%s", shown["daemon log"])
	}
}

// TestArchivePasswordNeverShown gives the archive's password in the URL of
// archive:, of --db and of migrate --to, and from archive_password_file:,
// for a database nobody listens for: every command fails to reach it, and
// none shows the password, in its output or its errors.
func TestArchivePasswordNeverShown(t *testing.T) {
	dir := t.TempDir()
	closed := freePort(t) // nothing listens there
	writeFile(t, dir, "pg.pass", "s3cret\n")
	inURL := writeFile(t, dir, "in-url.yaml", fmt.Sprintf("archive: postgres://herald:s3cret@%s/news?sslmode=disable&connect_timeout=2\nfeeds:\n  - url: http://127.0.0.1:1/feed.xml\n", closed))
	inFile := writeFile(t, dir, "in-file.yaml", fmt.Sprintf("archive: postgres://herald@%s/news?sslmode=disable&connect_timeout=2\narchive_password_file: pg.pass\nfeeds:\n  - url: http://127.0.0.1:1/feed.xml\n", closed))
	export := writeFile(t, dir, "export.json", `{"articles": []}`)
	shown := map[string]string{}
	for _, cfg := range []string{inURL, inFile} {
		for _, args := range [][]string{
			{"check"}, {"stats"}, {"export"}, {"search", "x"}, {"fetch"}, {"import", export}, {"reindex"},
			{"verify"}, {"backup", filepath.Join(dir, "b.db")}, {"migrate", "--to", filepath.Join(dir, "m.db")}, {"run"},
		} {
			code, out, errOut := runCLI(t, append([]string{"-c", cfg}, args...)...)
			shown[fmt.Sprintf("%s: herald %s (exit %d)", filepath.Base(cfg), strings.Join(args, " "), code)] = out + errOut
		}
	}
	dsn := fmt.Sprintf("postgres://herald:s3cret@%s/news?sslmode=disable&connect_timeout=2", closed)
	for _, args := range [][]string{{"--db", dsn, "stats"}, {"--db", dsn, "check"}, {"migrate", "--to", dsn}} {
		code, out, errOut := runCLI(t, append([]string{"-c", inFile}, args...)...)
		shown[fmt.Sprintf("herald %s (exit %d)", strings.Join(args, " "), code)] = out + errOut
	}
	for what, text := range shown {
		if strings.Contains(text, "s3cret") {
			t.Errorf("%s shows the password: %s", what, text)
		}
	}
	if s := shown["in-url.yaml: herald check (exit 0)"]; !strings.Contains(s, "archive postgres://herald@"+closed+"/news?") {
		t.Errorf("check does not show the archive without its password:\n%s", s)
	}
}
