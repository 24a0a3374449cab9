package archive

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
)

func TestDedupe(t *testing.T) {
	text := longText("wire")
	type poll struct {
		feed    string
		entries []entry
		want    Result // counts only
	}
	tests := []struct {
		name        string
		polls       []poll
		wantSources []int // sources of each archived article, oldest first
	}{
		{
			name: "same guid in the same feed, unchanged",
			polls: []poll{
				{"a", []entry{{guid: "1", url: "https://a.example/1", text: "hello"}}, Result{New: 1}},
				{"a", []entry{{guid: "1", url: "https://a.example/1", text: "hello"}}, Result{Unchanged: 1}},
				{"a", []entry{{guid: "1", url: "https://a.example/1", text: "Hello!"}}, Result{Unchanged: 1}}, // same normalised text
				{"a", []entry{{guid: "1", url: "https://a.example/1", text: ""}}, Result{Unchanged: 1}},
			},
			wantSources: []int{1},
		},
		{
			name: "same guid in the same feed, new text",
			polls: []poll{
				{"a", []entry{{guid: "1", url: "https://a.example/1", text: "first"}}, Result{New: 1}},
				{"a", []entry{{guid: "1", url: "https://a.example/1", text: "second"}}, Result{Updated: 1}},
			},
			wantSources: []int{1},
		},
		{
			name: "same guid in another feed is not rule 1",
			polls: []poll{
				{"a", []entry{{guid: "1", url: "https://a.example/1", text: "x"}}, Result{New: 1}},
				{"b", []entry{{guid: "1", url: "https://b.example/1", text: "y"}}, Result{New: 1}},
			},
			wantSources: []int{1, 1},
		},
		{
			name: "same URL under two feeds, tracking and form differ",
			polls: []poll{
				{"a", []entry{{guid: "a1", url: "https://news.example/story?id=7&page=2", text: "one"}}, Result{New: 1}},
				{"b", []entry{{guid: "b1", url: "http://NEWS.example:80/story?page=2&id=7&utm_source=rss&fbclid=x#comments", text: "two"}}, Result{Duplicate: 1}},
				{"c", []entry{{guid: "c1", url: "https://news.example/story?utm_medium=feed&id=7&gclid=1&page=2", text: ""}}, Result{Duplicate: 1}},
			},
			wantSources: []int{3},
		},
		{
			name: "same long text under two URLs",
			polls: []poll{
				{"a", []entry{{guid: "a1", url: "https://a.example/wire-1", text: text}}, Result{New: 1}},
				{"b", []entry{{guid: "b1", url: "https://b.example/other-path", text: strings.ToUpper(text) + "!!"}}, Result{Duplicate: 1}},
			},
			wantSources: []int{2},
		},
		{
			name: "short texts and title-only entries are not merged by hash",
			polls: []poll{
				{"a", []entry{{guid: "a1", url: "https://a.example/1", title: "Breaking", text: "Subscribe to read."}}, Result{New: 1}},
				{"b", []entry{{guid: "b1", url: "https://b.example/2", title: "Other", text: "Subscribe to read."}}, Result{New: 1}},
				{"c", []entry{{guid: "c1", url: "https://c.example/3", title: "Only a title"}, {guid: "c2", url: "https://c.example/4", title: "Only a title"}}, Result{New: 2}},
			},
			wantSources: []int{1, 1, 1, 1},
		},
		{
			name: "a repeated guid with a different key is not merged",
			polls: []poll{
				{"a", []entry{
					{guid: "same", key: "same https://a.example/1", url: "https://a.example/1", text: "one"},
					{guid: "same", key: "same https://a.example/2", url: "https://a.example/2", text: "two"},
				}, Result{New: 2}},
				{"a", []entry{{guid: "same", key: "same https://a.example/2", url: "https://a.example/2", text: "two"}}, Result{Unchanged: 1}},
			},
			wantSources: []int{1, 1},
		},
		{
			name: "earlier items of a batch count",
			polls: []poll{
				{"a", []entry{
					{guid: "1", url: "https://a.example/x?utm_source=a", text: "one"},
					{guid: "2", url: "https://a.example/x", text: "one"},
					{guid: "1", url: "https://a.example/x", text: "one"},
				}, Result{New: 2, Unchanged: 1}}, // 2 is another entry of the feed: not merged by URL
			},
			wantSources: []int{1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			for i, p := range tt.polls {
				got := ingest(t, db, p.feed, p.entries...)
				if len(got.IDs) != len(p.entries) {
					t.Fatalf("poll %d: %d ids for %d items", i, len(got.IDs), len(p.entries))
				}
				if got.counts() != p.want.counts() {
					t.Errorf("poll %d: got %+v, want %+v", i, got, p.want)
				}
			}
			var sources []int
			for _, a := range all(t, db, Query{}) {
				sources = append(sources, len(a.Sources))
			}
			if !slices.Equal(sources, tt.wantSources) {
				t.Errorf("sources per article: got %v, want %v", sources, tt.wantSources)
			}
		})
	}
}

