package archive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
)

// buildQueryArchive archives 40 articles from three feeds, with tied dates,
// dates before 1970 and far outside the nanosecond range, and several zones.
// It returns them sorted oldest first by (Published, ID).
func buildQueryArchive(t *testing.T, db *DB) []herald.Article {
	t.Helper()
	seoul := time.FixedZone("KST", 9*3600)
	dates := []time.Time{
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 9, 0, 0, 0, seoul), // the same instant as the next
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	feeds := []string{"a", "b", "c"}
	for i := range 40 {
		pub := t0.Add(-time.Duration(i%17) * time.Hour).In(seoul)
		if i < len(dates) {
			pub = dates[i]
		}
		e := entry{
			guid: fmt.Sprint(i), url: fmt.Sprintf("https://x.example/%d", i), text: fmt.Sprint("text ", i),
			published: pub, tags: []string{fmt.Sprint("t", i%3)},
		}
		if i == 7 {
			e.published = time.Time{} // takes the time first seen
		}
		ingest(t, db, feeds[i%3], e)
	}
	// Some articles have a second source from another feed.
	ingest(t, db, "a", entry{guid: "x1", url: "https://x.example/1"}, entry{guid: "x2", url: "https://x.example/2"})

	list := all(t, db, Query{})
	want := slices.Clone(list)
	slices.SortFunc(want, func(x, y herald.Article) int {
		if c := x.Published.Compare(y.Published); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	if len(list) != 40 || !slices.Equal(ids(list), ids(want)) {
		t.Fatalf("Each order is not (published, id):\n%v\n%v", ids(list), ids(want))
	}
	return want
}

func filter(list []herald.Article, q Query) []herald.Article {
	var out []herald.Article
	for _, a := range list {
		if q.matches(&a) {
			out = append(out, a)
		}
	}
	return out
}

func TestRecentAndEach(t *testing.T) {
	db := openTest(t)
	oldest := buildQueryArchive(t, db)
	since, until := t0.Add(-10*time.Hour), t0.Add(-2*time.Hour)
	tests := []struct {
		name string
		q    Query
		n    int // expected count, to check the filter itself
	}{
		{"all", Query{}, 40},
		{"feed", Query{Feed: "a"}, 16}, // 14 own + 2 shared
		{"tag", Query{Tag: "t1"}, 13},
		{"feed and tag", Query{Feed: "b", Tag: "t1"}, 13},
		{"since", Query{Since: since}, -1},
		{"until", Query{Until: until}, -1},
		{"since and until", Query{Since: since, Until: until}, -1},
		{"feed since until", Query{Feed: "c", Since: since, Until: until}, -1},
		{"before 1970", Query{Until: time.Unix(0, 0)}, 2},
		{"after 2262", Query{Since: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)}, 1},
		{"unknown feed", Query{Feed: "zz"}, 0},
		{"unknown tag", Query{Tag: "zz"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := filter(oldest, tt.q)
			if tt.n >= 0 && len(want) != tt.n {
				t.Fatalf("%d articles match, want %d", len(want), tt.n)
			}
			if got := all(t, db, tt.q); !slices.Equal(ids(got), ids(want)) {
				t.Errorf("Each:\n got %v\nwant %v", ids(got), ids(want))
			}
			// Page through Recent, 7 at a time.
			newest := slices.Clone(want)
			slices.Reverse(newest)
			var got []herald.Article
			q := tt.q
			q.Limit = 7
			for page := 0; ; page++ {
				list, next, err := db.Recent(q)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) > 7 || (next != "" && len(list) != 7) {
					t.Fatalf("page %d: %d articles, next %q", page, len(list), next)
				}
				got = append(got, list...)
				if next == "" {
					break
				}
				if page > 10 {
					t.Fatal("no end")
				}
				q.Before = next
			}
			if !slices.Equal(ids(got), ids(newest)) {
				t.Errorf("Recent:\n got %v\nwant %v", ids(got), ids(newest))
			}
		})
	}
}

