package archive

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive/kv"
	"herald/extract"
	"herald/internal/pgtest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a test clock that moves one second a call.
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	c.t = c.t.Add(time.Second)
	return c.t
}

// testEngine is the engine the tests' archives are on: "bbolt", or
// "postgres" (a fresh database from internal/pgtest for each archive) when
// HERALD_ARCHIVE_ENGINE says so. TestMain runs the suite again on
// PostgreSQL (see bench_test.go).
var testEngine = cmp.Or(os.Getenv(engineEnv), "bbolt")

const engineEnv = "HERALD_ARCHIVE_ENGINE"

// testPath is where a test's new archive is: a file in a fresh folder, or
// a fresh database.
func testPath(t testing.TB) string {
	t.Helper()
	if testEngine == "postgres" {
		return pgtest.DB(t)
	}
	return filepath.Join(t.TempDir(), "herald.db")
}

// ArchivePath is testPath for the package's outside tests (archive_test).
var ArchivePath = testPath

// bboltOnly skips, on another engine, a test of what only a bbolt
// archive has (damage, salvage, backup, file checks, the claim log).
func bboltOnly(t testing.TB, what string) {
	t.Helper()
	if testEngine != "bbolt" {
		t.Skipf("%s: a bbolt archive's only, not run on %s", what, testEngine)
	}
}

func openTest(t testing.TB) *DB {
	t.Helper()
	c := &clock{t: t0}
	db, err := Open(testPath(t), Options{Now: c.now, NoSync: true, SanitizeHTML: extract.SanitizeHTML})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// longText is a text long enough to identify an article by its hash.
func longText(seed string) string {
	return strings.Repeat(seed+" is a story told at length, with enough words to count. ", 8)
}

type entry struct {
	feed, guid, key, url, title, text string
	published                         time.Time
	tags                              []string
}

func (e entry) item() Item {
	return Item{Article: herald.Article{
		URL:       e.url,
		Title:     e.title,
		Text:      e.text,
		HTML:      "<p>" + e.text + "</p>",
		Published: e.published,
		Tags:      e.tags,
		Sources: []herald.Source{{
			Feed: e.feed, FeedURL: "https://" + e.feed + ".example/feed.xml",
			GUID: e.guid, Key: e.key, Link: e.url,
		}},
	}}
}

func ingest(t testing.TB, db *DB, feed string, entries ...entry) Result {
	t.Helper()
	items := make([]Item, len(entries))
	for i, e := range entries {
		if e.feed == "" {
			e.feed = feed
		}
		items[i] = e.item()
	}
	res, err := db.Ingest(context.Background(), herald.FeedState{Name: feed, URL: "https://" + feed + ".example/feed.xml"}, items)
	if err != nil {
		t.Fatalf("ingest %s: %v", feed, err)
	}
	return res
}

func all(t testing.TB, db *DB, q Query) []herald.Article {
	t.Helper()
	var out []herald.Article
	if err := db.Each(context.Background(), q, func(a herald.Article) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func ids(list []herald.Article) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.ID
	}
	return out
}

func (r Result) counts() [4]int { return [4]int{r.New, r.Updated, r.Duplicate, r.Unchanged} }

func exportString(t testing.TB, db *DB, format string) string {
	t.Helper()
	var b strings.Builder
	if _, err := db.Export(context.Background(), &b, format, Query{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// readOnlyExport opens the archive at path read-only, as an older file is
// read before anything upgrades it, and returns its jsonl export.
func readOnlyExport(t testing.TB, path string) string {
	t.Helper()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	return exportString(t, ro, FormatJSONL)
}

func countKeys(t testing.TB, db *DB, bucket []byte) int {
	t.Helper()
	n := 0
	db.store.View(func(tx kv.Tx) error {
		n = keyCount(tx.Bucket(bucket))
		return nil
	})
	return n
}
