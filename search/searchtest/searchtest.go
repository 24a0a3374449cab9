// Package searchtest is the conformance suite of search engines: the
// queries, filters, orders and catch-up rules every engine (the bleve index
// beside a bbolt file, PostgreSQL's text search) must give alike. Only
// tests import it.
package searchtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/search"
)

// Engine makes what a test needs: a new, empty archive, closed when the
// test ends, and the index of an archive, opened anew at each call (a test
// closes it and opens it again, as after a crash).
type Engine struct {
	Archive func(t testing.TB) *archive.DB
	Open    func(t testing.TB, db *archive.DB) search.Follower
}

// Run runs the suite against e.
func Run(t *testing.T, e Engine) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, Engine)
	}{
		{"Finds", testFinds},
		{"FiltersAndOrder", testFiltersAndOrder},
		{"FollowsArchive", testFollowsArchive},
		{"Phrases", testPhrases},
		{"Rebuild", testRebuild},
		{"Apostrophes", testApostrophes},
		{"DateOrderWindowIsExact", testDateOrderWindow},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, e) })
	}
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Doc is an article of the fixture.
type Doc struct {
	feed, url, title, byline, site, text string
	tags                                 []string
	published                            time.Time
}

// Docs are the fixture's articles: English, Korean, Japanese and Chinese
// news, with bylines, site names, tags and dates.
var Docs = []Doc{
	{feed: "herald", url: "https://www.koreaherald.com/view.php?ud=1", title: "S. Korea, Japan to boost defense ties this year",
		byline: "KH디지털2", site: "The Korea Herald", tags: []string{"korea"}, published: t0,
		text: "Seoul and Tokyo agreed on Wednesday to expand military exchanges and share intelligence on missile launches."},
	{feed: "yonhap", url: "https://www.yna.co.kr/view/2", title: "윤 대통령, 국무회의 주재", site: "연합뉴스",
		tags: []string{"korea", "politics"}, published: t0.Add(time.Hour),
		text: "대통령은 오늘 국무회의를 주재하고 경제 정책에 대해 논의했다. 정부는 물가 안정을 최우선 과제로 삼았다."},
	{feed: "nhk", url: "https://www3.nhk.or.jp/news/3", title: "東京で桜が開花", published: t0.Add(2 * time.Hour),
		text: "気象庁は東京都心で桜が開花したと発表しました。平年より五日早い開花です。クリスマスまで咲くことはない。"},
	{feed: "xinhua", url: "https://www.news.cn/4", title: "北京举行科技展览", published: t0.Add(3 * time.Hour),
		text: "北京今天举行了大型科技展览，展示了人工智能和新能源汽车的最新成果。"},
	{feed: "wire", url: "https://wire.example/5", title: "Markets rally on rate hopes", byline: "Jane Roe",
		tags: []string{"business"}, published: t0.Add(4 * time.Hour),
		text: "Stocks rose sharply as investors bet that the central bank would cut interest rates. Seoul's market rose too."},
	{feed: "wire", url: "https://wire.example/6", title: "Storm closes schools", published: t0.Add(5 * time.Hour),
		text: "A winter storm closed schools across the region; the defense of the levees held."},
}

func (d Doc) item(i int) archive.Item {
	return archive.Item{Article: herald.Article{
		URL: d.url, Title: d.title, Byline: d.byline, SiteName: d.site, Text: d.text,
		HTML: "<p>" + d.text + "</p>", Published: d.published, Tags: d.tags,
		Sources: []herald.Source{{Feed: d.feed, FeedURL: "https://" + d.feed + ".example/feed", GUID: fmt.Sprint(i), Link: d.url}},
	}}
}

// Fixture is an archive holding Docs and its index, caught up.
type Fixture struct {
	DB  *archive.DB
	Ix  search.Follower
	IDs map[string]string // title -> id
	e   Engine
}

// NewFixture makes e's archive, ingests Docs and opens its index.
func NewFixture(t testing.TB, e Engine) *Fixture {
	t.Helper()
	f := &Fixture{DB: e.Archive(t), IDs: map[string]string{}, e: e}
	for i, d := range Docs {
		f.Ingest(t, d, i)
	}
	f.Ix = f.OpenIndex(t)
	return f
}

