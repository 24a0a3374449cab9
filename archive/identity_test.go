package archive_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/extract"
)

var day = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

func openDB(t testing.TB) *archive.DB {
	t.Helper()
	now := day
	db, err := archive.Open(archive.ArchivePath(t), archive.Options{
		NoSync: true, SanitizeHTML: extract.SanitizeHTML,
		Now: func() time.Time { now = now.Add(time.Second); return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// in is one feed entry for an Ingest.
type in struct {
	feed, guid, key, link, title, text, html, image, canonical string
}

func (e in) item() archive.Item {
	h := e.html
	if h == "" && e.text != "" {
		h = "<p>" + e.text + "</p>"
	}
	return archive.Item{
		Article: herald.Article{
			URL: e.link, Title: e.title, Text: e.text, HTML: h, Image: e.image, Published: day,
			Sources: []herald.Source{{Feed: e.feed, FeedURL: "https://" + e.feed + ".example/feed", GUID: e.guid, Key: e.key, Link: e.link}},
		},
		Canonical: e.canonical,
	}
}

func put(t testing.TB, db *archive.DB, entries ...in) archive.Result {
	t.Helper()
	items := make([]archive.Item, len(entries))
	for i, e := range entries {
		items[i] = e.item()
	}
	res, err := db.Ingest(context.Background(), herald.FeedState{Name: entries[0].feed}, items)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func articles(t testing.TB, db *archive.DB) []herald.Article {
	t.Helper()
	var out []herald.Article
	if err := db.Each(context.Background(), archive.Query{}, func(a herald.Article) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func export(t testing.TB, db *archive.DB) string {
	t.Helper()
	var b strings.Builder
	if _, err := db.Export(context.Background(), &b, archive.FormatJSONL, archive.Query{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func roundTrip(t testing.TB, db *archive.DB) (first, second string) {
	t.Helper()
	first = export(t, db)
	db2 := openDB(t)
	if _, err := db2.Import(context.Background(), strings.NewReader(first)); err != nil {
		t.Fatal(err)
	}
	return first, export(t, db2)
}

// A wire teaser of 170-199 letters under one title, carried by many feeds
// under their own URLs, is one article (issue 13, item 1).
func TestIdenticalTitleAndTeaserMerge(t *testing.T) {
	db := openDB(t)
	title := "Seoul and Tokyo agree to expand defence talks this year"
	teaser := "South Korea and Japan agreed on Tuesday to hold regular defence talks, officials said, after a year of strained ties."
	for i := range 5 {
		put(t, db, in{feed: fmt.Sprint("f", i), guid: "g", link: fmt.Sprintf("https://outlet%d.example/news/%d", i, i), title: title, text: teaser})
	}
	// The same teaser under another title, and a title with a one-line
	// text, stay apart.
	put(t, db, in{feed: "g1", guid: "g", link: "https://other.example/1", title: "Another headline for another story", text: teaser})
	put(t, db, in{feed: "g2", guid: "g", link: "https://other.example/2", title: title, text: "Read more."})
	put(t, db, in{feed: "g3", guid: "g", link: "https://other.example/3", title: title, text: "Read more."})
	got := articles(t, db)
	if len(got) != 4 || len(got[0].Sources)+len(got[1].Sources)+len(got[2].Sources)+len(got[3].Sources) != 8 {
		for _, a := range got {
			t.Logf("%s %q %d sources", a.URL, a.Title, len(a.Sources))
		}
		t.Fatalf("%d articles, want 4 (one with 5 sources)", len(got))
	}
}

// Two entries of one feed linking to one page with anchors stay two
// articles through export and import (item 3).
func TestImportKeepsSameFeedEntriesApart(t *testing.T) {
	db := openDB(t)
	put(t, db,
		in{feed: "blog", guid: "https://b.example/2026/12/07#post-1", link: "https://b.example/2026/12/07#post-1", title: "One", text: "first post"},
		in{feed: "blog", guid: "https://b.example/2026/12/07#post-2", link: "https://b.example/2026/12/07#post-2", title: "Two", text: "second post"},
	)
	first, second := roundTrip(t, db)
	if strings.Count(first, "\n") != 2 || first != second {
		t.Fatalf("export → import → export differs or lost articles:\n%s\n---\n%s", first, second)
	}
}

// A canonical URL that two pages declare does not merge an entry whose text
// is another article's (item 4).
func TestCanonicalURLDisagreeingWithTextDoesNotMerge(t *testing.T) {
	db := openDB(t)
	one := strings.Repeat("The first page tells of one thing and then another, at length. ", 6)
	two := strings.Repeat("The second page is about something else entirely, also at length. ", 6)
	put(t, db,
		in{feed: "a", guid: "1", link: "https://s.example/a?id=1", canonical: "https://s.example/a", title: "One", text: one},
		in{feed: "a", guid: "2", link: "https://s.example/a?id=2", canonical: "https://s.example/a", title: "Two", text: two},
	)
	put(t, db, in{feed: "b", guid: "x", link: "https://s.example/a?id=2", canonical: "https://s.example/a", title: "Two", text: two})
	// A third page declaring the same canonical URL, with a text of its own.
	put(t, db, in{feed: "c", guid: "y", link: "https://s.example/a?id=3", canonical: "https://s.example/a", title: "Three", text: strings.Repeat("A third text, unlike the others in every way that counts. ", 6)})
	for _, a := range articles(t, db) {
		var feeds []string
		for _, s := range a.Sources {
			feeds = append(feeds, s.Feed)
		}
		want := map[string]string{"One": "a", "Two": "a b", "Three": "c"}[a.Title]
		if got := strings.Join(feeds, " "); got != want {
			t.Errorf("%q has sources from %q, want %q", a.Title, got, want)
		}
	}
}

// Text typed with composed and decomposed accents is one text; marks tell
// words apart (item 5).
func TestUnicodeNormalisation(t *testing.T) {
	nfc, nfd := "Café naïve résumé", "Cafe\u0301 nai\u0308ve re\u0301sume\u0301"
	if herald.ContentHash(nfc) != herald.ContentHash(nfd) {
		t.Errorf("NFC and NFD hash differently")
	}
	if herald.NormalizeText("किम") == herald.NormalizeText("काम") {
		t.Errorf("Devanagari words that differ in a vowel sign normalise alike")
	}
	db := openDB(t)
	long := strings.Repeat("Le café du coin sert un résumé naïf de l'actualité. ", 6)
	put(t, db, in{feed: "a", guid: "1", link: "https://a.example/1", title: "A", text: long})
	put(t, db, in{feed: "b", guid: "1", link: "https://b.example/1", title: "B", text: strings.NewReplacer("é", "e\u0301", "ï", "i\u0308").Replace(long)})
	if n := len(articles(t, db)); n != 1 {
		t.Errorf("%d articles, want 1", n)
	}
}

// Import cleans what it is given exactly as ingest does (issue 12, finding
// 7), and ingest keeps no URL that is not http(s).
func TestImportAndIngestDistrustFields(t *testing.T) {
	db := openDB(t)
	put(t, db, in{feed: "evil", guid: "1", link: "javascript:alert(1)", image: "javascript:alert(2)", title: "x", text: "some text"})
	put(t, db, in{feed: "evil", guid: "2", link: "https://e.example/2", image: "data:text/html,<script>", title: "y", text: "more text"})
	line := `{"id":"i1","url":"javascript:alert(1)","title":"` + strings.Repeat("t", 5<<20) + `","published":"2026-12-07T09:00:00Z",` +
		`"text":"hello","html":"<p onclick=\"x()\">hello<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">l</a></p>",` +
		`"image":"javascript:alert(3)","tags":[],"sources":[{"feed":"f","feed_url":"javascript:1","guid":"g","link":"javascript:alert(4)","seen":"2026-12-07T09:00:00Z"}],` +
		`"content_hash":"bogus","extracted_by":"bogus"}`
	if _, err := db.Import(context.Background(), strings.NewReader(line)); err != nil {
		t.Fatal(err)
	}
	out := export(t, db)
	for _, bad := range []string{"javascript:", "data:", "<script", "onerror", "onclick", "bogus"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("export holds %q", bad)
		}
	}
	for _, a := range articles(t, db) {
		if a.ContentHash != herald.ContentHash(a.Text) {
			t.Errorf("%s: content hash %s not recomputed", a.ID, a.ContentHash)
		}
		if len(a.Title) > 4<<10 {
			t.Errorf("%s: title of %d bytes kept", a.ID, len(a.Title))
		}
		if !strings.HasPrefix(a.URL, "http") && !strings.HasPrefix(a.URL, "urn:herald:") {
			t.Errorf("%s: url %q", a.ID, a.URL)
		}
	}
	if _, second := roundTrip(t, db); second != out {
		t.Errorf("a cleaned archive does not round-trip:\n%s\n---\n%s", out, second)
	}
}

// TestRoundTripProperty builds random archives through ingest (repeated
// GUIDs, shared URLs, anchors, canonical links, several feeds, changed
// entries) and checks export → import into an empty archive → export is
// byte-identical.
func TestRoundTripProperty(t *testing.T) {
	runs := 40
	if testing.Short() {
		runs = 8
	}
	for seed := range runs {
		r := rand.New(rand.NewPCG(uint64(seed), 13))
		db := openDB(t)
		randomArchive(t, r, db)
		first, second := roundTrip(t, db)
		if first != second {
			t.Fatalf("seed %d: export → import → export differs:\n%s", seed, firstDiff(first, second))
		}
	}
}

func randomArchive(t *testing.T, r *rand.Rand, db *archive.DB) {
	texts := []string{
		"", "short", "Read more.",
		strings.Repeat("A wire story told at length across many words and sentences. ", 5),
		strings.Repeat("Another story entirely, with its own words in its own order. ", 5),
		"A one-line teaser that two outlets carry under one headline, word for word.",
		strings.Repeat("Cafe\u0301 ", 60), strings.Repeat("Café ", 60),
	}
	titles := []string{"", "Update", "Seoul and Tokyo agree to expand defence talks", "Another headline of some length"}
	links := []string{
		"https://s.example/a", "https://s.example/a#one", "https://s.example/a#two", "https://s.example/a?id=1",
		"https://s.example/a?id=2&utm_source=x", "http://S.example:80/b", "https://t.example/b", "", "javascript:void(0)",
		"https://s.example/2026/12/07#post-1", "https://s.example/2026/12/07#post-2",
	}
	feeds := []string{"f1", "f2", "f3"}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	for range 6 + r.IntN(10) {
		feed := pick(feeds)
		var items []archive.Item
		for range 1 + r.IntN(5) {
			e := in{feed: feed, guid: fmt.Sprint("g", r.IntN(6)), link: pick(links), title: pick(titles), text: pick(texts)}
			if r.IntN(4) == 0 {
				e.key = e.guid + " " + e.link
			}
			if r.IntN(3) == 0 {
				e.canonical = pick(links)
			}
			items = append(items, e.item())
		}
		if _, err := db.Ingest(context.Background(), herald.FeedState{Name: feed}, items); err != nil {
			t.Fatal(err)
		}
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n%s\n%s", i+1, x, y)
		}
	}
	return ""
}
