package archive

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive/kv"
)

// TestScrubCredentials (white-box: it writes a file as a Herald before
// issue 12 did, with a feed's credentials in what it stored) checks that
// opening the file for writing removes them from feed states, articles,
// their index keys and pages, keeps every article and its indexes sound,
// and that a second open changes nothing.
func TestScrubCredentials(t *testing.T) {
	db := openTest(t)
	const cred = "http://reader:s3cret@feeds.example"
	const clean = "http://feeds.example"
	state := herald.FeedState{Name: "private", URL: cred + "/feed.xml", ConfigURL: cred + "/feed.xml",
		LastError: "fetch " + cred + "/feed.xml: HTTP 500", SiteLink: cred + "/"}
	var items []Item
	for i, slug := range []string{"one", "two"} {
		link := clean + "/articles/" + slug
		items = append(items, Item{Article: herald.Article{
			URL: link, Title: slug, Text: longText(slug), Published: t0.Add(-time1(i)),
			HTML:    `<p>` + longText(slug) + `<a href="` + link + `/more">more</a></p>`,
			Image:   clean + "/img/" + slug + ".jpg",
			Sources: []herald.Source{{Feed: "private", FeedURL: clean + "/feed.xml", GUID: link, Link: link}},
		}})
	}
	items[0].Page = &Page{URL: items[0].Article.Sources[0].Link, ContentType: "text/html", Body: []byte("<p>page</p>")}
	items = append(items, Item{Article: herald.Article{URL: "http://other.example/x", Title: "x",
		Text: longText("other"), Sources: []herald.Source{{Feed: "private", FeedURL: clean + "/feed.xml", GUID: "x"}}}})
	ctx := context.Background()
	if _, err := db.Ingest(ctx, state, items); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveFeedState(ctx, state); err != nil {
		t.Fatal(err)
	}
	asOlderHerald(t, db, clean, cred)
	if !strings.Contains(exportString(t, db, FormatJSONL), "s3cret") {
		t.Fatal("the test's archive holds no credentials to scrub")
	}

	db = reopen(t, db)
	export := exportString(t, db, FormatJSONL)
	if strings.Contains(export, "s3cret") || strings.Contains(export, "reader") {
		t.Errorf("export after the scrub still shows the credentials:\n%s", export)
	}
	if n := strings.Count(export, "\n"); n != 3 {
		t.Errorf("%d articles after the scrub, want 3", n)
	}
	st, _, _ := db.FeedState("private")
	if s := st.URL + st.ConfigURL + st.LastError + st.SiteLink; strings.Contains(s, "s3cret") {
		t.Errorf("feed state keeps the credentials: %+v", st)
	}
	if st.ConfigURL != "http://feeds.example/feed.xml" {
		t.Errorf("config_url %q", st.ConfigURL)
	}
	for _, a := range all(t, db, Query{}) {
		if a.Title != "one" {
			continue
		}
		p, err := db.Page(a.ID)
		if err != nil || p.URL != "http://feeds.example/articles/one" || string(p.Body) != "<p>page</p>" {
			t.Errorf("page after the scrub: %+v, %v", p, err)
		}
	}
	seen, err := db.Known("private", []EntryRef{{Key: "http://feeds.example/articles/one"}})
	if err != nil || seen[0] == Unseen {
		t.Errorf("the scrubbed GUID is not known (%v, %v): the next poll would archive the entry again", seen, err)
	}
	checkIndexes(t, db, true)

	db = reopen(t, db)
	if again := exportString(t, db, FormatJSONL); again != export {
		t.Errorf("a second open changed the archive:\n%s\nwas\n%s", again, export)
	}
}

