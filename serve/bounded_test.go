package serve

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"herald"
)

// bigArticles returns n articles, newest first, every third of them with
// size bytes of HTML and text.
func bigArticles(n, size int) []herald.Article {
	list := makeArticles(n)
	for i := range list {
		if i%3 == 0 {
			list[i].Text = strings.Repeat("Lorem ipsum. ", size/13)
			list[i].HTML = "<p>" + list[i].Text + "</p>"
		}
	}
	return list
}

// TestPagesCutByBytes pages through an archive of large and small articles
// with a byte budget: every page's articles come within it (or it holds
// one article), pages are cut early, and following the next links in every
// format reaches every article once, newest first.
func TestPagesCutByBytes(t *testing.T) {
	const budget = 64 << 10
	articles := bigArticles(30, 40<<10)
	var want []string
	for i := range articles {
		want = append(want, ArticleID(&articles[i]))
	}
	h := New(openArchive(t, articles), Options{PageBytes: budget}).Handler()
	for _, format := range []string{"atom", "rss", "json"} {
		got, pages := walkPages(t, h, format, "/feed."+format+"?limit=500")
		if !slices.Equal(got, want) {
			t.Errorf("%s: walked\n %v\nwant\n %v", format, got, want)
		}
		if pages < 10 {
			t.Errorf("%s: %d pages of 500 articles at most; want the budget to cut them (10 large articles of 80 KB, 64 KB a page)", format, pages)
		}
	}

	var got []string
	path := "/api/articles?limit=500"
	for pages := 0; path != ""; pages++ {
		if pages > len(articles) {
			t.Fatal("next links do not end")
		}
		w := get(t, h, path)
		var page struct {
			Articles []herald.Article `json:"articles"`
			Next     string           `json:"next"`
			NextURL  string           `json:"next_url"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || w.Code != 200 {
			t.Fatalf("%s: %d %v", path, w.Code, err)
		}
		size := 0
		for _, a := range page.Articles {
			got = append(got, ArticleID(&a))
			size += len(a.Title) + len(a.Summary) + len(a.Text) + len(a.HTML)
		}
		if len(page.Articles) == 0 || (len(page.Articles) > 1 && size > budget) {
			t.Fatalf("%s: %d articles of %d bytes; budget %d", path, len(page.Articles), size, budget)
		}
		path = ""
		if page.NextURL != "" {
			u, err := url.Parse(page.NextURL)
			if err != nil || u.Query().Get("before") != page.Next {
				t.Fatalf("next_url %q, next %q", page.NextURL, page.Next)
			}
			path = u.RequestURI()
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("api: walked\n %v\nwant\n %v", got, want)
	}
}

// walkPages is walk, also counting the pages.
func walkPages(t *testing.T, h http.Handler, format, path string) (ids []string, pages int) {
	t.Helper()
	for ; path != ""; pages++ {
		if pages > 100 {
			t.Fatal("next links do not end")
		}
		w := get(t, h, path)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		page, next := pageIDs(t, format, body(t, w))
		if len(page) == 0 {
			t.Fatalf("%s: an empty page", path)
		}
		ids = append(ids, page...)
		path = ""
		if next != "" {
			u, err := url.Parse(next)
			if err != nil {
				t.Fatalf("next link %q", next)
			}
			path = u.RequestURI()
		}
	}
	return ids, pages
}

// TestConcurrentRequestsShareOneRender holds the archive's read until every
// request for the same page has arrived: they get the same body from one
// read of the archive.
func TestConcurrentRequestsShareOneRender(t *testing.T) {
	const n = 8
	fa := newFakeArchive(makeArticles(20), baseTime)
	fa.gate = make(chan struct{})
	h := New(fa, Options{}).Handler()
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := get(t, h, "/feed.json?limit=20")
			if w.Code != 200 {
				t.Errorf("request %d: %d", i, w.Code)
			}
			bodies[i] = w.Body.String()
		}()
	}
	// Every request has read the change counter, which it does before it
	// looks for the page; one of them reads the articles (or, without
	// sharing, all of them do).
	for fa.lastChangeCalls() < n || fa.recentCalls() < 1 {
		fa.waitCall()
	}
	close(fa.gate)
	wg.Wait()
	if calls := fa.recentCalls(); calls != 1 {
		t.Errorf("%d concurrent requests for one page read the archive %d times; want once", n, calls)
	}
	for i := range bodies {
		if bodies[i] != bodies[0] || !strings.Contains(bodies[i], "urn:herald:article:") {
			t.Fatalf("request %d got another body", i)
		}
	}
}
