package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/config"
)

func TestArchiveDSN(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pg.pass"), []byte("s3cret\n"), 0o600)
	path := filepath.Join(dir, "feeds.yaml")
	for _, tt := range []struct{ yaml, archive, password string }{
		{"archive: postgres://herald:s3cret@db.example:5433/news?sslmode=require\n",
			"postgres://herald@db.example:5433/news?sslmode=require", "s3cret"},
		{"archive: postgresql://herald@db.example/news?password=s3cret&application_name=herald\n",
			"postgresql://herald@db.example/news?application_name=herald", "s3cret"},
		{"archive: postgres://herald@db.example/news\narchive_password_file: pg.pass\n",
			"postgres://herald@db.example/news", "s3cret"},
		{"archive: postgres:///news?host=/run/postgresql\n", "postgres:///news?host=%2Frun%2Fpostgresql", ""},
		{"archive: data/herald.db\n", filepath.Join(dir, "data/herald.db"), ""},
	} {
		c, err := config.Parse([]byte(tt.yaml+"feeds:\n  - url: https://a.example/f\n"), path)
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
			continue
		}
		if c.Archive != tt.archive || string(c.ArchivePassword) != tt.password {
			t.Errorf("%q: archive %q password %q, want %q %q", tt.yaml, c.Archive, string(c.ArchivePassword), tt.archive, tt.password)
		}
		if shown := fmt.Sprintf("%v %+v %#v", c, c, c); strings.Contains(shown, "s3cret") {
			t.Errorf("%q: printing the config shows the password", tt.yaml)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%q: a parsed config does not validate: %v", tt.yaml, err)
		}
	}
}

func TestArchiveDSNErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.yaml")
	os.WriteFile(filepath.Join(dir, "pg.pass"), []byte("s3cret\n"), 0o600)
	for _, tt := range []struct{ yaml, want string }{
		{"archive: postgres://u:s3cret@db.example:99999/news\n", "feeds.yaml:1: archive: has a port that is not 1 to 65535"},
		{"archive: postgres://u:s3cret@db.example:54x2/news\n", "feeds.yaml:1: archive: is not a URL"},
		{"archive: postgres://u:s3cret@db.example/news/more\n", "has a path of more than the database name"},
		{"archive: postgres://u:s3cret@db.example/news#x\n", "has a #fragment"},
		{"archive: postgres://u:s3cret@db.example/news?password=s3cret\n", "has a password twice"},
		{"archive: postgres://u:s3cret@db.example/news?sslpassword=s3cret\n", "sslpassword is not supported"},
		{"archive: postgres://u:s3cret@db.example/news?a=%zz\n", "has a malformed query"},
		{"archive: postgres:u:s3cret@db.example/news\n", "want postgres:// with two slashes"},
		{"archive: postgres://u:s3cret@db.example/news\narchive_password_file: pg.pass\n", "feeds.yaml:2: archive_password_file: the archive URL holds a password too"},
		{"archive: postgres://u@db.example/news\narchive_password_file: missing.pass\n", "feeds.yaml:2: archive_password_file: cannot read the password"},
		{"archive: herald.db\narchive_password_file: pg.pass\n", "feeds.yaml:2: archive_password_file: is for a PostgreSQL archive"},
	} {
		_, err := config.Parse([]byte(tt.yaml+"feeds:\n  - url: https://a.example/f\n"), path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error %q shows the password", err)
		}
	}
}

func TestSearchIndexKey(t *testing.T) {
	dir := t.TempDir()
	c, err := config.Parse([]byte("search_index: idx\nfeeds:\n  - url: https://a.example/f\n"), filepath.Join(dir, "feeds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.SearchIndex != filepath.Join(dir, "idx") {
		t.Errorf("search index %q, want %q", c.SearchIndex, filepath.Join(dir, "idx"))
	}
}

// FuzzSplitDSN holds SplitDSN to its promise for any input: no panic, and
// neither the shown URL nor an error holds the password it found.
func FuzzSplitDSN(f *testing.F) {
	for _, s := range []string{"postgres://u:pw@h:5432/db?sslmode=disable", "postgresql://u@h/db?password=pw", "postgres:///db?host=/tmp", "postgres://[::1]:5432/db"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		shown, pw, err := config.SplitDSN(dsn)
		if err != nil {
			return
		}
		if len(pw) >= 4 && strings.Contains(shown, string(pw)) {
			t.Errorf("SplitDSN(%q) shows the password: %q", dsn, shown)
		}
		again, pw2, err := config.SplitDSN(shown)
		if err != nil || pw2 != "" || again != shown {
			t.Errorf("SplitDSN(%q) = %q, which splits again into %q %q %v", dsn, shown, again, string(pw2), err)
		}
	})
}