func TestIngestNewArticle(t *testing.T) {
	db := openTest(t)
	res := ingest(t, db, "kh", entry{
		guid: "g1", url: "HTTPS://Example.com/a?b=2&utm_source=x&a=1#top", title: "T",
		text: "Body", tags: []string{"news", "korea", "news", ""},
	})
	a, err := db.Article(res.IDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := articleID("kh", "g1", "https://example.com/a?a=1&b=2", time.Time{}); a.ID != want {
		t.Errorf("id %s, want %s", a.ID, want)
	}
	if a.URL != "https://example.com/a?a=1&b=2" {
		t.Errorf("url %q not canonical", a.URL)
	}
	if !slices.Equal(a.Tags, []string{"korea", "news"}) {
		t.Errorf("tags %q", a.Tags)
	}
	if a.ContentHash != herald.ContentHash("Body") {
		t.Errorf("content hash %s", a.ContentHash)
	}
	if a.ExtractedBy != herald.ExtractedByFeed {
		t.Errorf("extracted_by %q", a.ExtractedBy)
	}
	seen := a.Sources[0].Seen
	if seen.IsZero() || !a.Published.Equal(seen) {
		t.Errorf("no-date entry: published %v, seen %v; want published = seen", a.Published, seen)
	}
	// The date stays the first-seen time on later polls.
	ingest(t, db, "kh", entry{guid: "g1", url: "https://example.com/a?a=1&b=2", text: "Body changed"})
	b, _ := db.Article(a.ID)
	if !b.Published.Equal(a.Published) || b.Text != "Body changed" {
		t.Errorf("after update: published %v (want %v), text %q", b.Published, a.Published, b.Text)
	}
}

func TestIngestUpdate(t *testing.T) {
	db := openTest(t)
	pub := time.Date(2024, 5, 1, 9, 0, 0, 0, time.FixedZone("", 9*3600))
	res := ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", title: "Old", text: longText("old"), published: pub, tags: []string{"t"}})
	ingest(t, db, "b", entry{guid: "9", url: "https://b.example/9", text: "other"})
	id := res.IDs[0]

	upd := entry{feed: "a", guid: "1", url: "https://a.example/1-moved", title: "New", text: longText("new"), published: pub}.item()
	upd.Article.Updated = pub.Add(time.Hour)
	upd.Article.ExtractedBy = herald.ExtractedBySiteRule
	upd.Page = &Page{URL: "https://a.example/1-moved", Body: []byte("<html>new</html>")}
	r, err := db.Ingest(context.Background(), herald.FeedState{Name: "a"}, []Item{upd})
	if err != nil {
		t.Fatal(err)
	}
	if r.Updated != 1 || r.IDs[0] != id {
		t.Fatalf("result %+v, want one update of %s", r, id)
	}
	a, _ := db.Article(id)
	if a.Title != "New" || a.Text != longText("new") || a.URL != "https://a.example/1-moved" ||
		a.ExtractedBy != herald.ExtractedBySiteRule || !a.Updated.Equal(pub.Add(time.Hour)) ||
		a.ContentHash != herald.ContentHash(longText("new")) {
		t.Errorf("not updated: %+v", a)
	}
	if p, err := db.Page(id); err != nil || string(p.Body) != "<html>new</html>" {
		t.Errorf("page %v, %v", p, err)
	}
	// The hash and URL indexes moved: the old text and URL are free, the new
	// ones lead to the article.
	r = ingest(t, db, "c",
		entry{guid: "c1", url: "https://c.example/old-copy", text: longText("old")},
		entry{guid: "c2", url: "https://c.example/new-copy", text: longText("new")},
		entry{guid: "c3", url: "https://a.example/1", text: "x"},
	)
	if r.New != 2 || r.Duplicate != 1 || r.IDs[1] != id {
		t.Errorf("after update: %+v (article %s)", r, id)
	}
	// Another feed, since feed c is a source of the article now.
	if r = ingest(t, db, "d", entry{guid: "d4", url: "http://a.example/1-moved", text: "y"}); r.Duplicate != 1 || r.IDs[0] != id {
		t.Errorf("moved URL: %+v (article %s)", r, id)
	}
	// An update to a URL another article holds keeps the old URL.
	ingest(t, db, "a", entry{guid: "1", url: "https://b.example/9", text: "third"})
	if a, _ := db.Article(id); a.URL != "https://a.example/1-moved" || a.Text != "third" {
		t.Errorf("url %q text %q", a.URL, a.Text)
	}
	// Updated defaults to now.
	if a, _ := db.Article(id); !a.Updated.After(t0) {
		t.Errorf("updated %v", a.Updated)
	}
}

func TestIngestErrorsLeaveArchiveAsBefore(t *testing.T) {
	db := openTest(t)
	ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", text: "one"})
	before := exportString(t, db, FormatJSONL)
	_, n0 := db.LastChange()

	good := entry{feed: "a", guid: "2", url: "https://a.example/2", text: "two"}.item()
	tests := []struct {
		name  string
		state herald.FeedState
		items []Item
		want  string
	}{
		{"no feed name", herald.FeedState{}, []Item{good}, "no feed name"},
		{"two sources", herald.FeedState{Name: "a"}, []Item{good, {Article: herald.Article{URL: "u", Sources: make([]herald.Source, 2)}}}, "item 1: has 2 sources"},
		{"no sources", herald.FeedState{Name: "a"}, []Item{{Article: herald.Article{URL: "u"}}}, "has 0 sources"},
		{"no guid", herald.FeedState{Name: "a"}, []Item{{Article: herald.Article{Sources: []herald.Source{{Feed: "a"}}}}}, "no guid"},
		{"NUL in feed", herald.FeedState{Name: "a"}, []Item{entry{feed: "a\x00b", guid: "1"}.item()}, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Ingest(context.Background(), tt.state, tt.items)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := db.Ingest(ctx, herald.FeedState{Name: "a"}, []Item{good})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v", err)
		}
	})
	if after := exportString(t, db, FormatJSONL); after != before {
		t.Errorf("archive changed by failed ingests:\n%s\n%s", before, after)
	}
	if _, n := db.LastChange(); n != n0 {
		t.Errorf("change counter moved from %d to %d", n0, n)
	}
	if _, ok, _ := db.FeedState(""); ok {
		t.Error("feed state stored")
	}
}

