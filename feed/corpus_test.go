package feed

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald"
)

const corpusDir = "../../shared/corpus/feeds"

func needCorpus(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("feed corpus not found at %s (the shared directory sits beside the repository): %v", corpusDir, err)
	}
}

// parseWithDeadline runs Parse in a goroutine so that a hang fails the test
// instead of stalling it, and turns a panic into a failure.
func parseWithDeadline(t *testing.T, name string, body []byte, contentType string) (*herald.Document, error) {
	t.Helper()
	type result struct {
		doc   *herald.Document
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: p}
			}
		}()
		doc, err := ParseAt(body, contentType, "https://example.org/feeds/"+filepath.Base(name), corpusNow)
		done <- result{doc: doc, err: err}
	}()
	select {
	case r := <-done:
		if r.panic != nil {
			t.Fatalf("%s: Parse panicked: %v", name, r.panic)
		}
		return r.doc, r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: Parse did not return within 20s", name)
		return nil, nil
	}
}

// corpusNow is a fixed poll time so that date bounds do not drift.
var corpusNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type expectation struct {
	path     string
	entries  int
	bozo     bool
	title    string
	nonempty int
}

func readExpected(t *testing.T) []expectation {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, "EXPECTED.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var out []expectation
	for _, line := range lines[1:] {
		row := strings.Split(line, "\t")
		if len(row) < 6 {
			t.Fatalf("EXPECTED.tsv: short row %q", row)
		}
		n, _ := strconv.Atoi(row[1])
		ne, _ := strconv.Atoi(row[5])
		out = append(out, expectation{path: row[0], entries: n, bozo: row[2] == "1", title: row[4], nonempty: ne})
	}
	return out
}

// fewerEntries lists the well-formed captures where feedparser counts more
// entries than there are stories, with the reason. Keep it short.
var fewerEntries = map[string]string{}

func TestCorpusExpected(t *testing.T) {
	needCorpus(t)
	rows := readExpected(t)
	var checked, titled, matched, bozo int
	var mismatches []string
	for _, x := range rows {
		body, err := os.ReadFile(filepath.Join(corpusDir, x.path))
		if err != nil {
			t.Errorf("%s: %v", x.path, err)
			continue
		}
		doc, err := parseWithDeadline(t, x.path, body, "")
		if x.bozo {
			bozo++
			if err != nil {
				t.Logf("flagged by feedparser, error here: %s: %v", x.path, err)
			} else {
				t.Logf("flagged by feedparser, parsed here: %s: %d entries (feedparser %d) %q", x.path, len(doc.Entries), x.nonempty, doc.Warnings)
			}
			switch {
			case err != nil && strings.TrimSpace(err.Error()) == "":
				t.Errorf("%s: empty error message", x.path)
			case err == nil && len(doc.Entries) == 0 && x.nonempty > 0:
				t.Errorf("%s: parsed without error but no entries (feedparser found %d)", x.path, x.nonempty)
			}
			continue
		}
		checked++
		if err != nil {
			t.Errorf("%s: %v", x.path, err)
			continue
		}
		if len(doc.Entries) < x.nonempty {
			if reason, ok := fewerEntries[x.path]; ok {
				t.Logf("%s: %d entries, feedparser %d (%s)", x.path, len(doc.Entries), x.nonempty, reason)
			} else {
				t.Errorf("%s: %d entries, feedparser found %d non-empty", x.path, len(doc.Entries), x.nonempty)
			}
		}
		if len(doc.Entries) == 0 {
			continue
		}
		titled++
		if got := foldSpace(doc.Entries[0].Title); sameTitle(got, x.title) {
			matched++
		} else {
			mismatches = append(mismatches, fmt.Sprintf("%s:\n\tgot  %q\n\twant %q", x.path, got, x.title))
		}
	}
	rate := float64(matched) / float64(max(titled, 1))
	t.Logf("%d files flagged by feedparser; well-formed files: %d; first titles matching feedparser: %d/%d (%.1f%%)", bozo, checked, matched, titled, 100*rate)
	if rate < 0.90 {
		t.Errorf("first-title match rate %.1f%% < 90%%; mismatches:\n%s", 100*rate, strings.Join(mismatches, "\n"))
	} else if testing.Verbose() {
		t.Logf("mismatches:\n%s", strings.Join(mismatches, "\n"))
	}
}

func TestCorpusAllFiles(t *testing.T) {
	needCorpus(t)
	var ok, failed, files int
	reasons := map[string]int{}
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "LICENSES" {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Dir(path) == corpusDir {
			return nil // MANIFEST.tsv, README.md and the like
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if _, err := parseWithDeadline(t, path, body, ""); err != nil {
			failed++
			msg := err.Error()
			if i := strings.IndexAny(msg, ":;"); i > 0 {
				msg = msg[:i]
			}
			reasons[msg]++
		} else {
			ok++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files: %d parsed, %d errors", files, ok, failed)
	for r, n := range reasons {
		t.Logf("  %4d  %s", n, r)
	}
	if files < 5000 {
		t.Errorf("walked only %d files; is the corpus complete?", files)
	}
}

// sameTitle compares a title with feedparser's, which EXPECTED.tsv cuts at
// 120 characters.
func sameTitle(got, want string) bool {
	if got == foldSpace(want) {
		return true
	}
	return len([]rune(want)) >= 120 && strings.HasPrefix(got, want)
}
