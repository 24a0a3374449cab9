package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/search"
)

// dated is an archive of n articles, article i published i minutes after
// t0 and ingested in a shuffled order (so that the index's order is not
// the dates'), each with the word "common", "even" on even i, "rare" on
// every 97th; and its index.
func dated(t *testing.T, n int) (*archive.DB, *search.Index) {
	t.Helper()
	db, err := archive.Open(filepath.Join(t.TempDir(), "herald.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	order := rand.New(rand.NewPCG(3, 4)).Perm(n)
	for at := 0; at < n; at += 250 {
		var items []archive.Item
		for _, i := range order[at:min(at+250, n)] {
			text := "common story"
			if i%2 == 0 {
				text += " even"
			}
			if i%97 == 0 {
				text += " rare"
			}
			u := fmt.Sprintf("https://dated.example/%d", i)
			items = append(items, archive.Item{Article: herald.Article{
				URL: u, Title: fmt.Sprint("story ", i), Text: text, Published: t0.Add(time.Duration(i) * time.Minute),
				Sources: []herald.Source{{Feed: "dated", FeedURL: "https://dated.example/feed", GUID: u, Link: u}},
			}})
		}
		if _, err := db.Ingest(context.Background(), herald.FeedState{Name: "dated"}, items); err != nil {
			t.Fatal(err)
		}
	}
	return db, openIndex(t, db)
}

// In date order a search of a word most articles hold stops at a window
// of the newest, and gives exactly the page the whole archive would.
func TestDateOrderWindowIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("short: archives 6,500 articles")
	}
	const n = 6500
	db, ix := dated(t, n)
	t.Run("relevance", func(t *testing.T) { relevanceWindow(t, ix, n) })
	matches := func(keep func(i int) bool, until int) []string {
		var out []string
		for i := until - 1; i >= 0; i-- {
			if keep(i) {
				out = append(out, fmt.Sprint("story ", i))
			}
		}
		return out
	}
	all := func(int) bool { return true }
	for _, tt := range []struct {
		q             string
		offset, until int
		keep          func(int) bool
		window        bool // the search should stop at a window
	}{
		{"common", 0, n, all, true},
		{"common", 380, n, all, true},
		{"even", 40, n, func(i int) bool { return i%2 == 0 }, true},
		{"rare", 0, n, func(i int) bool { return i%97 == 0 }, true},
		{"rare", 50, n, func(i int) bool { return i%97 == 0 }, false},
		{"common", 0, 1000, all, true},
		{"story -even", 10, 2001, func(i int) bool { return i%2 == 1 }, true},
	} {
		name := fmt.Sprintf("%s/offset=%d/until=%d", tt.q, tt.offset, tt.until)
		r := search.Request{Query: mustParse(t, tt.q), Limit: 20, Offset: tt.offset, ByDate: true}
		if tt.until < n {
			r.Until = t0.Add(time.Duration(tt.until) * time.Minute)
		}
		res, err := ix.Search(context.Background(), r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, h := range res.Hits {
			a, err := db.Article(h.ID)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, a.Title)
		}
		want := matches(tt.keep, tt.until)
		total := uint64(len(want))
		want = want[min(tt.offset, len(want)):min(tt.offset+20, len(want))]
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
		if res.AtLeast != tt.window {
			t.Errorf("%s: AtLeast %v, want %v", name, res.AtLeast, tt.window)
		}
		switch {
		case res.AtLeast && (res.Total <= uint64(tt.offset+20) || res.Total > total):
			t.Errorf("%s: total %d of a window, want more than the page's end %d and at most %d", name, res.Total, tt.offset+20, total)
		case !res.AtLeast && res.Total != total:
			t.Errorf("%s: total %d, want %d", name, res.Total, total)
		}
	}
}

// relevanceWindow: a relevance-ordered search of a word every article
// holds ranks a window of at least 4,000 of the newest, and a date bound
// that every article meets changes no score (the range scores nothing).
func relevanceWindow(t *testing.T, ix *search.Index, n int) {
	r := search.Request{Query: mustParse(t, "even"), Limit: 50}
	res, err := ix.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 50 || res.Total > uint64(n/2) {
		t.Fatalf("%d hits of %d, want 50 of at most %d", len(res.Hits), res.Total, n/2)
	}
	r.Since = t0
	bounded, err := ix.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Hits, bounded.Hits) {
		t.Errorf("since the first article's date: hits %v, want %v", bounded.Hits[:3], res.Hits[:3])
	}
	res, err = ix.Search(context.Background(), search.Request{Query: mustParse(t, "common"), Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if !res.AtLeast || res.Total < 4000 || res.Total >= uint64(n) || len(res.Hits) != 20 {
		t.Errorf("common: %d hits of %d (at least: %v), want 20 of a window of 4,000 or more", len(res.Hits), res.Total, res.AtLeast)
	}
}
