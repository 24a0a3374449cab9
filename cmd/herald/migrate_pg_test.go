package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"herald/config"
	"herald/internal/pgtest"
)

// dsnWithPassword is dsn with a password added: the test cluster trusts
// loopback, so any password connects, and a shown one is easy to find.
func dsnWithPassword(t *testing.T, dsn, pw string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String()
}

// TestMigrateThroughPostgres moves an archive from a bbolt file into
// PostgreSQL and from there into another file: the three export the same
// bytes (issue 15: export, import, export is byte-identical both ways).
func TestMigrateThroughPostgres(t *testing.T) {
	dsn := dsnWithPassword(t, pgtest.DB(t), "s3cret")
	dir := t.TempDir()
	src, back := filepath.Join(dir, "src.db"), filepath.Join(dir, "back.db")
	seedArchive(t, src)
	cfg := writeFile(t, dir, "feeds.yaml", "archive: src.db\nfeeds:\n  - url: https://wire.example/feed\n    name: wire\n")
	shown := map[string]string{}
	for _, args := range [][]string{
		{"migrate", "--to", dsn},
		{"--db", dsn, "migrate", "--to", back},
	} {
		code, out, errOut := runCLI(t, append([]string{"-c", cfg}, args...)...)
		if code != 0 || !strings.Contains(out, "identical") {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		shown[strings.Join(args, " ")] = out + errOut
	}
	want := exportOf(t, cfg, src)
	if got := exportOf(t, cfg, dsn); got != want {
		t.Errorf("PostgreSQL exports other bytes than the file it was migrated from")
	}
	if got := exportOf(t, cfg, back); got != want {
		t.Errorf("the file migrated back exports other bytes than the first")
	}
	for _, args := range [][]string{{"--db", dsn, "stats"}, {"--db", dsn, "search", "topic7"}, {"--db", dsn, "check"}, {"migrate", "--to", dsn}} {
		code, out, errOut := runCLI(t, append([]string{"-c", cfg}, args...)...)
		shown[fmt.Sprintf("%s (exit %d)", strings.Join(args, " "), code)] = out + errOut
	}
	if s := shown["--db "+dsn+" stats (exit 0)"]; !strings.Contains(s, "30 stored pages") || !strings.Contains(s, "(PostgreSQL") {
		t.Errorf("stats of the database:\n%s", s)
	}
	if s := shown["--db "+dsn+" search topic7 (exit 0)"]; !strings.Contains(s, "Wire topic7") {
		t.Errorf("search of the database:\n%s", s)
	}
	if s := shown["migrate --to "+dsn+" (exit 1)"]; !strings.Contains(s, "is not empty (50 articles, 30 pages, 2 feed states)") {
		t.Errorf("a second migration into the database:\n%s", s)
	}
	for what, text := range shown {
		if strings.Contains(text, "s3cret") {
			t.Errorf("%s shows the password:\n%s", what, text)
		}
	}
}

// TestDaemonOnPostgresHidesPassword runs herald run on a PostgreSQL archive
// whose password is in archive_password_file: the log, /api and /status
// show the database without it.
func TestDaemonOnPostgresHidesPassword(t *testing.T) {
	dsn, _, err := config.SplitDSN(pgtest.DB(t)) // the password comes from the file
	if err != nil {
		t.Fatal(err)
	}
	bin := heraldBinary(t)
	srv := httptest.NewServer(&privateSite{})
	defer srv.Close()
	withAuth := strings.Replace(srv.URL, "http://", "http://reader:s3cret@", 1)
	dir := t.TempDir()
	writeFile(t, dir, "pg.pass", "s3cret\n")
	listen := freePort(t)
	cfg := writeFile(t, dir, "feeds.yaml", fmt.Sprintf(`archive: %s
archive_password_file: pg.pass
search_index: index
listen: %s
`+quickLoopback+`feeds:
  - url: %s/feed.xml
    name: private
`, dsn, listen, withAuth))
	d := startDaemon(t, bin, cfg)
	base := "http://" + listen
	waitFor(t, "two articles served", func() bool {
		return strings.Count(get(t, base+"/api/articles", nil).body, `"id"`) >= 2
	})
	shown := map[string]string{}
	for _, path := range []string{"/api/articles", "/api/feeds", "/", "/status", "/metrics"} {
		shown["GET "+path] = get(t, base+path, nil).body
	}
	code, out, errOut := runCLI(t, "-c", cfg, "stats")
	shown["herald stats"] = out + errOut
	if code != 0 || !strings.Contains(out, "(PostgreSQL") {
		t.Errorf("stats while the daemon runs: exit %d\n%s%s", code, out, errOut)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-d.exited; err != nil {
		t.Fatalf("daemon: %v\n%s", err, d.logs.String())
	}
	d.cmd.ProcessState = &os.ProcessState{} // waited for above
	shown["daemon log"] = d.logs.String()
	if !strings.Contains(shown["daemon log"], strings.SplitN(dsn, "?", 2)[0]) {
		t.Errorf("the log does not name the database:\n%s", shown["daemon log"])
	}
	// A database's search index is in the database: search_index: names
	// the directory of a bbolt archive's alone.
	if _, err := os.Stat(filepath.Join(dir, "index")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a search index directory beside a database archive: %v", err)
	}
	code, out, errOut = runCLI(t, "-c", cfg, "search", "private")
	shown["herald search"] = out + errOut
	if code != 0 || !strings.Contains(out, "Private story") {
		t.Errorf("search of the database: exit %d\n%s%s", code, out, errOut)
	}
	for what, text := range shown {
		if strings.Contains(text, "s3cret") {
			i := strings.Index(text, "s3cret")
			t.Errorf("%s shows the password: …%s…", what, text[max(0, i-80):min(len(text), i+40)])
		}
	}
}
