package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"herald"
	"herald/archive"
	"herald/internal/browsertest"
	"herald/search"
	"herald/serve"
)

// readingArchive is a small archive with its search index: an English
// article, a Korean one, and others around them.
func readingArchive(t *testing.T) (*archive.DB, *search.Index) {
	t.Helper()
	db, err := archive.Open(filepath.Join(t.TempDir(), "herald.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pub := time.Date(2025, 6, 24, 9, 40, 0, 0, time.UTC)
	articles := []herald.Article{
		{ID: "seed", URL: "https://www.koreaherald.com/view.php?ud=20150624000515", Title: "S. Korea, Japan to boost defense ties this year",
			Byline: "KH디지털2", Published: pub, Tags: []string{"korea"},
			Text: "On the back of new momentum for thawing ties, South Korea and Japan are to expedite exchanges and cooperation in defense fields.\n\nIn October, Seoul and Tokyo also plan to hold their joint naval search and rescue exercise, another official said.",
			Sources: []herald.Source{
				{Feed: "korea-herald", FeedURL: "https://www.koreaherald.com/rss", GUID: "1", Link: "https://www.koreaherald.com/view.php?ud=20150624000515&utm_source=rss", Seen: pub},
				{Feed: "wire", FeedURL: "https://wire.example/feed", GUID: "w1", Link: "https://wire.example/korea-japan", Seen: pub},
			}},
		{ID: "ko", URL: "https://www.yna.co.kr/view/2", Title: "윤 대통령, 국무회의 주재", Published: pub.Add(time.Hour),
			Text:    "대통령은 오늘 국무회의를 주재하고 경제 정책에 대해 논의했다.",
			Sources: []herald.Source{{Feed: "yonhap", FeedURL: "https://www.yna.co.kr/rss", GUID: "2", Link: "https://www.yna.co.kr/view/2", Seen: pub}}},
	}
	for i := range 20 {
		articles = append(articles, herald.Article{
			ID: "n" + string(rune('a'+i)), URL: "https://news.example/" + string(rune('a'+i)), Title: "Local news item " + string(rune('A'+i)),
			Published: pub.Add(-time.Duration(i+1) * time.Hour), Text: "Nothing about the search words here, only local weather.",
			Sources: []herald.Source{{Feed: "local", FeedURL: "https://news.example/rss", GUID: string(rune('a' + i)), Link: "https://news.example/" + string(rune('a'+i)), Seen: pub}},
		})
	}
	var buf bytes.Buffer
	for i := range articles {
		json.NewEncoder(&buf).Encode(&articles[i])
	}
	if _, err := db.Import(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(search.PathFor(db.Path()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.CatchUp(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db, ix
}

// In a real browser at phone width: the search box finds an article, its
// view shows the text and every source, nothing runs a script or fails,
// and nothing needs scrolling sideways.
func TestReadingPageInBrowser(t *testing.T) {
	b := browsertest.Start(t)
	db, ix := readingArchive(t)
	srv := httptest.NewServer(serve.New(db, serve.Options{Search: ix}).Handler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(b.Ctx, 60*time.Second)
	defer cancel()

	text := func(sel string) (string, error) { return chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel))) }
	if err := b.Open(srv.URL+"/", 375, 800); err != nil {
		t.Fatal(err)
	}
	if first, err := text("ol.stories li a.title"); err != nil || first != "윤 대통령, 국무회의 주재" {
		t.Errorf("newest story %q, %v", first, err)
	}
	b.Screenshot("reading-newest.png")

	// Search as a person does: type in the box, press Enter.
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), `"joint naval" exercise`+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`p.meta`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := browsertest.Eval[[]string](b, `[...document.querySelectorAll("ol.stories li a.title")].map(a => a.textContent)`)
	mark, merr := text("ol.stories li mark")
	if err != nil || merr != nil || len(hits) != 1 || hits[0] != "S. Korea, Japan to boost defense ties this year" || !strings.EqualFold(mark, "joint naval") {
		t.Fatalf("search: hits %q, first mark %q, %v, %v", hits, mark, err, merr)
	}
	b.Screenshot("reading-search.png")
	if px, err := b.Overflow(); err != nil || px != 0 {
		t.Errorf("search page at 375px: %d px too wide, %v", px, err)
	}

	// Follow the hit to the article view.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`ol.stories li a.title`)), chromedp.WaitVisible(chromedp.CSS(`article h1`))); err != nil {
		t.Fatal(err)
	}
	heading, _ := text("article h1")
	body, _ := text("article .body")
	byline, _ := text("article .byline")
	links, err := browsertest.Eval[[]string](b, `[...document.querySelectorAll("ul.sources a[rel=noreferrer]")].map(a => a.href)`)
	if err != nil {
		t.Fatal(err)
	}
	if heading != "S. Korea, Japan to boost defense ties this year" || byline != "KH디지털2" ||
		!strings.Contains(body, "joint naval search and rescue exercise") {
		t.Errorf("article view: %q by %q: %q", heading, byline, body)
	}
	if strings.Join(links, " ") != "https://www.koreaherald.com/view.php?ud=20150624000515&utm_source=rss https://wire.example/korea-japan" {
		t.Errorf("source links %q", links)
	}
	b.Screenshot("reading-article.png")
	if px, err := b.Overflow(); err != nil || px != 0 {
		t.Errorf("article at 375px: %d px too wide, %v", px, err)
	}

	// A Korean word finds the Korean article; a malformed query says why.
	if err := b.Open(srv.URL+"/?q="+"대통령", 375, 800); err != nil {
		t.Fatal(err)
	}
	if first, err := text("ol.stories li a.title"); err != nil || first != "윤 대통령, 국무회의 주재" {
		t.Errorf("Korean search: %q, %v", first, err)
	}
	if err := b.Open(srv.URL+"/?q=%22open", 375, 800); err != nil {
		t.Fatal(err)
	}
	if alert, err := text(`[role=alert]`); err != nil || !strings.Contains(alert, "not closed") {
		t.Errorf("malformed query: %q, %v", alert, err)
	}
	if errs := b.ScriptErrors(); len(errs) != 0 {
		t.Errorf("console errors: %q", errs)
	}
}
