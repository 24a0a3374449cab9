package archive

import (
	"context"
	"slices"
	"testing"

	"herald"
)

// White-box: the change log follows every article write (ingest, a new
// source, update), and trimming keeps what comes after.
func TestChangeLog(t *testing.T) {
	db := openTest(t)
	l, err := db.Changes(0, 0)
	if err != nil || l.Last != 0 || len(l.IDs) != 0 {
		t.Fatalf("empty archive: %+v, %v", l, err)
	}
	ingest(t, db, "a",
		entry{guid: "1", url: "https://a.example/1", title: "one", text: longText("one"), published: t0},
		entry{guid: "2", url: "https://a.example/2", title: "two", text: longText("two"), published: t0})
	l, err = db.Changes(0, 0)
	if err != nil || l.Last != 2 || len(l.IDs) != 2 || l.Next != 2 {
		t.Fatalf("after ingest: %+v, %v", l, err)
	}
	first, second := l.IDs[0], l.IDs[1]
	// An unchanged entry writes nothing; a duplicate from another feed adds a
	// source, so a write.
	ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", title: "one", text: longText("one"), published: t0})
	ingest(t, db, "b", entry{guid: "x", url: "https://a.example/1", title: "one", text: longText("one"), published: t0})
	if err := db.Update(context.Background(), second, func(a *herald.Article) error { a.Title = "two, again"; return nil }); err != nil {
		t.Fatal(err)
	}
	l, err = db.Changes(2, 0)
	if err != nil || !slices.Equal(l.IDs, []string{first, second}) || l.Next != l.Last {
		t.Fatalf("after a new source and an update: %+v, %v", l, err)
	}
	// A bounded read stops early and says where to go on from.
	l, err = db.Changes(0, 1)
	if err != nil || !slices.Equal(l.IDs, []string{first}) || l.Next != 1 {
		t.Fatalf("bounded: %+v, %v", l, err)
	}
	if err := db.TrimChanges(2); err != nil {
		t.Fatal(err)
	}
	l, err = db.Changes(0, 0)
	if err != nil || l.Trimmed != 2 || !slices.Equal(l.IDs, []string{first, second}) {
		t.Fatalf("after trim: %+v, %v", l, err)
	}
	if n := countKeys(t, db, bucketChanges); n != int(l.Last-2) {
		t.Errorf("%d entries kept, want %d", n, l.Last-2)
	}
}
