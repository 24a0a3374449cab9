package archive

import (
	"path/filepath"
	"strings"
	"testing"

	"herald"
	"herald/archive/kv"
	"herald/archive/kv/boltkv"

	bolt "go.etcd.io/bbolt"
)

// White-box: a file whose hashes and claims were made by version 4's rules
// (no NFC, marks dropped, no titled claims) is brought up to date on open.
func TestRehashOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	nfd := strings.Repeat("Le cafe\u0301 du coin sert un re\u0301sume\u0301 de l'actualite\u0301. ", 6)
	teaser := "A one-line teaser that two outlets carry under one headline, word for word."
	title := "Seoul and Tokyo agree to expand defence talks"
	ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", title: "A", text: nfd})
	ingest(t, db, "a", entry{guid: "2", url: "https://a.example/2", title: title, text: teaser})
	db.Close()
	// Make it look written by version 4: the old hash, no claims but the
	// old rule's, no identity mark.
	oldHash := "0000000000000000000000000000000000000000000000000000000000000000"
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = boltkv.New(bdb).Update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketArticles)
		var id []byte
		b.ForEach(func(k, v []byte) error {
			a, _ := decodeRecord(v)
			if a.Title == "A" {
				id = append(id, k...)
			}
			return nil
		})
		a, err := getArticle(b, string(id))
		if err != nil {
			return err
		}
		a.ContentHash = oldHash
		data, _ := encodeArticle(a)
		if err := b.Put(id, storeRecord(data)); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketTextClaims, bucketClaimLog} {
			tx.DeleteBucket(name)
			tx.CreateBucketIfNotExists(name)
		}
		tx.Bucket(bucketMeta).Put(metaVersion, []byte("4"))
		return tx.Bucket(bucketMeta).Delete(metaIdentity)
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, a := range all(t, db, Query{}) {
		if a.ContentHash != herald.ContentHash(a.Text) {
			t.Errorf("%q: hash %s not recomputed", a.Title, a.ContentHash)
		}
	}
	// The rebuilt claims find both articles again: the NFC text and the
	// title with its teaser, from other feeds.
	ingest(t, db, "b", entry{guid: "1", url: "https://b.example/1", title: "B", text: strings.Repeat("Le café du coin sert un résumé de l'actualité. ", 6)})
	ingest(t, db, "b", entry{guid: "2", url: "https://b.example/2", title: title, text: teaser})
	if n := len(all(t, db, Query{})); n != 2 {
		t.Errorf("%d articles after the upgrade and two copies, want 2", n)
	}
}
