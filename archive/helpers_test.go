package archive

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive/kv"
	"herald/extract"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a test clock that moves one second a call.
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	c.t = c.t.Add(time.Second)
	return c.t
}

func openTest(t testing.TB) *DB {
	t.Helper()
	c := &clock{t: t0}
	db, err := Open(filepath.Join(t.TempDir(), "herald.db"), Options{Now: c.now, NoSync: true, SanitizeHTML: extract.SanitizeHTML})
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