func TestLastChange(t *testing.T) {
	db := openTest(t)
	if at, n := db.LastChange(); !at.IsZero() || n != 0 {
		t.Fatalf("new archive: %v %d", at, n)
	}
	ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", text: "one"})
	at1, n1 := db.LastChange()
	ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", text: "one"}) // unchanged
	if at, n := db.LastChange(); n != n1 || !at.Equal(at1) {
		t.Errorf("an unchanged poll moved the counter: %d -> %d", n1, n)
	}
	if err := db.SaveFeedState(context.Background(), herald.FeedState{Name: "a", ErrorCount: 1}); err != nil {
		t.Fatal(err)
	}
	if _, n := db.LastChange(); n != n1 {
		t.Errorf("a feed state moved the counter")
	}
	ingest(t, db, "b", entry{guid: "1", url: "https://a.example/1"}) // duplicate: one more source
	if at, n := db.LastChange(); n != n1+1 || !at.After(at1) {
		t.Errorf("duplicate: counter %d at %v, want %d after %v", n, at, n1+1, at1)
	}
}

func TestIngestWithoutLink(t *testing.T) {
	db := openTest(t)
	res := ingest(t, db, "a",
		entry{guid: "no link", text: "one"},
		entry{guid: "no link 2", text: "two"},
	)
	if res.New != 2 {
		t.Fatalf("result %+v", res)
	}
	a, _ := db.Article(res.IDs[0])
	if a.URL != "urn:herald:a:no%20link" {
		t.Errorf("url %q", a.URL)
	}
	out := exportString(t, db, FormatJSONL)
	again := openTest(t)
	if _, err := again.Import(context.Background(), strings.NewReader(out)); err != nil {
		t.Fatal(err)
	}
	if exportString(t, again, FormatJSONL) != out {
		t.Error("round trip differs")
	}
}

