package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/search"
)

// The search index is where search_index: or --search-index put it, and
// beside the archive otherwise; --db naming another archive does not take
// the config's index, which is that of the config's archive.
func TestSearchIndexPlace(t *testing.T) {
	dir := t.TempDir()
	seedArchive(t, filepath.Join(dir, "herald.db"))
	seedArchive(t, filepath.Join(dir, "other.db"))
	cfg := writeFile(t, dir, "feeds.yaml", "search_index: idx\nfeeds:\n  - url: https://wire.example/feed\n    name: wire\n")
	for _, tt := range []struct {
		args []string
		dir  string
	}{
		{[]string{"reindex"}, filepath.Join(dir, "idx")},
		{[]string{"--search-index", filepath.Join(dir, "flag"), "reindex"}, filepath.Join(dir, "flag")},
		{[]string{"--db", filepath.Join(dir, "other.db"), "reindex"}, search.PathFor(filepath.Join(dir, "other.db"))},
	} {
		code, out, errOut := runCLI(t, append([]string{"-c", cfg}, tt.args...)...)
		if code != 0 || !strings.Contains(out, "indexed 50 articles") || !strings.Contains(out, tt.dir) {
			t.Errorf("%v: exit %d: %s%s", tt.args, code, out, errOut)
		}
		if _, err := os.Stat(tt.dir); err != nil {
			t.Errorf("%v: no index at %s: %v", tt.args, tt.dir, err)
		}
	}
	if _, err := os.Stat(search.PathFor(filepath.Join(dir, "herald.db"))); err == nil {
		t.Errorf("an index beside the archive although search_index: names another place")
	}
	code, out, errOut := runCLI(t, "-c", cfg, "search", "topic7")
	if code != 0 || !strings.Contains(out, "Wire topic7") {
		t.Errorf("search with search_index: exit %d: %s%s", code, out, errOut)
	}
}
