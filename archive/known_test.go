package archive

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"herald"
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
