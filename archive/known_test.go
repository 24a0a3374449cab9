package archive

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"herald"
	"herald/archive/kv"
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

// toVersion2 rewrites db's index values as version 2 wrote them: bare ids,
// and entry hashes in the entries bucket (or nowhere, as version 1 kept
// none, when withEntries is false).
func toVersion2(t *testing.T, db *DB, withEntries bool) {
	t.Helper()
	toVersion3(t, db)
	err := db.store.Update(func(tx kv.Tx) error {
		var entries kv.Bucket
		if withEntries {
			var err error
			if entries, err = tx.CreateBucketIfNotExists(bucketEntries); err != nil {
				return err
			}
		}
		for _, name := range [][]byte{bucketByKey, bucketByURL, bucketByHash} {
			b := tx.Bucket(name)
			type kv struct{ k, id, hash []byte }
			var all []kv
			err := b.ForEach(func(k, v []byte) error {
				id, hash, legacy, err := splitID(v)
				if err != nil || legacy {
					return fmt.Errorf("%s %q: %q is not a version 3 value (%v)", name, k, v, err)
				}
				all = append(all, kv{bytes.Clone(k), []byte(id), bytes.Clone(hash)})
				return nil
			})
			if err != nil {
				return err
			}
			for _, e := range all {
				if err := b.Put(e.k, e.id); err != nil {
					return err
				}
				if len(e.hash) > 0 && entries != nil {
					if err := entries.Put(e.k, e.hash); err != nil {
						return err
					}
				}
			}
		}
		return tx.Bucket(bucketMeta).Put(metaVersion, []byte("2"))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A version 2 file answers Known from its entries bucket when opened
// read-only, also when an upgrade was cut short; opened for writing, it
// becomes version 3, with no entries bucket, and still knows every entry.
func TestVersion2Entries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	it := func(guid, hash string) Item {
		i := entry{feed: "f", guid: guid, url: "https://example.com/" + guid, text: longText(guid)}.item()
		i.EntryHash = hash
		return i
	}
	items := []Item{it("a", "h1"), it("b", ""), it("c", "h3"), it("d", "h4")}
	if _, err := db.Ingest(context.Background(), herald.FeedState{Name: "f"}, items); err != nil {
		t.Fatal(err)
	}
	// The entry e of another feed is a second source of a's article.
	dup := it("a", "h5")
	dup.Article.Sources[0].Feed, dup.Article.Sources[0].GUID = "g", "e"
	if _, err := db.Ingest(context.Background(), herald.FeedState{Name: "g"}, []Item{dup}); err != nil {
		t.Fatal(err)
	}
	toVersion2(t, db, true)
	refs := []EntryRef{{Key: "a", Hash: "h1"}, {Key: "a", Hash: "x"}, {Key: "b", Hash: "h2"}, {Key: "c", Hash: "h3"}, {Key: "d", Hash: "h4"}, {Key: "z", Hash: "h1"}}
	want := []Seen{SeenUnchanged, SeenInFeed, SeenInFeed, SeenUnchanged, SeenUnchanged, Unseen}
	known := func(db *DB, stage string) {
		t.Helper()
		got, err := db.Known("f", refs)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: Known = %v, want %v", stage, got, want)
		}
		if g, err := db.Known("g", []EntryRef{{Key: "e", Hash: "h5"}}); err != nil || g[0] != SeenUnchanged {
			t.Errorf("%s: Known(g) = %v, %v; want SeenUnchanged", stage, g, err)
		}
	}
	known(db, "version 2")
	// An upgrade cut short after one transaction of two entries.
	if err := db.store.Update(func(tx kv.Tx) error { _, err := moveEntries(tx, 2); return err }); err != nil {
		t.Fatal(err)
	}
	known(db, "half upgraded")
	db.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	known(ro, "half upgraded, read-only")
	ro.Close()

	db, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	known(db, "upgraded")
	var version string
	var entries bool
	db.store.View(func(tx kv.Tx) error {
		version, entries = string(tx.Bucket(bucketMeta).Get(metaVersion)), tx.Bucket(bucketEntries) != nil
		return nil
	})
	if version != strconv.Itoa(schemaVersion) || entries {
		t.Errorf("after the upgrade: version %q, entries bucket %v; want %d and none", version, entries, schemaVersion)
	}
	checkIndexes(t, db, true)
	// An unchanged entry is still unchanged, and a changed one updates.
	res, err := db.Ingest(context.Background(), herald.FeedState{Name: "f"}, []Item{it("c", "h3"), it("d", "h4b")})
	if err != nil || res.Unchanged != 2 {
		t.Errorf("ingest after the upgrade: %+v, %v; want 2 unchanged", res, err)
	}
	refs[4].Hash, want[4] = "h4b", SeenUnchanged
	known(db, "after an ingest")
}

// A file written before entry hashes were kept (version 1: bare ids, no
// entries bucket) opens read-only, and Known answers from its indexes alone.
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
	toVersion2(t, db, false)
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

// toVersion3 puts db's text claims back as version 3 kept them: by_hash,
// keyed by the text hashes of the articles that hold them, and no claim
// bucket or log.
func toVersion3(t *testing.T, db *DB) {
	t.Helper()
	err := db.store.Update(func(tx kv.Tx) error {
		claims := claimsOf(tx, db)
		byHash, err := tx.CreateBucketIfNotExists(bucketByHash)
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketArticles).ForEach(func(k, rec []byte) error {
			a, err := decodeRecord(rec)
			if err != nil {
				return err
			}
			if k := textClaim(a); k.ok && claims[k.fp] == a.ID {
				return byHash.Put(hashKey(a), appendID(nil, a.ID))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketTextClaims, bucketClaimLog} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(metaVersion, []byte("3"))
	})
	if err != nil {
		t.Fatal(err)
	}
	forgetClaims(db)
}