// Ingest archives d as the i-th item of its feed.
func (f *Fixture) Ingest(t testing.TB, d Doc, i int) {
	t.Helper()
	res, err := f.DB.Ingest(context.Background(), herald.FeedState{Name: d.feed}, []archive.Item{d.item(i)})
	if err != nil {
		t.Fatal(err)
	}
	f.IDs[d.title] = res.IDs[0]
}

// OpenIndex opens the index and catches it up.
func (f *Fixture) OpenIndex(t testing.TB) search.Follower {
	t.Helper()
	ix := f.e.Open(t, f.DB)
	if _, err := ix.CatchUp(context.Background(), f.DB); err != nil {
		t.Fatal(err)
	}
	return ix
}

// Titles runs r and returns the titles of its hits, in order.
func (f *Fixture) Titles(t testing.TB, r search.Request) []string {
	t.Helper()
	res, err := f.Ix.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("search %q: %v", r.Query, err)
	}
	return titles(t, f.DB, res)
}

func titles(t testing.TB, db *archive.DB, res search.Result) []string {
	t.Helper()
	var out []string
	for _, h := range res.Hits {
		a, err := db.Article(h.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a.Title)
	}
	return out
}

// MustParse parses s or fails the test.
func MustParse(t testing.TB, s string) search.Query {
	t.Helper()
	q, err := search.ParseQuery(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return q
}

func testFinds(t *testing.T, e Engine) {
	f := NewFixture(t, e)
	korea, yoon, tokyo, beijing, markets, storm := Docs[0].title, Docs[1].title, Docs[2].title, Docs[3].title, Docs[4].title, Docs[5].title
	tests := []struct {
		q    string
		want []string // in order
	}{
		{"missile", []string{korea}},
		{"MISSILE launches", []string{korea}},
		{`"share intelligence on missile"`, []string{korea}},
		{`"intelligence share"`, nil},       // a phrase's words in order
		{"defense", []string{korea, storm}}, // the title counts more
		{"defense -storm", []string{korea}},
		{`defense -"winter storm"`, []string{korea}},
		{"title:defense", []string{korea}},
		{"seoul feed:wire", []string{markets}},
		{"seoul site:koreaherald.com", []string{korea}},
		{"seoul site:www.koreaherald.com", []string{korea}},
		{`site:"korea herald"`, []string{korea}},
		{"byline:roe", []string{markets}},
		{"tag:business", []string{markets}},
		// Korean words inside longer runs (a particle attached).
		{"대통령", []string{yoon}},
		{"국무회의", []string{yoon}},
		{"물가", []string{yoon}},
		{"연합뉴스", nil},            // site name is site:'s, not the text's
		{"디지털", []string{korea}}, // inside a byline that mixes scripts
		{"byline:kh디지털2", []string{korea}},
		{"site:연합뉴스", []string{yoon}},
		// Japanese and Chinese without spaces.
		{"桜", []string{tokyo}},
		{"気象庁", []string{tokyo}},
		{"开花", nil},
		{"人工智能", []string{beijing}},
		{"リスマ", []string{tokyo}}, // inside a Katakana word
		{"科技展览", []string{beijing}},
		{"zzzz", nil},
		{"missile — launches", []string{korea}}, // punctuation alone is left out
		{"missile -—", []string{korea}},
	}
	for _, tc := range tests {
		got := f.Titles(t, search.Request{Query: MustParse(t, tc.q)})
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.q, got, tc.want)
		}
	}
}