// A feed's entries with different keys stay apart even when they share a
// URL (a day page with each post an anchor) or a text; other feeds merge.
func TestSameFeedDistinctKeysStayApart(t *testing.T) {
	db := openTest(t)
	r := ingest(t, db, "blog",
		entry{guid: "p1", url: "https://blog.example/2006/01/03.html#p1", text: longText("one")},
		entry{guid: "p2", url: "https://blog.example/2006/01/03.html#p2", text: longText("two")},
		entry{guid: "p3", url: "https://blog.example/other", text: longText("one")},
	)
	if r.New != 3 {
		t.Errorf("same feed: %+v, want 3 new", r)
	}
	r = ingest(t, db, "planet", entry{guid: "x", url: "https://blog.example/2006/01/03.html", text: "short"})
	if r.Duplicate != 1 {
		t.Errorf("another feed: %+v, want a duplicate", r)
	}
}

// TestArticleIDOrder: a feed's ids are reproducible, sort by the entry's
// date within the feed (so that new articles append to the articles
// bucket), and differ between feeds, entries and URLs.
func TestArticleIDOrder(t *testing.T) {
	day := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	a := articleID("kh", "g1", "https://example.com/1", day)
	if again := articleID("kh", "g1", "https://example.com/1", day); again != a {
		t.Errorf("id not reproducible: %s, then %s", a, again)
	}
	later := articleID("kh", "g0", "https://example.com/0", day.Add(time.Second))
	if later <= a {
		t.Errorf("later entry's id %s sorts before %s", later, a)
	}
	if a[:8] != later[:8] {
		t.Errorf("ids of one feed %s and %s do not share the feed's prefix", a, later)
	}
	others := []string{
		articleID("other", "g1", "https://example.com/1", day),
		articleID("kh", "g2", "https://example.com/1", day),
		articleID("kh", "g1", "https://example.com/2", day),
	}
	for _, o := range others {
		if o == a {
			t.Errorf("id %s shared by different entries", a)
		}
	}
	for _, tm := range []time.Time{{}, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if id := articleID("kh", "g1", "u", tm); len(id) != 32 {
			t.Errorf("%v: id %q", tm, id)
		}
	}
	if articleID("kh", "g1", "u", time.Time{})[8:16] != "00000000" {
		t.Error("an undated entry's id does not carry time zero")
	}
}

// TestIngestIDTakenByImport covers the path where the id prepare foresaw
// for a new article is already held (by an imported article): the new
// article is built afresh under the next free id, and both articles stay
// whole.
func TestIngestIDTakenByImport(t *testing.T) {
	db := openTest(t)
	u := "https://example.com/story"
	taken := articleID("kh", "g1", u, time.Time{})
	imported := herald.Article{
		ID: taken, URL: "https://other.example/x", Title: "Imported", Text: "Old body",
		Published: t0, Sources: []herald.Source{{Feed: "old", GUID: "o1", Seen: t0}},
	}
	line, err := encodeArticle(&imported)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(context.Background(), strings.NewReader(string(line)+"\n")); err != nil {
		t.Fatal(err)
	}
	it := entry{feed: "kh", guid: "g1", url: u, title: "New", text: "New body"}.item()
	it.EntryHash = "h1"
	res, err := db.Ingest(context.Background(), herald.FeedState{Name: "kh"}, []Item{it})
	if err != nil || res.New != 1 || res.IDs[0] == taken {
		t.Fatalf("result %+v, %v: want one new article with an id other than %s", res, err, taken)
	}
	if seen, err := db.Known("kh", []EntryRef{{Key: "g1", Hash: "h1"}}); err != nil || seen[0] != SeenUnchanged {
		t.Errorf("Known = %v, %v; want the entry hash kept (SeenUnchanged)", seen, err)
	}
	a, err := db.Article(res.IDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "New" || a.URL != u || a.Published.IsZero() || !a.Published.Equal(a.Sources[0].Seen) {
		t.Errorf("new article %+v", a)
	}
	old, err := db.Article(taken)
	if err != nil || old.Title != "Imported" {
		t.Errorf("imported article %+v, %v", old, err)
	}
	// The article built in the transaction and one built by prepare are
	// stored alike: export is their encoding, line by line.
	for _, line := range strings.Split(strings.TrimSpace(exportString(t, db, FormatJSONL)), "\n") {
		a, err := decodeArticle([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := encodeArticle(a); string(again) != line {
			t.Errorf("stored %s\nre-encoded %s", line, again)
		}
	}
}
