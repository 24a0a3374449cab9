package archive

import (
	"context"
	"testing"

	"herald"
	"herald/internal/memo"
)

// TestRecentDecodedCache: Recent serves decoded articles from its cache,
// yet an article changed since is read afresh, and what a caller does to
// the articles it got does not reach the next caller.
func TestRecentDecodedCache(t *testing.T) {
	db := openTest(t)
	res := ingest(t, db, "kh", entry{guid: "1", url: "https://x.example/1", title: "First", text: "one", tags: []string{"news"}})
	id := res.IDs[0]
	list, _, err := db.Recent(Query{})
	if err != nil || len(list) != 1 {
		t.Fatalf("%v, %v", list, err)
	}
	list[0].Title = "Scribbled"
	list[0].Tags[0] = "scribbled"
	list[0].Sources[0].Feed = "scribbled"
	again, _, _ := db.Recent(Query{})
	if a := again[0]; a.Title != "First" || a.Tags[0] != "news" || a.Sources[0].Feed != "kh" {
		t.Errorf("a caller's change reached the cache: %+v", a)
	}
	if n := db.decoded.Len(); n != 1 {
		t.Errorf("%d articles kept decoded, want 1", n)
	}
	err = db.Update(context.Background(), id, func(a *herald.Article) error {
		a.Title = "Corrected"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if list, _, _ := db.Recent(Query{}); list[0].Title != "Corrected" {
		t.Errorf("after an update Recent gives %q", list[0].Title)
	}
	small := memo.New[*herald.Article](2)
	for i := range 5 {
		rec := storeRecord([]byte(`{"id":"` + string(rune('a'+i)) + `","url":"u"}`))
		if a, err := decodedArticle(small, string(rune('a'+i)), rec); err != nil || a.ID != string(rune('a'+i)) {
			t.Fatalf("article %d: %+v, %v", i, a, err)
		}
		if small.Len() > 2 {
			t.Fatalf("%d kept, bound 2", small.Len())
		}
	}
	if _, err := decodedArticle(small, "bad", []byte{recordS2, 0xff}); err == nil {
		t.Error("a corrupt record decoded")
	}
}