func testFiltersAndOrder(t *testing.T, e Engine) {
	f := NewFixture(t, e)
	q := MustParse(t, "seoul")
	if got := f.Titles(t, search.Request{Query: q, ByDate: true}); !slices.Equal(got, []string{Docs[4].title, Docs[0].title}) {
		t.Errorf("by date: %q", got)
	}
	if got := f.Titles(t, search.Request{Query: q, Feed: "herald"}); !slices.Equal(got, []string{Docs[0].title}) {
		t.Errorf("feed filter: %q", got)
	}
	if got := f.Titles(t, search.Request{Query: q, Tag: "business"}); !slices.Equal(got, []string{Docs[4].title}) {
		t.Errorf("tag filter: %q", got)
	}
	if got := f.Titles(t, search.Request{Query: q, Since: t0.Add(time.Hour)}); !slices.Equal(got, []string{Docs[4].title}) {
		t.Errorf("since: %q", got)
	}
	if got := f.Titles(t, search.Request{Query: q, Until: t0.Add(time.Hour)}); !slices.Equal(got, []string{Docs[0].title}) {
		t.Errorf("until: %q", got)
	}
	if got := f.Titles(t, search.Request{Query: q, Limit: 1, Offset: 1, ByDate: true}); !slices.Equal(got, []string{Docs[0].title}) {
		t.Errorf("offset: %q", got)
	}
	for _, byDate := range []bool{false, true} {
		res, err := f.Ix.Search(context.Background(), search.Request{Query: q, Offset: 5, ByDate: byDate})
		if err != nil || len(res.Hits) != 0 || res.Total != 2 || res.AtLeast {
			t.Errorf("a page past the last match (by date %v): %d hits of %d (at least %v), %v; want none of 2", byDate, len(res.Hits), res.Total, res.AtLeast, err)
		}
	}
	for _, r := range []search.Request{{Query: q, Limit: search.MaxLimit + 1}, {Query: q, Offset: -1}, {Query: search.Query{Clauses: []search.Clause{{Text: "--"}}}}} {
		if _, err := f.Ix.Search(context.Background(), r); !search.IsUserError(err) {
			t.Errorf("%+v: err %v, want a user error", r, err)
		}
	}
}

