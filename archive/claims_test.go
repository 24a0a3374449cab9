package archive

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"herald"
	"herald/archive/kv"
)

// Text claims settle once the log holds limit of them: text_claims then
// holds them, the log is empty, and the next limit follows its size.
func TestClaimsSettleAtLimit(t *testing.T) {
	bboltOnly(t, "the claim log")
	db := openTest(t)
	var entries []entry
	for i := range 6 {
		entries = append(entries, entry{guid: fmt.Sprint(i), url: fmt.Sprint("https://a.example/", i), text: longText(fmt.Sprint(i))})
	}
	db.claims.limit = 5
	ingest(t, db, "a", entries[:4]...) // 4 claims: below the limit
	if n := db.claims.recent.len(); n != 4 {
		t.Fatalf("%d claims in memory after 4 articles, want 4", n)
	}
	ingest(t, db, "a", entries[4:]...) // 6: settles
	db.commits.waitCommits()
	if n := db.claims.recent.len(); n != 0 {
		t.Errorf("%d claims in memory after settling, want 0", n)
	}
	if n := countKeys(t, db, bucketClaimLog); n != 0 {
		t.Errorf("%d records in the claim log after settling, want 0", n)
	}
	if n := countKeys(t, db, bucketTextClaims); n != 6 {
		t.Errorf("text_claims holds %d claims, want 6", n)
	}
	if db.claims.limit != minRecent {
		t.Errorf("limit %d after settling a small archive, want %d", db.claims.limit, minRecent)
	}
	checkIndexes(t, db, true)
	// The settled claims still deduplicate, through both paths of dedupe.
	res := ingest(t, db, "b", entry{guid: "x", url: "https://a.example/1?utm_source=b"}, entry{guid: "y", url: "https://b.example/2", text: longText("2")})
	if res.Duplicate != 2 {
		t.Errorf("after settling: %+v, want 2 duplicates", res)
	}
	db = reopen(t, db)
	if db.claims.limit != minRecent {
		t.Errorf("limit %d after reopening, want %d", db.claims.limit, minRecent)
	}
}

// A write that fails leaves no claim behind, in memory or in the log.
func TestFailedWriteClaimsNothing(t *testing.T) {
	db := openTest(t)
	boom := errors.New("boom")
	text := herald.Article{Text: longText("One")}
	text.ContentHash = herald.ContentHash(text.Text)
	err := db.commit(func(tx kv.Tx, texts *claimView) error {
		w := newWriteTx(tx, texts, t0)
		if err := w.texts.claim(textClaim(&text), "x"); err != nil {
			return err
		}
		if w.texts.owner(textClaim(&text)) != "x" {
			t.Error("a claim is not seen by its own transaction")
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("commit: %v, want boom", err)
	}
	if n := db.claims.recent.len(); n != 0 {
		t.Errorf("%d claims in memory after a failed write", n)
	}
	if n := countKeys(t, db, bucketClaimLog); n != 0 {
		t.Errorf("%d records in the claim log after a failed write", n)
	}
	if res := ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", text: longText("One")}); res.New != 1 {
		t.Errorf("ingest after a failed write: %+v, want 1 new", res)
	}
}

// An item looked up in the settled claims before a settling that claims
// its text is looked up again in its write: here a settling happens
// between the look and the write.
func TestSettledLookupGoesStale(t *testing.T) {
	bboltOnly(t, "the claim log")
	db := openTest(t)
	ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", text: longText("One")})
	p, err := db.prepare(entry{feed: "b", guid: "2", url: "https://b.example/1", text: longText("One")}.item(), t0)
	if err != nil {
		t.Fatal(err)
	}
	items := []item{p}
	if err := db.lookSettled(items); err != nil {
		t.Fatal(err)
	}
	if !items[0].settled.ok || items[0].settled.owner != "" {
		t.Fatalf("settled claims %+v, want none found", items[0].settled)
	}
	settleNow(t, db)
	var got string
	err = db.commit(func(tx kv.Tx, texts *claimView) error {
		w := newWriteTx(tx, texts, t0)
		got = w.texts.ownerOf(p.text, items[0].settled)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got == "" {
		t.Error("a lookup made before a settling was trusted after it")
	}
}

// A version 3 file keeps its text claims in by_hash. It reads as before;
// opened for writing, even after an upgrade cut short, its claims move to
// text_claims, and it exports and deduplicates as before.
func TestVersion3Claims(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, db, "a",
		entry{guid: "1", url: "https://a.example/1", text: longText("One")},
		entry{guid: "2", url: "https://a.example/2", text: longText("Two")},
		entry{guid: "3", url: "https://a.example/3"})
	settleNow(t, db)
	ingest(t, db, "a", entry{guid: "4", url: "https://a.example/4", text: longText("Four")})
	want := exportString(t, db, FormatJSONL)
	toVersion3(t, db)
	refs := []EntryRef{{Key: "x", URL: "https://a.example/2#top"}, {Key: "y", URL: "https://a.example/4"}, {Key: "z", URL: "https://a.example/5"}}
	known := func(db *DB, stage string) {
		t.Helper()
		got, err := db.Known("b", refs)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		if fmt.Sprint(got) != fmt.Sprint([]Seen{SeenElsewhere, SeenElsewhere, Unseen}) {
			t.Errorf("%s: Known = %v", stage, got)
		}
	}
	known(db, "version 3")
	// An upgrade cut short: part of the text claims, and a stray one.
	err = db.store.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketTextClaims)
		if err != nil {
			return err
		}
		k := keyOf([]byte(herald.ContentHash(longText("Nine"))))
		return b.Put(k.fp[:], appendID(nil, "stray"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	if got := readOnlyExport(t, path); got != want {
		t.Errorf("version 3 export differs:\n got %s\nwant %s", got, want)
	}

	db, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version string
	var old bool
	db.store.View(func(tx kv.Tx) error {
		version = string(tx.Bucket(bucketMeta).Get(metaVersion))
		old = tx.Bucket(bucketByHash) != nil
		return nil
	})
	if version != strconv.Itoa(schemaVersion) || old {
		t.Errorf("after the upgrade: version %q, by_hash %v; want %d and none", version, old, schemaVersion)
	}
	checkIndexes(t, db, true)
	known(db, "upgraded")
	if got := exportString(t, db, FormatJSONL); got != want {
		t.Errorf("upgraded export differs:\n got %s\nwant %s", got, want)
	}
	res := ingest(t, db, "b",
		entry{guid: "x", url: "https://a.example/3?utm_source=b"},
		entry{guid: "y", url: "https://b.example/one", text: longText("One")},
		entry{guid: "z", url: "https://b.example/nine", text: longText("Nine")})
	if res.Duplicate != 2 || res.New != 1 {
		t.Errorf("ingest after the upgrade: %+v, want 2 duplicates and 1 new", res)
	}
	checkIndexes(t, db, true)
}
