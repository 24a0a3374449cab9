package serve

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/internal/scriptcheck"
)

// evilArticle carries script in every field a feed could smuggle it in.
func evilArticle(t *testing.T) herald.Article {
	t.Helper()
	data, err := os.ReadFile("testdata/evil.html")
	if err != nil {
		t.Fatal(err)
	}
	return herald.Article{
		ID:        `x"><script>alert(0)</script>`,
		URL:       "javascript:alert(9)",
		Title:     `<script>alert("t")</script><img src=x onerror=alert(1)> headline`,
		Byline:    `<b onmouseover=alert(11)>x</b>`,
		Summary:   `<svg onload=alert(12)>`,
		Text:      "plain <script>alert(13)</script>",
		HTML:      string(data),
		Image:     "javascript:alert(10)",
		Lang:      `en" onload="alert(14)`,
		Tags:      []string{`<script>alert(15)</script>`},
		Published: baseTime,
		Sources: []herald.Source{
			{Feed: `<script>alert(16)</script>`, FeedURL: "javascript:alert(17)", Link: "data:text/html,<script>alert(18)</script>"},
			{Feed: "wire", FeedURL: "vbscript:msgbox(19)", Link: " javascript:alert(20)"},
		},
	}
}

// linkOK is a link a reader makes clickable: absent, or http(s).
func linkOK(s string) bool { return s == "" || webURL(s) != "" }

func TestNoScriptInAnyOutput(t *testing.T) {
	a := evilArticle(t)
	fa := newFakeArchive([]herald.Article{a}, baseTime)
	fa.states = []herald.FeedState{{Name: a.Sources[0].Feed, URL: a.Sources[0].FeedURL, LastError: a.Title}}
	h := New(fa, Options{Title: `<script>alert("title")</script>`, Now: func() time.Time { return baseTime }}).Handler()

	outputs := map[string]string{}
	for _, p := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/api/articles", "/api/feeds", "/status", "/", "/read/" + url.PathEscape(a.ID)} {
		w := get(t, h, p)
		if w.Code != 200 {
			t.Fatalf("%s: %d", p, w.Code)
		}
		outputs[p] = w.Body.String()
	}
	// No raw script tag anywhere: markup from the article is escaped in
	// XML and JSON, and in the status page.
	for p, out := range outputs {
		if low := strings.ToLower(out); strings.Contains(low, "<script") || strings.Contains(low, "<svg") || strings.Contains(low, "<img src=x") {
			t.Errorf("%s carries raw markup from the article", p)
		}
	}
	// The page's own head holds <meta> and <style>; the data is in the body.
	_, page, _ := strings.Cut(outputs["/status"], "</head>")
	if d := scriptcheck.Executable(page); d != "" {
		t.Errorf("status page: %s", d)
	}
	// The reading pages' own header holds the search form; what comes
	// from the archive is in <main>.
	for _, p := range []string{"/", "/read/" + url.PathEscape(a.ID)} {
		_, main, _ := strings.Cut(outputs[p], "</header>")
		if d := scriptcheck.Executable(main); d != "" || !strings.Contains(main, "<main>") {
			t.Errorf("reading page %s: %q", p, d)
		}
	}

	var atom atomDoc
	strictXML(t, []byte(outputs["/feed.atom"]), &atom)
	e := atom.Entries[0]
	if d := scriptcheck.Executable(e.Content.Body); d != "" {
		t.Errorf("atom content: %s\n%s", d, e.Content.Body)
	}
	if e.Title.Type != "text" || e.Summary.Type != "text" || atom.Title.Type != "text" {
		t.Error("atom text constructs must be declared text, so readers escape them")
	}
	for _, l := range append(e.Links, append(e.Source.Links, atom.Links...)...) {
		if !linkOK(l.Href) {
			t.Errorf("atom link %s=%q", l.Rel, l.Href)
		}
	}
	if e.Lang != "" || e.Content.Base != "" {
		t.Errorf("atom xml:lang %q xml:base %q from hostile fields", e.Lang, e.Content.Base)
	}

	var rss rssDoc
	strictXML(t, []byte(outputs["/feed.rss"]), &rss)
	it := rss.Channel.Items[0]
	// RSS readers take title and description as HTML: both must be safe so.
	for name, frag := range map[string]string{"description": it.Description, "title": it.Title, "channel title": rss.Channel.Title, "channel description": rss.Channel.Description} {
		if d := scriptcheck.Executable(frag); d != "" {
			t.Errorf("rss %s: %s", name, d)
		}
	}
	if strings.Contains(it.Title, "<") {
		t.Errorf("rss title %q holds a literal <", it.Title)
	}
	if !linkOK(it.Link) || !linkOK(it.Source.URL) {
		t.Errorf("rss link %q source %q", it.Link, it.Source.URL)
	}

	var jf jsonFeedDoc
	if err := json.Unmarshal([]byte(outputs["/feed.json"]), &jf); err != nil {
		t.Fatal(err)
	}
	ji := jf.Items[0]
	if d := scriptcheck.Executable(ji.ContentHTML); d != "" {
		t.Errorf("json content_html: %s", d)
	}
	if !linkOK(ji.URL) || !linkOK(ji.Image) || ji.Language != "" {
		t.Errorf("json url %q image %q language %q", ji.URL, ji.Image, ji.Language)
	}
}
