package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/archive"
)

// exportOf is the json export of the archive at path, through the CLI.
func exportOf(t *testing.T, cfg, path string) string {
	t.Helper()
	code, out, errOut := runCLI(t, "-c", cfg, "--db", path, "export", "--format", "json")
	if code != 0 {
		t.Fatalf("export %s: exit %d: %s", path, code, errOut)
	}
	return out
}

func TestMigrateFileToFile(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	seedArchive(t, src)
	cfg := writeFile(t, dir, "feeds.yaml", "archive: src.db\nfeeds:\n  - url: https://wire.example/feed\n    name: wire\n")

	code, out, errOut := runCLI(t, "-c", cfg, "migrate", "--to", dst)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "identical") || !strings.Contains(out, "2 feed states") {
		t.Errorf("migrate's report:\n%s", out)
	}
	want := exportOf(t, cfg, src)
	if got := exportOf(t, cfg, dst); got != want {
		t.Errorf("the target exports other bytes than the source")
	}
	for _, s := range []string{`"revisions"`, `"story"`, `utm_source=rss`} {
		if !strings.Contains(want, s) {
			t.Errorf("the export has no %s: the seed does not exercise it", s)
		}
	}
	for _, p := range []string{src, dst} {
		code, stats, errOut := runCLI(t, "-c", cfg, "--db", p, "stats")
		if code != 0 {
			t.Fatalf("stats %s: %s", p, errOut)
		}
		if !strings.Contains(stats, "30 stored pages") || !strings.Contains(stats, "stories: 40 (10 articles are copies") {
			t.Errorf("stats of %s:\n%s", p, stats)
		}
	}
	srcDB, err := archive.Open(src, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srcDB.Close()
	dstDB, err := archive.Open(dst, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer dstDB.Close()
	if a, b := feedStates(t, srcDB), feedStates(t, dstDB); a != b {
		t.Errorf("feed states differ:\n%s\n%s", a, b)
	}
	var pages int
	err = srcDB.EachPage(context.Background(), func(id string, p *archive.Page) error {
		q, err := dstDB.Page(id)
		if err != nil {
			return err
		}
		if q.URL != p.URL || !bytes.Equal(q.Body, p.Body) {
			t.Errorf("page %s differs in the target", id)
		}
		pages++
		return nil
	})
	if err != nil || pages != 30 {
		t.Errorf("pages compared: %d, %v", pages, err)
	}
}

func feedStates(t *testing.T, db *archive.DB) string {
	t.Helper()
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", states)
}

func TestMigrateRefuses(t *testing.T) {
	dir := t.TempDir()
	src, full := filepath.Join(dir, "src.db"), filepath.Join(dir, "full.db")
	seedArchive(t, src)
	seedArchive(t, full)
	cfg := writeFile(t, dir, "feeds.yaml", "archive: src.db\nfeeds:\n  - url: https://wire.example/feed\n    name: wire\n")
	before, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate", "--to", full}, 1, "is not empty (50 articles, 30 pages, 2 feed states); migrate only into an empty archive"},
		{[]string{"migrate", "--to", src}, 2, "--to names the archive itself"},
		{[]string{"migrate"}, 2, "--to is required"},
		{[]string{"migrate", "--to", "postgres://u:s3cret@db.example:1/x#y"}, 2, "has a #fragment"},
		{[]string{"migrate", "--to", filepath.Join(dir, "new.db"), "--to-password-file", "x"}, 2, "--to-password-file is for a postgres:// target"},
		{[]string{"--db", filepath.Join(dir, "missing.db"), "migrate", "--to", filepath.Join(dir, "new.db")}, 1, "no archive at"},
	} {
		code, out, errOut := runCLI(t, append([]string{"-c", cfg}, tt.args...)...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tt.args, code, out+errOut, tt.code, tt.want)
		}
		if strings.Contains(out+errOut, "s3cret") {
			t.Errorf("%v shows the password: %s", tt.args, out+errOut)
		}
	}
	if after, _ := os.ReadFile(full); !bytes.Equal(before, after) {
		t.Errorf("a refused target was changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "new.db")); err == nil {
		t.Errorf("a refused migration created its target")
	}
}
