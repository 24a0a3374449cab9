package archive

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"herald"

	bolt "go.etcd.io/bbolt"
)

func TestKnown(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "k.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seen := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	a := herald.Article{
		URL: "https://example.com/story?id=1", Title: "t", Text: "text",
		Sources: []herald.Source{{Feed: "f", GUID: "g1", Link: "https://example.com/story?id=1&utm_source=x", Seen: seen}},
	}
	if _, err := db.Ingest(context.Background(), herald.FeedState{Name: "f"}, []Item{{Article: a}}); err != nil {
		t.Fatal(err)
	}
	refs := []EntryRef{
		{Key: "g1", URL: "https://example.com/other"},
		{Key: "g2", URL: "http://EXAMPLE.com/story?utm_medium=y&id=1"},
		{Key: "g3", URL: "https://example.com/new"},
	}
	got, err := db.Known("f", refs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Seen{SeenInFeed, SeenElsewhere, Unseen}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("refs[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	other, _ := db.Known("other-feed", refs[:1])
	if other[0] != Unseen {
		t.Errorf("another feed's key counted as seen: %v", other[0])
	}
}

func TestKnownUnchanged(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	it := func(guid, text, hash string) Item {
		i := entry{feed: "f", guid: guid, url: "https://example.com/" + guid, text: text}.item()
		i.EntryHash = hash
		return i
	}
	if _, err := db.Ingest(ctx, herald.FeedState{Name: "f"}, []Item{it("a", "A", "h1"), it("b", "B", ""), it("c", "C", "h3")}); err != nil {
		t.Fatal(err)
	}
	// c changes: its new hash is recorded with its update.
	res, err := db.Ingest(ctx, herald.FeedState{Name: "f"}, []Item{it("c", "C2", "h3b")})
	if err != nil || res.Updated != 1 {
		t.Fatalf("update: %+v, %v", res, err)
	}
	refs := []EntryRef{
		{Key: "a", Hash: "h1"},  // as archived
		{Key: "a", Hash: "h1x"}, // changed since
		{Key: "a"},              // no hash given
		{Key: "b", Hash: "h2"},  // archived without a hash
		{Key: "c", Hash: "h3"},  // the old hash
		{Key: "c", Hash: "h3b"}, // the new one
		{Key: "d", Hash: "h1"},  // never archived
	}
	want := []Seen{SeenUnchanged, SeenInFeed, SeenInFeed, SeenInFeed, SeenInFeed, SeenUnchanged, Unseen}
	got, err := db.Known("f", refs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("refs[%d] %+v = %v, want %v", i, refs[i], got[i], want[i])
		}
	}
	if other, _ := db.Known("g", refs[:1]); other[0] != Unseen {
		t.Errorf("another feed's entry counted as seen: %v", other[0])
	}
}

// A file written before the entries bucket existed opens read-only, and
// Known answers from its indexes alone.
func TestKnownWithoutEntriesBucket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	it := entry{feed: "f", guid: "a", url: "https://example.com/a", text: "A"}.item()
	it.EntryHash = "h"
	if _, err := db.Ingest(context.Background(), herald.FeedState{Name: "f"}, []Item{it}); err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketEntries) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a file without entries: %v", err)
	}
	defer ro.Close()
	got, err := ro.Known("f", []EntryRef{{Key: "a", Hash: "h"}})
	if err != nil || got[0] != SeenInFeed {
		t.Errorf("Known = %v, %v; want SeenInFeed", got, err)
	}
}
