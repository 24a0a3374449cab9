package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"herald"
	"herald/archive"
)

// openArchive returns a real archive in a temporary directory holding
// articles, imported as an export would be.
func openArchive(t testing.TB, articles []herald.Article) *archive.DB {
	t.Helper()
	db, err := archive.Open(filepath.Join(t.TempDir(), "herald.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	importArticles(t, db, articles)
	return db
}

func importArticles(t testing.TB, db *archive.DB, articles []herald.Article) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range articles {
		if err := enc.Encode(&articles[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Import(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
}

func TestRealArchive(t *testing.T) {
	db := openArchive(t, makeArticles(45))
	h := New(db, Options{}).Handler()
	for _, format := range []string{"atom", "rss", "json"} {
		ids := walk(t, h, format, "/feed."+format+"?limit=7")
		if len(ids) != 45 || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 45 {
			t.Errorf("%s: walked %d ids, %d distinct; want 45", format, len(ids), len(slices.Compact(slices.Sorted(slices.Values(ids)))))
		}
	}
	if w := get(t, h, "/feed.atom?before=Zm9v"); w.Code != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", w.Code)
	}
	if w := get(t, h, "/api/articles/a000003"); w.Code != 200 {
		t.Errorf("article: %d", w.Code)
	}
	if w := get(t, h, "/api/articles/nope"); w.Code != 404 {
		t.Errorf("missing article: %d", w.Code)
	}

	first := get(t, h, "/feed.atom")
	etag := first.Header().Get("ETag")
	if w := get(t, h, "/feed.atom", "If-None-Match", etag); w.Code != http.StatusNotModified {
		t.Fatalf("unchanged: %d", w.Code)
	}
	na := makeArticles(1)[0]
	na.ID, na.URL, na.ContentHash, na.Text = "fresh", "https://news.example.com/fresh", "", "A fresh story."
	na.Sources[0].GUID, na.Published = "fresh", time.Now()
	importArticles(t, db, []herald.Article{na})
	w := get(t, h, "/feed.atom", "If-None-Match", etag)
	if w.Code != 200 || w.Header().Get("ETag") == etag {
		t.Fatalf("after an import: %d, ETag %q", w.Code, w.Header().Get("ETag"))
	}
	contains(t, w.Body.String(), "urn:herald:article:fresh")

	if w := get(t, h, "/healthz"); w.Code != 200 {
		t.Errorf("healthz: %d", w.Code)
	}
	db.Close()
	if w := get(t, h, "/healthz"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz with the archive closed: %d", w.Code)
	}
}
