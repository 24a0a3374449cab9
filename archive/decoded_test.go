package archive

import (
	"context"
	"testing"

	"herald"
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
	if len(db.decoded.items) != 1 {
		t.Errorf("%d articles cached, want 1", len(db.decoded.items))
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
	small := newDecodedCache(2)
	for i := range 5 {
		rec := storeRecord([]byte(`{"id":"` + string(rune('a'+i)) + `","url":"u"}`))
		if a, err := small.article(string(rune('a'+i)), rec); err != nil || a.ID != string(rune('a'+i)) {
			t.Fatalf("article %d: %+v, %v", i, a, err)
		}
		if len(small.items) > 2 {
			t.Fatalf("%d cached, bound 2", len(small.items))
		}
	}
	if _, err := small.article("bad", []byte{recordS2, 0xff}); err == nil {
		t.Error("a corrupt record decoded")
	}
}