// The index follows the archive: new articles, updates, and what was
// written while the index was closed (a crash between the archive's
// commit and the index's) are found after CatchUp.
func testFollowsArchive(t *testing.T, e Engine) {
	f := NewFixture(t, e)
	ctx := context.Background()
	id := f.IDs[Docs[5].title]
	if err := f.DB.Update(ctx, id, func(a *herald.Article) error {
		a.Text = "A blizzard closed every school in the valley."
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.Ix.Close(); err != nil {
		t.Fatal(err)
	}
	// Written while the index is closed, as after a crash.
	f.Ingest(t, Doc{feed: "wire", url: "https://wire.example/7", title: "Late news", text: "A quokka escaped the zoo.", published: t0}, 7)
	f.Ix = f.OpenIndex(t)
	for q, want := range map[string][]string{"blizzard": {Docs[5].title}, "levees": nil, "quokka": {"Late news"}} {
		if got := f.Titles(t, search.Request{Query: MustParse(t, q)}); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	applied, built, err := f.Ix.Applied()
	if l, _ := f.DB.Changes(0, 0); err != nil || !built || applied != l.Last {
		t.Errorf("applied %d (built %v, %v), log at %d", applied, built, err, l.Last)
	}
	// With the log trimmed past what the index has, it rebuilds.
	if err := f.Ix.Close(); err != nil {
		t.Fatal(err)
	}
	f.Ingest(t, Doc{feed: "wire", url: "https://wire.example/8", title: "Later news", text: "A wombat followed.", published: t0}, 8)
	l, _ := f.DB.Changes(0, 0)
	if err := f.DB.TrimChanges(l.Last); err != nil {
		t.Fatal(err)
	}
	f.Ix = f.OpenIndex(t)
	if got := f.Titles(t, search.Request{Query: MustParse(t, "wombat")}); !slices.Equal(got, []string{"Later news"}) {
		t.Errorf("after a trimmed log: %q", got)
	}
}

// A phrase is matched through the pairs of its words: exactly, in every
// field, across CJK runs, and by its words' positions when one of its
// words is too long to be paired.
func testPhrases(t *testing.T, e Engine) {
	f := NewFixture(t, e)
	long := strings.Repeat("x", 150)
	f.Ingest(t, Doc{feed: "wire", url: "https://wire.example/7", title: "Bank bank bank", published: t0,
		text: "The central bank met. Bank central met the. Code " + long + " ends here."}, 7)
	if _, err := f.Ix.CatchUp(context.Background(), f.DB); err != nil {
		t.Fatal(err)
	}
	korea, yoon, markets := Docs[0].title, Docs[1].title, Docs[4].title
	for q, want := range map[string][]string{
		`"central bank"`:                        {"Bank bank bank", markets},
		`"central bank met"`:                    {"Bank bank bank"},
		`"bank central met the"`:                {"Bank bank bank"},
		`"bank the"`:                            nil, // words of the article, not next to each other
		`"central bank would"`:                  {markets},
		`"bank bank bank"`:                      {"Bank bank bank"},
		`"bank bank bank bank"`:                 nil,
		`"tokyo agreed"`:                        {korea},
		`"and tokyo"`:                           {korea},
		`"wednesday to expand"`:                 {korea},
		`"cut interest"`:                        {markets},
		`"missile launches share"`:              nil,
		`"code ` + long + ` ends"`:              {"Bank bank bank"},
		`"code ` + long + ` here"`:              nil,
		`title:"japan to boost"`:                {korea},
		`title:"tokyo agreed"`:                  nil,
		`byline:"jane roe"`:                     {markets},
		`"경제 정책에"`:                              {yoon},
		`"국무회의를 주재하고"`:                          {yoon},
		`"주재하고 국무회의를"`:                          nil,
		`"bank" "central bank" -"bank central"`: {markets},
	} {
		got := f.Titles(t, search.Request{Query: MustParse(t, q)})
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
}

// Words with quotes and backslashes in them are kept and found whole.
func testApostrophes(t *testing.T, e Engine) {
	f := NewFixture(t, e)
	f.Ingest(t, Doc{feed: "wire", url: "https://wire.example/9", title: "O'Brien's rock'n'roll", published: t0,
		text: `It's a path: C:\\temp\\notes and a \\'quoted\\' word.`}, 9)
	if _, err := f.Ix.CatchUp(context.Background(), f.DB); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"o'brien", "rock'n'roll", `"o'brien's rock'n'roll"`, "title:o'brien", "temp", "notes", "quoted"} {
		if got := f.Titles(t, search.Request{Query: MustParse(t, q)}); !slices.Equal(got, []string{"O'Brien's rock'n'roll"}) {
			t.Errorf("%s: got %q", q, got)
		}
	}
}

func testRebuild(t *testing.T, e Engine) {
	f := NewFixture(t, e)
	before := f.Titles(t, search.Request{Query: MustParse(t, "seoul"), ByDate: true})
	if _, err := f.Ix.Rebuild(context.Background(), f.DB); err != nil {
		t.Fatal(err)
	}
	if after := f.Titles(t, search.Request{Query: MustParse(t, "seoul"), ByDate: true}); !slices.Equal(before, after) || len(after) != 2 {
		t.Errorf("before %q, after %q", before, after)
	}
	st, err := f.Ix.Stats()
	if err != nil || st.Docs != uint64(len(Docs)) || st.Bytes == 0 {
		t.Errorf("stats %+v, %v", st, err)
	}
}

// dated is an archive of n articles, article i published i minutes after
// t0 and ingested in a shuffled order (so that the index's order is not
// the dates'), each with the word "common", "even" on even i, "rare" on
// every 97th; and its index.
func dated(t *testing.T, e Engine, n int) (*archive.DB, search.Follower) {
	t.Helper()
	db := e.Archive(t)
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
	f := &Fixture{DB: db, e: e}
	return db, f.OpenIndex(t)
}

// In date order a search of a word most articles hold stops at a window
// of the newest, and gives exactly the page the whole archive would.
func testDateOrderWindow(t *testing.T, e Engine) {
	if testing.Short() {
		t.Skip("short: archives 6,500 articles")
	}
	const n = 6500
	db, ix := dated(t, e, n)
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
		r := search.Request{Query: MustParse(t, tt.q), Limit: 20, Offset: tt.offset, ByDate: true}
		if tt.until < n {
			r.Until = t0.Add(time.Duration(tt.until) * time.Minute)
		}
		res, err := ix.Search(context.Background(), r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := titles(t, db, res)
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
func relevanceWindow(t *testing.T, ix search.Follower, n int) {
	r := search.Request{Query: MustParse(t, "even"), Limit: 50}
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
	res, err = ix.Search(context.Background(), search.Request{Query: MustParse(t, "common"), Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if !res.AtLeast || res.Total < 4000 || res.Total >= uint64(n) || len(res.Hits) != 20 {
		t.Errorf("common: %d hits of %d (at least: %v), want 20 of a window of 4,000 or more", len(res.Hits), res.Total, res.AtLeast)
	}
}

// Title is d's title.
func (d Doc) Title() string { return d.title }
