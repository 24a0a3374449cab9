package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"herald/archive"
	"herald/search"
)

// searchServer serves a real archive of n articles with its index.
func searchServer(t *testing.T, n int) (http.Handler, *archive.DB, *search.Index) {
	t.Helper()
	db := openArchive(t, makeArticles(n))
	ix, err := search.Open(search.PathFor(db.Path()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.CatchUp(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return New(db, Options{Search: ix}).Handler(), db, ix
}

func TestSearchAPIAndFeeds(t *testing.T) {
	h, db, ix := searchServer(t, 45)
	w := get(t, h, "/api/articles?q=%22paragraph+of+12%22")
	var page struct {
		Articles []struct{ ID, Title string }
		Hits     []searchHit
		Next     string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &page); w.Code != 200 || err != nil {
		t.Fatalf("%d %v %s", w.Code, err, w.Body)
	}
	if len(page.Articles) != 1 || !strings.HasPrefix(page.Articles[0].Title, "Story 12:") || len(page.Hits) != 1 ||
		!strings.Contains(page.Hits[0].Snippet, "paragraph of 12") || len(page.Hits[0].Matches) != 1 {
		t.Errorf("phrase search: %+v", page)
	}
	// A feed of a search: every hit once, newest first, over pages.
	for _, format := range []string{"atom", "rss", "json"} {
		ids := walk(t, h, format, "/feed."+format+"?q=seoul+-%22story+3%22&limit=7")
		want := 0 // titles with Seoul, but for story 3's
		for _, a := range makeArticles(45) {
			if strings.Contains(a.Title, "Seoul") && !strings.HasPrefix(a.Title, "Story 3:") {
				want++
			}
		}
		if len(ids) != want || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != want {
			t.Errorf("%s: %d ids, want %d", format, len(ids), want)
		}
	}
	w = get(t, h, "/feed.atom?q=zzzz")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "search zzzz") || strings.Contains(w.Body.String(), "<entry>") {
		t.Errorf("no hits: %d\n%s", w.Code, w.Body)
	}
	for _, path := range []string{"/feed.rss?q=foo:bar", "/feed.atom?q=", "/api/articles?q=a&before=zz", "/api/articles?q=--"} {
		if w := get(t, h, path); w.Code != 400 {
			t.Errorf("%s: %d, want 400", path, w.Code)
		}
	}
	// A new article is found once the index has caught up, though the
	// page was cached.
	get(t, h, "/api/articles?q=wombat")
	more := makeArticles(46)[45:]
	more[0].ID, more[0].Title, more[0].Text = "new1", "A wombat", "About a wombat."
	importArticles(t, db, more)
	if _, err := ix.CatchUp(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if w := get(t, h, "/api/articles?q=wombat"); !strings.Contains(w.Body.String(), `"id":"new1"`) {
		t.Errorf("new article not found: %s", w.Body)
	}
}
