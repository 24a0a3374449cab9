package search_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/search"

	"github.com/blevesearch/bleve/v2"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

type doc struct {
	feed, url, title, byline, site, text string
	tags                                 []string
	published                            time.Time
}

var docs = []doc{
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

func (d doc) item(i int) archive.Item {
	return archive.Item{Article: herald.Article{
		URL: d.url, Title: d.title, Byline: d.byline, SiteName: d.site, Text: d.text,
		HTML: "<p>" + d.text + "</p>", Published: d.published, Tags: d.tags,
		Sources: []herald.Source{{Feed: d.feed, FeedURL: "https://" + d.feed + ".example/feed", GUID: fmt.Sprint(i), Link: d.url}},
	}}
}

// fixture is an archive with docs and its index, caught up.
type fixture struct {
	db  *archive.DB
	ix  *search.Index
	ids map[string]string // title -> id
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := archive.Open(filepath.Join(dir, "herald.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, ids: map[string]string{}}
	for i, d := range docs {
		f.ingest(t, d, i)
	}
	f.ix = openIndex(t, db)
	return f
}

func (f *fixture) ingest(t *testing.T, d doc, i int) {
	t.Helper()
	res, err := f.db.Ingest(context.Background(), herald.FeedState{Name: d.feed}, []archive.Item{d.item(i)})
	if err != nil {
		t.Fatal(err)
	}
	f.ids[d.title] = res.IDs[0]
}

func openIndex(t *testing.T, db *archive.DB) *search.Index {
	t.Helper()
	ix, err := search.Open(search.PathFor(db.Path()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.CatchUp(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return ix
}

// titles runs q and returns the titles of its hits, in order.
func (f *fixture) titles(t *testing.T, r search.Request) []string {
	t.Helper()
	res, err := f.ix.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("search %q: %v", r.Query, err)
	}
	var out []string
	for _, h := range res.Hits {
		a, err := f.db.Article(h.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a.Title)
	}
	return out
}

func mustParse(t *testing.T, s string) search.Query {
	t.Helper()
	q, err := search.ParseQuery(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return q
}

func TestSearchFinds(t *testing.T) {
	f := newFixture(t)
	korea, yoon, tokyo, beijing, markets, storm := docs[0].title, docs[1].title, docs[2].title, docs[3].title, docs[4].title, docs[5].title
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
		got := f.titles(t, search.Request{Query: mustParse(t, tc.q)})
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestSearchFiltersAndOrder(t *testing.T) {
	f := newFixture(t)
	q := mustParse(t, "seoul")
	if got := f.titles(t, search.Request{Query: q, ByDate: true}); !slices.Equal(got, []string{docs[4].title, docs[0].title}) {
		t.Errorf("by date: %q", got)
	}
	if got := f.titles(t, search.Request{Query: q, Feed: "herald"}); !slices.Equal(got, []string{docs[0].title}) {
		t.Errorf("feed filter: %q", got)
	}
	if got := f.titles(t, search.Request{Query: q, Tag: "business"}); !slices.Equal(got, []string{docs[4].title}) {
		t.Errorf("tag filter: %q", got)
	}
	if got := f.titles(t, search.Request{Query: q, Since: t0.Add(time.Hour)}); !slices.Equal(got, []string{docs[4].title}) {
		t.Errorf("since: %q", got)
	}
	if got := f.titles(t, search.Request{Query: q, Until: t0.Add(time.Hour)}); !slices.Equal(got, []string{docs[0].title}) {
		t.Errorf("until: %q", got)
	}
	if got := f.titles(t, search.Request{Query: q, Limit: 1, Offset: 1, ByDate: true}); !slices.Equal(got, []string{docs[0].title}) {
		t.Errorf("offset: %q", got)
	}
	for _, r := range []search.Request{{Query: q, Limit: search.MaxLimit + 1}, {Query: q, Offset: -1}, {Query: search.Query{Clauses: []search.Clause{{Text: "--"}}}}} {
		if _, err := f.ix.Search(context.Background(), r); !search.IsUserError(err) {
			t.Errorf("%+v: err %v, want a user error", r, err)
		}
	}
}

// The index follows the archive: new articles, updates, and what was
// written while the index was closed (a crash between the archive's
// commit and the index's) are found after CatchUp.
func TestIndexFollowsArchive(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.ids[docs[5].title]
	if err := f.db.Update(ctx, id, func(a *herald.Article) error {
		a.Text = "A blizzard closed every school in the valley."
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.ix.Close(); err != nil {
		t.Fatal(err)
	}
	// Written while the index is closed, as after a crash.
	f.ingest(t, doc{feed: "wire", url: "https://wire.example/7", title: "Late news", text: "A quokka escaped the zoo.", published: t0}, 7)
	f.ix = openIndex(t, f.db)
	for q, want := range map[string][]string{"blizzard": {docs[5].title}, "levees": nil, "quokka": {"Late news"}} {
		if got := f.titles(t, search.Request{Query: mustParse(t, q)}); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	applied, built, err := f.ix.Applied()
	if l, _ := f.db.Changes(0, 0); err != nil || !built || applied != l.Last {
		t.Errorf("applied %d (built %v, %v), log at %d", applied, built, err, l.Last)
	}
	// With the log trimmed past what the index has, it rebuilds.
	if err := f.ix.Close(); err != nil {
		t.Fatal(err)
	}
	f.ingest(t, doc{feed: "wire", url: "https://wire.example/8", title: "Later news", text: "A wombat followed.", published: t0}, 8)
	l, _ := f.db.Changes(0, 0)
	if err := f.db.TrimChanges(l.Last); err != nil {
		t.Fatal(err)
	}
	f.ix = openIndex(t, f.db)
	if got := f.titles(t, search.Request{Query: mustParse(t, "wombat")}); !slices.Equal(got, []string{"Later news"}) {
		t.Errorf("after a trimmed log: %q", got)
	}
}

// A phrase is matched through the pairs of its words: exactly, in every
// field, across CJK runs, and by its words' positions when one of its
// words is too long to be paired.
func TestPhrases(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", 150)
	f.ingest(t, doc{feed: "wire", url: "https://wire.example/7", title: "Bank bank bank", published: t0,
		text: "The central bank met. Bank central met the. Code " + long + " ends here."}, 7)
	if _, err := f.ix.CatchUp(context.Background(), f.db); err != nil {
		t.Fatal(err)
	}
	korea, yoon, markets := docs[0].title, docs[1].title, docs[4].title
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
		got := f.titles(t, search.Request{Query: mustParse(t, q)})
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
}

// An index that analysed text as an older Herald did is made anew and
// rebuilt: its terms would not match this one's queries.
func TestOlderIndexRebuilt(t *testing.T) {
	f := newFixture(t)
	path := search.PathFor(f.db.Path())
	if err := f.ix.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := bleve.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteInternal([]byte("format")); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(f.ids[docs[0].title]); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	f.ix = openIndex(t, f.db)
	if got := f.titles(t, search.Request{Query: mustParse(t, `"share intelligence"`)}); !slices.Equal(got, []string{docs[0].title}) {
		t.Errorf("after an older index: %q", got)
	}
}

func TestRebuild(t *testing.T) {
	f := newFixture(t)
	before := f.titles(t, search.Request{Query: mustParse(t, "seoul"), ByDate: true})
	if _, err := f.ix.Rebuild(context.Background(), f.db); err != nil {
		t.Fatal(err)
	}
	if after := f.titles(t, search.Request{Query: mustParse(t, "seoul"), ByDate: true}); !slices.Equal(before, after) || len(after) != 2 {
		t.Errorf("before %q, after %q", before, after)
	}
	st, err := f.ix.Stats()
	if err != nil || st.Docs != uint64(len(docs)) || st.Bytes == 0 {
		t.Errorf("stats %+v, %v", st, err)
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, s := range []string{"", "   ", "-", "- word", "-word", `"open`, `""`, "foo:bar", "title:", "title: x",
		`wo"rd`, string([]byte{0xff}), fmt.Sprintf("%0600d", 1)} {
		if _, err := search.ParseQuery(s); !errors.Is(err, search.ErrQuery) {
			t.Errorf("ParseQuery(%q): %v, want ErrQuery", s, err)
		}
	}
	q := mustParse(t, ` -"a  b"  title:x feed:"y z" 12:30 word `)
	if got := q.String(); got != `-"a b" title:x feed:"y z" 12:30 word` {
		t.Errorf("String() = %q", got)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"a b", `"a b" -c`, "title:x site:\"y\"", "-", `"`, "대통령 -桜"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := search.ParseQuery(s)
		if err != nil {
			if !errors.Is(err, search.ErrQuery) {
				t.Fatalf("error %v does not wrap ErrQuery", err)
			}
			return
		}
		// The normal form reads back to the same query.
		again, err := search.ParseQuery(q.String())
		if err != nil || !slices.Equal(again.Clauses, q.Clauses) {
			t.Fatalf("%q -> %q -> %+v, %v", s, q.String(), again, err)
		}
	})
}

func TestSnippet(t *testing.T) {
	text := "The first line says little. " + fmt.Sprintf("%0300d", 0) + " Then the Quick brown fox jumps, and the fox runs."
	s := search.MakeSnippet(text, []string{"fox", "quick brown"}, 80)
	if got := s.Bracketed("[", "]"); !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, " Then the [Quick brown] [fox] jumps, and the [fox] runs.") {
		t.Errorf("snippet %q", got)
	}
	k := search.MakeSnippet(docs[1].text, []string{"국무회의"}, 20)
	if got := k.Bracketed("[", "]"); got != "대통령은 오늘 [국무회의]를 주재하고 경제 정…" {
		t.Errorf("Korean snippet %q", got)
	}
	none := search.MakeSnippet("short text", []string{"zz"}, 80)
	if none.Text != "short text" || len(none.Marks) != 0 {
		t.Errorf("no match: %+v", none)
	}
}
