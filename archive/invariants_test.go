package archive

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"herald"
	"herald/archive/kv"
)

// checkIndexes verifies the invariants of db.go's layout comment: every
// index holds exactly the entries the stored articles call for. With
// complete, every URL and text that some article has is also mapped, which
// holds until an update releases a key another article shares (that
// article is not indexed under it: the first claimant keeps a key).
func checkIndexes(t *testing.T, db *DB, complete bool) {
	t.Helper()
	// What verify checks of them, it finds sound.
	db.store.View(func(tx kv.Tx) error {
		var ps problems
		if verifyIndexes(tx, &ps); len(ps.list) > 0 {
			t.Fatalf("verify: %v", ps.done())
		}
		return nil
	})
	err := db.store.View(func(tx kv.Tx) error {
		want := map[string]map[string]string{ // bucket -> key -> value
			"by_key": {}, "by_time": {}, "by_feed": {}, "by_tag": {},
		}
		type claimant struct {
			url  []byte
			hash claimKey
		}
		claims := map[string]claimant{}
		err := tx.Bucket(bucketArticles).ForEach(func(k, rec []byte) error {
			a, err := decodeRecord(rec)
			if err != nil {
				return fmt.Errorf("article %s: %w", k, err)
			}
			if a.ID != string(k) {
				return fmt.Errorf("article stored under %s has id %s", k, a.ID)
			}
			for _, s := range a.Sources {
				sk := string(sourceKey(s))
				if o, ok := want["by_key"][sk]; ok {
					return fmt.Errorf("source %q in articles %s and %s", sk, o, a.ID)
				}
				want["by_key"][sk] = a.ID
				want["by_feed"][string(timeIDKey(feedPrefix(s.Feed), a.Published, a.ID))] = ""
			}
			want["by_time"][string(timeIDKey("", a.Published, a.ID))] = ""
			for _, tag := range a.Tags {
				want["by_tag"][string(timeIDKey(tagPrefix(tag), a.Published, a.ID))] = ""
			}
			claims[a.ID] = claimant{urlKey(a.URL), textClaim(a)}
			return nil
		})
		if err != nil {
			return err
		}
		for name, keys := range want {
			got := map[string]string{}
			tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				got[string(k)] = valueID(v)
				return nil
			})
			if !maps.Equal(got, keys) {
				return fmt.Errorf("%s holds %d keys, articles call for %d:\n got %q\nwant %q", name, len(got), len(keys), slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(keys)))
			}
		}
		// by_url and the text claims map a key to an article that has it,
		// and a key some article has is mapped (to the first that claimed
		// it).
		byURL := tx.Bucket(bucketByURL)
		err = byURL.ForEach(func(k, v []byte) error {
			if c, ok := claims[valueID(v)]; !ok || string(c.url) != string(k) {
				return fmt.Errorf("by_url maps %q to %s, which does not have it", k, v)
			}
			return nil
		})
		if err != nil {
			return err
		}
		texts := claimsOf(tx, db)
		for fp, id := range texts {
			if c, ok := claims[id]; !ok || c.hash != (claimKey{fp, true}) {
				return fmt.Errorf("text claims map %x to %s, which does not have it", fp, id)
			}
		}
		for id, c := range claims {
			if complete && c.url != nil && byURL.Get(c.url) == nil {
				return fmt.Errorf("by_url: %q of article %s is not indexed", c.url, id)
			}
			if complete && c.hash.ok && texts[c.hash.fp] == "" {
				return fmt.Errorf("text claims: %x of article %s is not claimed", c.hash.fp, id)
			}
		}
		// The log holds what memory does.
		logged := claimState{}
		logged.init()
		if err := logged.load(tx); err != nil {
			return err
		}
		if got, want := logged.recent.all(), db.claims.recent.all(); !maps.Equal(got, want) {
			return fmt.Errorf("claim log holds %d claims, memory %d", len(got), len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// forgetClaims empties db's memory of the claim log, after a test has
// changed the file under it.
func forgetClaims(db *DB) {
	s := &db.claims
	s.write.Lock()
	defer s.write.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
}

// all returns the claims of s.
func (s *claimSet) all() map[fingerprint]string {
	m := map[fingerprint]string{}
	for i := range s.sorted {
		m[s.sorted[i].fp] = s.value(&s.sorted[i])
	}
	maps.Copy(m, s.fresh)
	return m
}

// settleNow settles db's recent claims, whatever their number.
func settleNow(t *testing.T, db *DB) {
	t.Helper()
	db.claims.write.Lock()
	defer db.claims.write.Unlock()
	if err := db.settle(); err != nil {
		t.Fatal(err)
	}
}

// settleBucketNow writes the recent claims into text_claims and stops
// there, as a settling cut short by a crash.
func settleBucketNow(t *testing.T, db *DB) {
	t.Helper()
	db.claims.write.Lock()
	defer db.claims.write.Unlock()
	if _, err := db.settleBucket(); err != nil {
		t.Fatal(err)
	}
}

// reopen closes db and opens its file again.
func reopen(t *testing.T, db *DB) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	n, err := Open(db.Path(), Options{Now: db.now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// claimsOf returns the text claims as tx and db's memory see them:
// text_claims, overlaid with the claim log.
func claimsOf(tx kv.Tx, db *DB) map[fingerprint]string {
	got := map[fingerprint]string{}
	tx.Bucket(bucketTextClaims).ForEach(func(k, v []byte) error {
		got[fingerprint(k)] = valueID(v)
		return nil
	})
	for fp, v := range db.claims.recent.all() {
		if v == "" {
			delete(got, fp)
		} else {
			got[fp] = valueID([]byte(v))
		}
	}
	return got
}

// TestIngestKeepsIndexes ingests random polls from several feeds that
// share URLs and texts, with imports mixed in; after every step the indexes
// match the articles exactly. In the first half every entry is new, so
// every URL and text some article has is claimed; in the second, entries
// come back corrected and articles are updated, which may release a claim
// that another article shared (the first claimant keeps a key).
func TestIngestKeepsIndexes(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { testIngestKeepsIndexes(t, seed) })
	}
}

func testIngestKeepsIndexes(t *testing.T, seed uint64) {
	db := openTest(t)
	r := rand.New(rand.NewPCG(seed, 4))
	feeds := []string{"a", "b", "c"}
	texts := []string{"", "short", longText("One"), longText("Two"), longText("Three")}
	const steps = 60
	for step := range steps {
		changes := step >= steps/2
		if step%10 == 9 {
			a := herald.Article{
				ID: fmt.Sprintf("%032x", step), URL: fmt.Sprintf("https://shared.example/%d", r.IntN(8)),
				Title: "Imported", Text: texts[r.IntN(len(texts))], Published: t0.Add(time.Duration(step) * time.Hour),
				Tags:    []string{"imported"},
				Sources: []herald.Source{{Feed: "old", GUID: fmt.Sprint("old", step), Seen: t0}},
			}
			line, _ := encodeArticle(&a)
			if _, err := db.Import(context.Background(), bytesReader(line)); err != nil {
				t.Fatal(err)
			}
			checkIndexes(t, db, !changes)
			continue
		}
		feed := feeds[r.IntN(len(feeds))]
		var entries []entry
		for i := range 1 + r.IntN(6) {
			guid := fmt.Sprint("g", step, "-", i)
			if changes {
				guid = fmt.Sprint("g", r.IntN(12))
			}
			e := entry{
				guid: guid, url: fmt.Sprintf("https://shared.example/%d?utm_source=%s", r.IntN(8), feed),
				title: "T " + guid, text: texts[r.IntN(len(texts))], tags: []string{feed, "news"},
			}
			if r.IntN(3) > 0 {
				e.published = t0.Add(time.Duration(r.IntN(100)) * time.Hour)
			}
			entries = append(entries, e)
		}
		ingest(t, db, feed, entries...)
		checkIndexes(t, db, !changes)
		switch r.IntN(8) {
		case 0: // the claims settle
			settleNow(t, db)
			checkIndexes(t, db, !changes)
		case 1: // a settling cut short: the claims are in their bucket, and still in the log
			settleBucketNow(t, db)
			checkIndexes(t, db, !changes)
		case 2: // the log is read back
			db = reopen(t, db)
			checkIndexes(t, db, !changes)
		}
		if changes && step%7 == 6 {
			list := all(t, db, Query{})
			id := list[r.IntN(len(list))].ID
			err := db.Update(context.Background(), id, func(a *herald.Article) error {
				a.Text = texts[r.IntN(len(texts))] + " (corrected)"
				a.URL = fmt.Sprintf("https://shared.example/%d", r.IntN(8))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			checkIndexes(t, db, false)
		}
	}
	if n := len(all(t, db, Query{})); n < 10 {
		t.Errorf("only %d articles: the test did not exercise much", n)
	}
}

func bytesReader(line []byte) *bytes.Reader { return bytes.NewReader(append(line, '\n')) }
