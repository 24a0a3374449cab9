package archive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald"

	bolt "go.etcd.io/bbolt"
)

// TestScrubCredentials (white-box: it writes a file as a Herald before
// issue 12 did, with a feed's credentials in what it stored) checks that
// opening the file for writing removes them from feed states, articles,
// their index keys and pages, keeps every article and its indexes sound,
// and that a second open changes nothing.
func TestScrubCredentials(t *testing.T) {
	db := openTest(t)
	const cred = "http://reader:s3cret@feeds.example"
	state := herald.FeedState{Name: "private", URL: cred + "/feed.xml", ConfigURL: cred + "/feed.xml",
		LastError: "fetch " + cred + "/feed.xml: HTTP 500", SiteLink: cred + "/"}
	var items []Item
	for i, slug := range []string{"one", "two"} {
		link := cred + "/articles/" + slug
		items = append(items, Item{Article: herald.Article{
			URL: link, Title: slug, Text: longText(slug), Published: t0.Add(-time1(i)),
			HTML:    `<p>` + longText(slug) + `<a href="` + link + `/more">more</a></p>`,
			Image:   cred + "/img/" + slug + ".jpg",
			Sources: []herald.Source{{Feed: "private", FeedURL: cred + "/feed.xml", GUID: link, Link: link}},
		}})
	}
	items[0].Page = &Page{URL: items[0].Article.Sources[0].Link, ContentType: "text/html", Body: []byte("<p>page</p>")}
	ctx := context.Background()
	if _, err := db.Ingest(ctx, state, items); err != nil {
		t.Fatal(err)
	}
	// Another article already has the scrubbed GUID of the second one.
	clean := "http://feeds.example/articles/two"
	if _, err := db.Ingest(ctx, state, []Item{{Article: herald.Article{URL: "http://other.example/x", Title: "x",
		Text: longText("other"), Sources: []herald.Source{{Feed: "private", FeedURL: "http://feeds.example/feed.xml", GUID: clean, Link: clean}}}}}); err != nil {
		t.Fatal(err)
	}
	// As an older Herald left it: never scrubbed.
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(metaScrubbed) }); err != nil {
		t.Fatal(err)
	}
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
		db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(metaScrubbed) })
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