// asOlderHerald rewrites db's articles and pages as a Herald before issue
// 12 wrote them, with the feed's credentials (to) in place of its URL
// (from), bypassing normalize; the article titled "x" gets, as its GUID,
// the one article "two" will have once scrubbed. It marks the file as
// never scrubbed.
func asOlderHerald(t *testing.T, db *DB, from, to string) {
	t.Helper()
	err := db.updateClaims(func(tx kv.Tx, texts *claimView) error {
		w := newWriteTx(tx, texts, db.now())
		var arts []*herald.Article
		w.articles.ForEach(func(k, _ []byte) error {
			a, err := w.get(string(k))
			arts = append(arts, a)
			return err
		})
		slices.SortFunc(arts, func(a, b *herald.Article) int { return strings.Compare(a.Title, b.Title) })
		for _, old := range arts {
			n, err := decodeCopy(old)
			if err != nil {
				return err
			}
			re := func(s *string) { *s = strings.ReplaceAll(*s, from, to) }
			re(&n.URL)
			re(&n.Image)
			re(&n.HTML)
			for i := range n.Sources {
				s := &n.Sources[i]
				re(&s.FeedURL)
				re(&s.Link)
				re(&s.GUID)
				re(&s.Key)
				if n.Title == "x" {
					s.GUID = from + "/articles/two"
				}
			}
			if err := w.replace(old, n); err != nil {
				return err
			}
		}
		pages := tx.Bucket(bucketPages)
		var ids []string
		pages.ForEach(func(k, _ []byte) error { ids = append(ids, string(k)); return nil })
		for _, id := range ids {
			p, err := decodePage(pages.Get([]byte(id)))
			if err != nil {
				return err
			}
			p.URL = strings.ReplaceAll(p.URL, from, to)
			data, err := encodePage(p, &db.pageWriters)
			if err != nil {
				return err
			}
			if err := putPage(pages, id, data); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Delete(metaScrubbed)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func time1(i int) time.Duration { return time.Duration(i+1) * time.Hour }

// BenchmarkScrubOpen measures the one-time scrub that an archive written
// before it gets on its first open for writing: 100,000 articles without
// credentials, each record read to find out.
func BenchmarkScrubOpen(b *testing.B) {
	src, err := os.ReadFile(bigArchive(b))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "old.db")
	for b.Loop() {
		b.StopTimer()
		if err := os.WriteFile(path, src, 0o600); err != nil {
			b.Fatal(err)
		}
		db, err := Open(path, Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		db.store.Update(func(tx kv.Tx) error { return tx.Bucket(bucketMeta).Delete(metaScrubbed) })
		db.Close()
		b.StartTimer()
		db, err = Open(path, Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// TestNoCredentialsWritten checks that ingest and import, an older Herald's
// export among what they read, store no user info in URLs and GUIDs.
func TestNoCredentialsWritten(t *testing.T) {
	db := openTest(t)
	const cred = "http://reader:s3cret@feeds.example"
	ctx := context.Background()
	_, err := db.Ingest(ctx, herald.FeedState{Name: "private", URL: "http://feeds.example/feed.xml"}, []Item{{Article: herald.Article{
		URL: cred + "/a", Title: "a", Text: longText("a"), Image: cred + "/a.jpg",
		Sources: []herald.Source{{Feed: "private", FeedURL: cred + "/feed.xml", GUID: cred + "/a", Link: cred + "/a"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	line := `{"id":"0123456789abcdef0123456789abcdef","url":"` + cred + `/b","title":"b","published":"2025-01-01T00:00:00Z","text":"b","html":"<p><a href=\"` + cred + `/c\">b</a></p>","tags":[],"sources":[{"feed":"private","feed_url":"` + cred + `/feed.xml","guid":"b","link":"` + cred + `/b","seen":"2025-01-01T00:00:00Z"}],"content_hash":"","extracted_by":"feed"}` + "\n"
	if _, err := db.Import(ctx, strings.NewReader(line)); err != nil {
		t.Fatal(err)
	}
	if export := exportString(t, db, FormatJSONL); strings.Contains(export, "s3cret") || strings.Count(export, "\n") != 2 {
		t.Errorf("ingest and import stored the credentials, or lost an article:\n%s", export)
	}
}