func TestRecentDefaultsAndLimits(t *testing.T) {
	db := openTest(t)
	oldest := buildQueryArchive(t, db)
	list, next, err := db.Recent(Query{Limit: 40})
	if err != nil || len(list) != 40 || next != "" {
		t.Errorf("exactly all: %d, next %q, %v", len(list), next, err)
	}
	list, next, err = db.Recent(Query{Limit: 39})
	if err != nil || len(list) != 39 || next == "" {
		t.Errorf("all but one: %d, next %q, %v", len(list), next, err)
	}
	if last, _, _ := db.Recent(Query{Before: next}); len(last) != 1 || last[0].ID != oldest[0].ID {
		t.Errorf("last page %v, want %s", ids(last), oldest[0].ID)
	}
	for _, bad := range []string{"!!", "AAAA", "%%%"} {
		if _, _, err := db.Recent(Query{Before: bad}); !errors.Is(err, ErrBadCursor) {
			t.Errorf("cursor %q: error %v", bad, err)
		}
	}
	if got := all(t, db, Query{Limit: 3}); !slices.Equal(ids(got), ids(oldest[:3])) {
		t.Errorf("Each limit: %v", ids(got))
	}
	empty := openTest(t)
	if list, next, err := empty.Recent(Query{}); len(list) != 0 || next != "" || err != nil {
		t.Errorf("empty archive: %v %q %v", list, next, err)
	}
}

// TestRecentCutByBytes pages through articles of very different sizes with
// a byte budget: each page stays within it (or holds one article), is cut
// only where the next article would not fit, and the cursors reach every
// article once, in order.
func TestRecentCutByBytes(t *testing.T) {
	db := openTest(t)
	sizes := []int{100, 3000, 9000, 200, 200, 200, 5000, 4999, 1, 12000, 300, 2500}
	for i, n := range sizes {
		ingest(t, db, "big", entry{
			guid: fmt.Sprint(i), url: fmt.Sprintf("https://x.example/%d", i),
			text:      fmt.Sprintf("article %d %s", i, strings.Repeat("x", n)),
			published: t0.Add(time.Duration(i) * time.Minute),
		})
	}
	weight := func(a herald.Article) int { return len(a.Title) + len(a.Summary) + len(a.Text) + len(a.HTML) }
	const budget = 10000
	newest := all(t, db, Query{})
	slices.Reverse(newest)
	for _, q := range []Query{{MaxBytes: budget, Limit: 500}, {MaxBytes: budget, Limit: 2, Feed: "big"}} {
		var got []herald.Article
		for page := 0; ; page++ {
			list, next, err := db.Recent(q)
			if err != nil {
				t.Fatal(err)
			}
			w := 0
			for _, a := range list {
				w += weight(a)
			}
			if len(list) == 0 || len(list) > q.Limit || (len(list) > 1 && w > budget) {
				t.Fatalf("%+v page %d: %d articles of %d bytes", q, page, len(list), w)
			}
			got = append(got, list...)
			if next == "" {
				break
			}
			if rest := newest[len(got)]; len(list) < q.Limit && w+weight(rest) <= budget {
				t.Fatalf("%+v page %d: cut at %d bytes though the next article (%d bytes) fits", q, page, w, weight(rest))
			}
			if page > len(sizes) {
				t.Fatal("no end")
			}
			q.Before = next
		}
		if !slices.Equal(ids(got), ids(newest)) {
			t.Errorf("%+v: paged\n %v\nwant\n %v", q, ids(got), ids(newest))
		}
	}
}

