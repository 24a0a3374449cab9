package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
	"unicode/utf8"

	"herald"
	"herald/internal/scriptcheck"
)

// FuzzRender feeds arbitrary field contents to the three writers: the
// output must always parse, and the HTML must stay free of script.
func FuzzRender(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, "<p>"+s+"</p>", "https://example.com/"+s)
	}
	f.Add("<script>alert(1)</script>", `<img src=x onerror=alert(1)><a href="javascript:x">y</a>`, "javascript:alert(1)")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, text, html, link string) {
		a := herald.Article{
			ID: text, URL: link, Title: text, Byline: text, Summary: text, Text: text, HTML: html, Lang: text,
			Image: link, Tags: []string{text}, Published: baseTime,
			Sources: []herald.Source{{Feed: text, FeedURL: link, GUID: text, Link: link}, {Feed: text, FeedURL: link, Link: link}},
		}
		list := []herald.Article{a}
		var buf bytes.Buffer
		if err := WriteAtom(&buf, testFeed, list); err != nil {
			t.Fatal(err)
		}
		var atom atomDoc
		strictXML(t, buf.Bytes(), &atom)
		if d := scriptcheck.Executable(atom.Entries[0].Content.Body); d != "" {
			t.Errorf("atom content: %s", d)
		}
		for _, l := range atom.Entries[0].Links {
			if !linkOK(l.Href) {
				t.Errorf("atom link %q", l.Href)
			}
		}
		buf.Reset()
		if err := WriteRSS(&buf, testFeed, list); err != nil {
			t.Fatal(err)
		}
		var rss rssDoc
		strictXML(t, buf.Bytes(), &rss)
		if d := scriptcheck.Executable(rss.Channel.Items[0].Description); d != "" {
			t.Errorf("rss description: %s", d)
		}
		buf.Reset()
		if err := WriteJSONFeed(&buf, testFeed, list); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) || !utf8.Valid(buf.Bytes()) {
			t.Errorf("invalid JSON Feed: %q", buf.Bytes())
		}
	})
}

// FuzzQuery sends arbitrary query strings: the answer is 200 or 400, never
// a panic or a 500.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"", "limit=5", "limit=0", "tag=a&tag=b", "before=%ff", "feed=wire&limit=500&before=MTIz", "limit=1e9"} {
		f.Add(q)
	}
	fa := newFakeArchive(makeArticles(20), baseTime)
	h := New(fa, Options{Now: func() time.Time { return baseTime }}).Handler()
	f.Fuzz(func(t *testing.T, raw string) {
		for _, p := range []string{"/feed.atom", "/api/articles"} {
			r, err := http.NewRequest(http.MethodGet, "http://localhost"+p, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Whatever bytes arrive after "?", as a raw client could send.
			r.URL.RawQuery = raw
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 200 && w.Code != 400 {
				t.Errorf("%s?%s: status %d", p, r.URL.RawQuery, w.Code)
			}
		}
	})
}
