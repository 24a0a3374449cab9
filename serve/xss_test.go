package serve

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"herald"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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

// dangerous reports the first thing in an HTML fragment that could run
// script: a script-capable element, an event handler, or a URL attribute
// with a scheme other than http(s), mailto or a relative reference.
func dangerous(fragment string) string {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return "unparseable: " + err.Error()
	}
	var found string
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if found != "" {
			return
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "svg", "iframe", "object", "embed", "style", "link", "meta", "base", "form", "math":
				found = "<" + n.Data + ">"
				return
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" || k == "formaction" {
					found = "attribute " + a.Key
					return
				}
				if k == "href" || k == "src" || k == "action" || k == "xlink:href" || k == "poster" || k == "srcset" {
					if badURL(a.Val) {
						found = a.Key + "=" + a.Val
						return
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	for _, n := range nodes {
		visit(n)
	}
	return found
}

// badURL is a URL that is neither relative nor http(s) or mailto, judged
// after removing what browsers ignore (spaces, control characters).
func badURL(s string) bool {
	s = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(s))
	i := strings.IndexAny(s, ":/?#")
	if i < 0 || s[i] != ':' {
		return false // relative
	}
	switch s[:i] {
	case "http", "https", "mailto":
		return false
	}
	return true
}

// linkOK is a link a reader makes clickable: absent, or http(s).
func linkOK(s string) bool { return s == "" || webURL(s) != "" }

func TestNoScriptInAnyOutput(t *testing.T) {
	a := evilArticle(t)
	fa := newFakeArchive([]herald.Article{a}, baseTime)
	fa.states = []herald.FeedState{{Name: a.Sources[0].Feed, URL: a.Sources[0].FeedURL, LastError: a.Title}}
	h := New(fa, Options{Title: `<script>alert("title")</script>`, Now: func() time.Time { return baseTime }}).Handler()

	outputs := map[string]string{}
	for _, p := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/api/articles", "/api/feeds", "/"} {
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
	_, page, _ := strings.Cut(outputs["/"], "</head>")
	if d := dangerous(page); d != "" {
		t.Errorf("status page: %s", d)
	}

	var atom atomDoc
	strictXML(t, []byte(outputs["/feed.atom"]), &atom)
	e := atom.Entries[0]
	if d := dangerous(e.Content.Body); d != "" {
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
		if d := dangerous(frag); d != "" {
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
	if d := dangerous(ji.ContentHTML); d != "" {
		t.Errorf("json content_html: %s", d)
	}
	if !linkOK(ji.URL) || !linkOK(ji.Image) || ji.Language != "" {
		t.Errorf("json url %q image %q language %q", ji.URL, ji.Image, ji.Language)
	}
}

func TestDangerousDetects(t *testing.T) {
	// The checker itself must catch what it looks for.
	for _, frag := range []string{
		"<script>x</script>", `<img src=x onerror=alert(1)>`, `<a href="javascript:x">`, `<a href=" JaVa&#x09;script:x">`,
		`<svg onload=x>`, `<iframe src="https://e">`, `<p style="x">`, `<img src="data:text/html,x">`,
	} {
		if dangerous(frag) == "" {
			t.Errorf("dangerous(%q) found nothing", frag)
		}
	}
	for _, frag := range []string{`<p>ok <a href="https://e/">x</a> <a href="/rel">y</a> <img src="pic.png"></p>`} {
		if d := dangerous(frag); d != "" {
			t.Errorf("dangerous(%q) = %s", frag, d)
		}
	}
}