func TestEachStops(t *testing.T) {
	db := openTest(t)
	buildQueryArchive(t, db)
	stop := errors.New("stop")
	n := 0
	err := db.Each(context.Background(), Query{}, func(herald.Article) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("error %v after %d", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Each(ctx, Query{}, func(herald.Article) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestUpdateKeepsIndexes(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	res := ingest(t, db, "a",
		entry{guid: "1", url: "https://a.example/1", text: longText("before"), tags: []string{"old"}, published: t0},
		entry{guid: "2", url: "https://a.example/2", text: "other", published: t0.Add(time.Hour)},
	)
	id := res.IDs[0]
	_, n0 := db.LastChange()
	newPub := t0.Add(2 * time.Hour)
	err := db.Update(ctx, id, func(a *herald.Article) error {
		a.Text = longText("after")
		a.URL = "https://a.example/1-new"
		a.Tags = []string{"new", "new2", "new"}
		a.Published = newPub
		a.Sources = append(a.Sources, herald.Source{Feed: "z", GUID: "z1"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := db.Article(id)
	if a.ContentHash != herald.ContentHash(longText("after")) || !slices.Equal(a.Tags, []string{"new", "new2"}) {
		t.Errorf("updated article %+v", a)
	}
	if _, n := db.LastChange(); n != n0+1 {
		t.Errorf("change counter %d, want %d", n, n0+1)
	}
	check := func(name string, q Query, want ...string) {
		t.Helper()
		if got := ids(all(t, db, q)); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("by time", Query{}, res.IDs[1], id)
	check("old tag", Query{Tag: "old"})
	check("new tag", Query{Tag: "new2"}, id)
	check("new feed", Query{Feed: "z"}, id)
	check("old time", Query{Until: t0.Add(time.Minute)})
	r := ingest(t, db, "c",
		entry{guid: "1", url: "https://c.example/1", text: longText("before")}, // old text: free
		entry{guid: "2", url: "https://a.example/1"},                           // old URL: free
		entry{guid: "3", url: "https://a.example/1-new"},                       // new URL
		entry{guid: "4", url: "https://c.example/4", text: longText("after")},  // new text
	)
	// Entry 4 has the article's text, but the article has a source from this
	// feed already (entry 3): the feed says they are two entries.
	if r.New != 3 || r.IDs[2] != id || r.IDs[3] == id {
		t.Errorf("after update: %+v", r)
	}
	r = ingest(t, db, "z", entry{guid: "z1", url: "https://z.example/1", text: "t"})
	if r.IDs[0] != id || r.Updated != 1 {
		t.Errorf("source added by Update not indexed: %+v", r)
	}

	// Refused changes leave the article as it was.
	before, _ := db.Article(id)
	fail := errors.New("fail")
	for name, fn := range map[string]func(*herald.Article) error{
		"fn error":      func(a *herald.Article) error { a.Title = "x"; return fail },
		"id changed":    func(a *herald.Article) error { a.ID = "other"; return nil },
		"no sources":    func(a *herald.Article) error { a.Sources = nil; return nil },
		"taken source":  func(a *herald.Article) error { a.Sources[0].GUID = "2"; return nil },
		"NUL tag":       func(a *herald.Article) error { a.Tags = []string{"a\x00"}; return nil },
		"no url":        func(a *herald.Article) error { a.URL = " "; return nil },
		"bad feed name": func(a *herald.Article) error { a.Sources[0].Feed = ""; return nil },
	} {
		if err := db.Update(ctx, id, fn); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if after, _ := db.Article(id); !equalJSON(t, before, after) {
		t.Errorf("failed updates changed the article")
	}
	if err := db.Update(ctx, "nope", func(*herald.Article) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	_, n1 := db.LastChange()
	if err := db.Update(ctx, id, func(*herald.Article) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, n := db.LastChange(); n != n1 {
		t.Error("a no-op update counted as a change")
	}
}

func equalJSON(t *testing.T, a, b herald.Article) bool {
	t.Helper()
	da, err := encodeArticle(&a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := encodeArticle(&b)
	if err != nil {
		t.Fatal(err)
	}
	return string(da) == string(db)
}

// A zone whose offset has seconds (local mean time) cannot survive RFC
// 3339; the index must be keyed by the instant actually stored.
func TestOddZoneKeepsIndexConsistent(t *testing.T) {
	db := openTest(t)
	lmt := time.FixedZone("LMT", 8*3600+27*60+52)
	pub := time.Date(1900, 1, 1, 0, 0, 0, 0, lmt)
	res := ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", text: "x", published: pub, tags: []string{"t"}})
	// Updating rewrites the index entries from the stored article; stale
	// keys would show up as duplicates or missing entries.
	ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", text: "y"})
	err := db.Update(context.Background(), res.IDs[0], func(a *herald.Article) error {
		a.Published = time.Date(1890, 1, 1, 0, 0, 0, 0, lmt)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{{}, {Feed: "a"}, {Tag: "t"}} {
		if got := all(t, db, q); len(got) != 1 {
			t.Errorf("%+v: %d articles", q, len(got))
		}
	}
	var keys int
	for _, b := range [][]byte{bucketByTime, bucketByFeed, bucketByTag} {
		keys += countKeys(t, db, b)
	}
	if keys != 3 {
		t.Errorf("%d time index keys, want 3", keys)
	}
}
