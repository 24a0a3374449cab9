package feed

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
)

func TestSeedFeed(t *testing.T) {
	body, err := os.ReadFile("../../shared/fixtures/seed/feed.xml")
	if err != nil {
		t.Skipf("seed fixture not found (the shared directory sits beside the repository): %v", err)
	}
	doc, err := Parse(body, "application/rss+xml", "http://www.koreaherald.com/rss/newsAll")
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Entries) != 1 {
		t.Fatalf("got %d entries, want 1", len(doc.Entries))
	}
	e := doc.Entries[0]
	checks := []struct{ name, got, want string }{
		{"GUID", e.GUID, "20150624000515"},
		{"Key", e.Key, "20150624000515"},
		{"Link", e.Link, "http://www.koreaherald.com/view.php?ud=20150624000515&utm_source=rss&utm_medium=feed"},
		{"Title", e.Title, "S. Korea, Japan to boost defense ties this year"},
		{"Published", e.Published.Format(time.RFC3339), "2015-06-24T09:40:00+09:00"},
		{"Byline", e.Byline, "KH디지털2"},
		{"doc.Title", doc.Title, "The Korea Herald - National"},
		{"doc.Language", doc.Language, "en"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.HasPrefix(e.Summary, "On the back of new momentum") || e.Content == "" {
		t.Errorf("Summary %q, Content %q", e.Summary, e.Content)
	}
	if doc.Hints.TTL != 30*time.Minute {
		t.Errorf("TTL = %v, want 30m", doc.Hints.TTL)
	}
	if len(doc.Warnings) != 0 {
		t.Errorf("unexpected warnings %q", doc.Warnings)
	}
}

var now = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func mustParse(t *testing.T, body, contentType, feedURL string) *herald.Document {
	t.Helper()
	doc, err := ParseAt([]byte(body), contentType, feedURL, now)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return doc
}

func rssDoc(items string) string {
	return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><link>https://example.org/</link>` + items + `</channel></rss>`
}

func TestEntries(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		url   string
		check func(t *testing.T, d *herald.Document)
	}{
		{
			name: "relative link against feed URL",
			body: rssDoc(`<item><title>a</title><link>/post/1?x=1</link></item>`),
			url:  "https://example.org/blog/feed.xml",
			check: func(t *testing.T, d *herald.Document) {
				want(t, "Link", d.Entries[0].Link, "https://example.org/post/1?x=1")
				want(t, "GUID", d.Entries[0].GUID, "https://example.org/post/1?x=1")
			},
		},
		{
			name: "atom xml:base",
			body: `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.example/dir/"><title>T</title>
				<entry><id>tag:x,2020:1</id><title type="html">A &lt;b&gt;bold&lt;/b&gt; move</title><link href="p/1.html"/><updated>2020-01-02T03:04:05Z</updated></entry></feed>`,
			url: "https://other.example/feed",
			check: func(t *testing.T, d *herald.Document) {
				want(t, "Link", d.Entries[0].Link, "https://base.example/dir/p/1.html")
				want(t, "Title", d.Entries[0].Title, "A bold move")
				want(t, "Published from updated", d.Entries[0].Published.Format(time.RFC3339), "2020-01-02T03:04:05Z")
			},
		},
		{
			name: "no guid, no link: content hash",
			body: rssDoc(`<item><title>Only a title</title></item>`),
			check: func(t *testing.T, d *herald.Document) {
				g := d.Entries[0].GUID
				if !strings.HasPrefix(g, "sha256:") || len(g) != len("sha256:")+64 {
					t.Errorf("GUID = %q, want sha256:<64 hex>", g)
				}
				want(t, "Key", d.Entries[0].Key, g)
			},
		},
		{
			name: "guid as permalink when link is missing",
			body: rssDoc(`<item><guid> https://example.org/p/9 </guid><title>x</title></item>`),
			check: func(t *testing.T, d *herald.Document) {
				want(t, "GUID", d.Entries[0].GUID, "https://example.org/p/9")
				want(t, "Link", d.Entries[0].Link, "https://example.org/p/9")
			},
		},
		{
			name: "repeated guid with different links",
			body: rssDoc(`<item><guid>1</guid><title>a</title><link>https://e.org/a</link></item>
				<item><guid>1</guid><title>b</title><link>https://e.org/b</link></item>
				<item><guid>2</guid><title>c</title><link>https://e.org/c</link></item>
				<item><guid>2</guid><title>c again</title><link>https://e.org/c</link></item>`),
			check: func(t *testing.T, d *herald.Document) {
				keys := []string{"1 https://e.org/a", "1 https://e.org/b", "2", "2"}
				for i, k := range keys {
					want(t, fmt.Sprintf("Key[%d]", i), d.Entries[i].Key, k)
				}
				want(t, "GUID[1]", d.Entries[1].GUID, "1")
			},
		},
		{
			name: "empty items dropped",
			body: rssDoc(`<item></item><item><title> </title></item><item><title>kept</title></item>`),
			check: func(t *testing.T, d *herald.Document) {
				if len(d.Entries) != 1 || d.Entries[0].Title != "kept" {
					t.Errorf("entries %+v", d.Entries)
				}
			},
		},
		{
			name: "content, summary, byline, categories, image",
			body: `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
				<item><title>  Two
				lines  </title><link>https://e.org/1</link><description>&lt;p&gt;Short &amp;amp; sweet&lt;/p&gt;</description>
				<content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded><dc:creator>Jane Doe</dc:creator>
				<category>World</category><category>World</category><category> Asia </category>
				<media:thumbnail url="/img/t.jpg"/></item></channel></rss>`,
			url: "https://e.org/feed",
			check: func(t *testing.T, d *herald.Document) {
				e := d.Entries[0]
				want(t, "Title", e.Title, "Two lines")
				want(t, "Summary", e.Summary, "Short & sweet")
				want(t, "Content", e.Content, "<p>Full <b>text</b></p>")
				want(t, "Byline", e.Byline, "Jane Doe")
				want(t, "Categories", strings.Join(e.Categories, "|"), "World|Asia")
				want(t, "Image", e.Image, "https://e.org/img/t.jpg")
			},
		},
		{
			name: "description becomes content when there is no content",
			body: rssDoc(`<item><title>a</title><description>&lt;p&gt;Hi&lt;/p&gt;</description></item>`),
			check: func(t *testing.T, d *herald.Document) {
				want(t, "Content", d.Entries[0].Content, "<p>Hi</p>")
				want(t, "Summary", d.Entries[0].Summary, "Hi")
			},
		},
		{
			name: "image enclosure",
			body: rssDoc(`<item><title>a</title><enclosure url="https://e.org/a.mp3" type="audio/mpeg" length="1"/><enclosure url="https://e.org/a.png" type="image/png" length="1"/></item>`),
			check: func(t *testing.T, d *herald.Document) {
				want(t, "Image", d.Entries[0].Image, "https://e.org/a.png")
			},
		},
		{
			name: "dates: named zone, out of range, future, missing",
			body: rssDoc(`<item><title>kst</title><pubDate>Wed, 24 Jun 2015 09:40:00 KST</pubDate></item>
				<item><title>old</title><pubDate>Mon, 01 Jan 1900 00:00:00 GMT</pubDate></item>
				<item><title>future</title><pubDate>Mon, 01 Jan 2035 00:00:00 GMT</pubDate></item>
				<item><title>none</title></item>
				<item><title>garbage</title><pubDate>yesterday-ish</pubDate></item>`),
			check: func(t *testing.T, d *herald.Document) {
				want(t, "kst", d.Entries[0].Published.Format(time.RFC3339), "2015-06-24T09:40:00+09:00")
				for _, e := range d.Entries[1:] {
					if !e.Published.IsZero() {
						t.Errorf("%s: Published = %v, want zero", e.Title, e.Published)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParse(t, tt.body, "", tt.url))
		})
	}
}

func want(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestHints(t *testing.T) {
	d := mustParse(t, `<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>T</title>
		<ttl>60</ttl><skipHours><hour>0</hour><hour>24</hour><hour>7</hour><hour>x</hour></skipHours>
		<skipDays><day>Saturday</day><day>sunday</day><day>Funday</day></skipDays>
		<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>
		<item><title>a</title></item></channel></rss>`, "", "")
	h := d.Hints
	if h.TTL != time.Hour || h.UpdatePeriod != 15*time.Minute {
		t.Errorf("TTL %v, UpdatePeriod %v; want 1h, 15m", h.TTL, h.UpdatePeriod)
	}
	if fmt.Sprint(h.SkipHours) != "[0 7]" {
		t.Errorf("SkipHours = %v, want [0 7]", h.SkipHours)
	}
	if fmt.Sprint(h.SkipDays) != "[Saturday Sunday]" {
		t.Errorf("SkipDays = %v", h.SkipDays)
	}

	d = mustParse(t, `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
		<channel rdf:about="x"><title>T</title><sy:updatePeriod>daily</sy:updatePeriod></channel>
		<item rdf:about="https://e.org/1"><title>a</title><link>https://e.org/1</link></item></rdf:RDF>`, "", "")
	if d.Hints.UpdatePeriod != 24*time.Hour || len(d.Entries) != 1 {
		t.Errorf("RSS 1.0: UpdatePeriod %v, %d entries", d.Hints.UpdatePeriod, len(d.Entries))
	}
}

func TestRepairs(t *testing.T) {
	items := `<item><title>one</title><link>https://e.org/1</link></item><item><title>two</title><link>https://e.org/2</link></item>`
	tests := []struct {
		name        string
		body        string
		contentType string
		entries     int
		warning     string // a substring of a warning, if one is expected
	}{
		{"whitespace before root, no declaration", "\n\n   \t" + rssDoc(items)[38:], "", 2, ""},
		{"broken declaration", `<?phpxml version="1.0"?>` + rssDoc(items)[38:], "", 2, ""},
		{"xml 1.1", `<?xml version="1.1" encoding="utf-8"?>` + rssDoc(items)[38:], "", 2, ""},
		{"served as text/plain", rssDoc(items), "text/plain", 2, ""},
		{"served as text/html", rssDoc(items), "text/html; charset=utf-8", 2, ""},
		{"control characters", rssDoc(strings.Replace(items, "one", "o\x00n\x0Be\x1A", 1)), "", 2, ""},
		{"bare ampersands", rssDoc(strings.Replace(items, "one", "Tom & Jerry", 1)), "", 2, ""},
		{"forbidden character reference", rssDoc(strings.Replace(items, "one", "alpha&#26;omega", 1)), "", 2, "repaired"},
		{"stray less-than", rssDoc(strings.Replace(items, "one", "a < b", 1)), "", 2, "repaired"},
		{"truncated after two items", rssDoc(items + `<item><title>three</title><link>https://e.o`)[:len(rssDoc(items))-len("</channel></rss>")+40], "", 2, "truncated document: kept 2 entries"},
		{"truncated inside the only item", strings.TrimSuffix(rssDoc(`<item><title>only</title><link>https://e.org/1</link><description>cut he`), "</channel></rss>"), "", 1, "truncated"},
		{"unterminated root end tag", strings.TrimSuffix(rssDoc(items), ">"), "", 2, "truncated"},
		{"atom entry document", `<?xml version="1.0"?><entry xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>solo</title><link href="https://e.org/solo"/></entry>`, "", 1, "entry document"},
		{"doctype with internal entities", `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "expanded">]>` + rssDoc(strings.Replace(items, "one", "&x;", 1))[38:], "", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, tt.body, tt.contentType, "https://e.org/feed")
			if len(d.Entries) != tt.entries {
				t.Errorf("%d entries, want %d: %+v", len(d.Entries), tt.entries, d.Entries)
			}
			if tt.warning == "" && len(d.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", d.Warnings)
			}
			if tt.warning != "" && !strings.Contains(strings.Join(d.Warnings, "\n"), tt.warning) {
				t.Errorf("warnings %q, want one containing %q", d.Warnings, tt.warning)
			}
		})
	}
}

func TestGzipBody(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(rssDoc(`<item><title>zipped</title></item>`)))
	zw.Close()
	d := mustParse(t, buf.String(), "application/rss+xml", "")
	if len(d.Entries) != 1 || d.Entries[0].Title != "zipped" {
		t.Fatalf("entries %+v", d.Entries)
	}

	// A gzip bomb, against a smaller limit than Parse's 16 MiB to keep the
	// test fast: 3 MiB of zeros compress to a few KiB.
	buf.Reset()
	zw = gzip.NewWriter(&buf)
	zw.Write(make([]byte, 3<<20))
	zw.Close()
	if _, _, err := gunzip(buf.Bytes(), 2<<20); err == nil || !strings.Contains(err.Error(), "beyond 2 MiB") {
		t.Errorf("gzip bomb: err = %v, want a 2 MiB limit error", err)
	}
	if out, _, err := gunzip(buf.Bytes(), maxGunzip); err != nil || len(out) != 3<<20 {
		t.Errorf("within the limit: %d bytes, %v", len(out), err)
	}

	// Cut short: what was decompressed is kept, with a warning.
	buf.Reset()
	zw = gzip.NewWriter(&buf)
	zw.Write(manyItems(50))
	zw.Close()
	d, err := ParseAt(buf.Bytes()[:buf.Len()/2], "", "", now)
	if err != nil || len(d.Entries) == 0 || !strings.Contains(strings.Join(d.Warnings, " "), "gzip body is truncated") {
		t.Errorf("truncated gzip: %v, %+v", err, d)
	}
}

func TestNotFeed(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Blog</title>
		<link rel="alternate" type="application/rss+xml" href="/feed.xml">
		<link rel="alternate stylesheet" type="text/css" href="/x.css">
		<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://cdn.example/atom">
		<link rel="alternate" type="application/feed+json" href="feed.json">
		</head><body><link rel="alternate" type="application/rss+xml" href="/ignored-in-body.xml"></body></html>`
	_, err := ParseAt([]byte(page), "text/html", "https://blog.example/posts/", now)
	var nf *NotFeedError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want *NotFeedError", err)
	}
	wantAlt := []string{"https://blog.example/feed.xml", "https://cdn.example/atom", "https://blog.example/posts/feed.json"}
	if fmt.Sprint(nf.Alternates) != fmt.Sprint(wantAlt) {
		t.Errorf("Alternates = %q, want %q", nf.Alternates, wantAlt)
	}
	if !strings.HasPrefix(err.Error(), "not a feed but an HTML page; it links to feed https://blog.example/feed.xml") {
		t.Errorf("Error() = %q", err.Error())
	}

	_, err = ParseAt([]byte("<head><title>Moved</title></head><body>gone</body>"), "", "", now)
	if !errors.As(err, &nf) || len(nf.Alternates) != 0 || err.Error() != "not a feed but an HTML page" {
		t.Errorf("headless page: err = %v", err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty", "", "empty document"},
		{"blank", " \n\t", "empty document"},
		{"unknown root", `<?xml version="1.0"?><note><to>x</to></note>`, "not a feed: the root element is <note>"},
		{"no markup", "hello", "not a feed: no XML root element"},
		{"broken before any item", `<rss version="2.0"><channel><title>T</title><item><title>a</tit`, "XML syntax error at line 1"},
		{"rss 1.1", `<Channel xmlns="http://purl.org/net/rss1.1#"><title>x</title></Channel>`, "unsupported feed format"},
		{"json array", `[1,2]`, "not a feed"},
		{"bad json", `{"items": [`, "JSON Feed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAt([]byte(tt.body), "", "", now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	_, err := ParseAt([]byte("<rss><channel><item><title>a\n\n<!-- x"), "", "", now)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 3 {
		t.Errorf("err = %#v, want *SyntaxError at line 3", err)
	}
}

func TestJSONFeed(t *testing.T) {
	good := `{"version":"https://jsonfeed.org/version/1.1","title":"J","home_page_url":"https://j.example/",
		"items":[{"id":"1","url":"/a","title":"A","content_html":"<p>a</p>","summary":"sum","date_published":"2020-01-02T03:04:05+09:00","tags":["x","y"],"authors":[{"name":"Ann"}],"image":"/i.png"},
		{"id":"2","content_text":"plain"}]}`
	d := mustParse(t, good, "application/json", "https://j.example/feed.json")
	if len(d.Entries) != 2 || len(d.Warnings) != 0 {
		t.Fatalf("%d entries, warnings %q", len(d.Entries), d.Warnings)
	}
	e := d.Entries[0]
	want(t, "Link", e.Link, "https://j.example/a")
	want(t, "Published", e.Published.Format(time.RFC3339), "2020-01-02T03:04:05+09:00")
	want(t, "Byline", e.Byline, "Ann")
	want(t, "Tags", strings.Join(e.Categories, ","), "x,y")
	want(t, "Image", e.Image, "https://j.example/i.png")
	want(t, "Summary", e.Summary, "sum")

	loose := strings.Replace(good, `"tags":["x","y"]`, `"tags":"x, y"`, 1)
	loose = strings.Replace(loose, `"id":"2"`, `"id":2`, 1)
	d = mustParse(t, loose, "", "https://j.example/feed.json")
	if len(d.Entries) != 2 || strings.Join(d.Entries[0].Categories, ",") != "x,y" || d.Entries[1].GUID != "2" {
		t.Errorf("loose: %+v", d.Entries)
	}
	if len(d.Warnings) == 0 {
		t.Errorf("loose: no warning")
	}

	cut := good[:strings.Index(good, `{"id":"2"`)+12]
	d = mustParse(t, cut, "", "https://j.example/feed.json")
	if len(d.Entries) != 1 || !strings.Contains(strings.Join(d.Warnings, ""), "truncated document: kept 1 entries") {
		t.Errorf("truncated: %d entries, warnings %q", len(d.Entries), d.Warnings)
	}
}

// TestHostileInput checks that entity bombs do not expand and that huge
// fields and huge feeds parse in bounded time.
func TestHostileInput(t *testing.T) {
	laughs := `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">` +
		`<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
		`<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">` +
		`<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
		`<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9; &xxe;</title></item></channel></rss>`
	d := mustParse(t, laughs, "", "")
	if len(d.Entries) != 1 || len(d.Entries[0].Title) > 100 || strings.Contains(d.Entries[0].Title, "root:") {
		t.Errorf("entities expanded: %q", d.Entries[0].Title)
	}

	big := strings.Repeat("word ", 200_000) // 1 MB
	d = mustParse(t, rssDoc(`<item><title>`+big+`</title><description>`+big+`</description></item>`), "", "")
	if e := d.Entries[0]; len(e.Title) > maxTitle || len(e.Summary) > maxSummary || !strings.HasPrefix(e.Title, "word word") || !strings.HasSuffix(e.Title, "…") {
		t.Errorf("1 MB title and summary: kept %d and %d bytes, want at most %d and %d, cut with …", len(e.Title), len(e.Summary), maxTitle, maxSummary)
	}

	n := 100_000
	if raceEnabled {
		n = 10_000
	}
	d = mustParse(t, string(manyItems(n)), "", "https://e.org/")
	if len(d.Entries) != MaxEntries {
		t.Errorf("got %d entries, want the first %d", len(d.Entries), MaxEntries)
	}
	if e := d.Entries[MaxEntries-1]; e.Link != fmt.Sprintf("https://e.org/p/%d", MaxEntries-1) || e.Published.IsZero() {
		t.Errorf("last entry kept %+v", e)
	}
	if want := fmt.Sprintf("kept %d of %d entries", MaxEntries, n); !slices.Contains(d.Warnings, want) {
		t.Errorf("warnings %q lack %q", d.Warnings, want)
	}
}

func manyItems(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Item %d</title><link>/p/%d</link><guid>id-%d</guid><pubDate>Mon, 02 Jan 2006 15:04:05 -0700</pubDate><description>Text of item %d &amp; more.</description></item>`, i, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// An RSS 0.91 feed without GUIDs whose items link to one page keeps every
// item apart (issue 13, item 2): 14 items, three linking to "index.php#"
// and two to "index.php#12", give 14 keys.
func TestNoGUIDRepeatedLinksKeptApart(t *testing.T) {
	var items strings.Builder
	for i := range 14 {
		link := fmt.Sprintf("http://e.org/p%d.html", i)
		switch {
		case i < 3:
			link = "http://e.org/index.php#"
		case i < 5:
			link = "http://e.org/index.php#12"
		}
		fmt.Fprintf(&items, "<item><title>Item %d</title><link>%s</link><description>Text %d</description></item>\n", i, link, i)
	}
	// Two items alike in link and title, different in text.
	items.WriteString("<item><title>Same</title><link>http://e.org/s</link><description>one</description></item>\n")
	items.WriteString("<item><title>Same</title><link>http://e.org/s</link><description>two</description></item>\n")
	body := `<?xml version="1.0"?><rss version="0.91"><channel><title>t</title><link>http://e.org/</link><description>d</description>` + items.String() + `</channel></rss>`
	d, err := Parse([]byte(body), "application/rss+xml", "http://e.org/rss.xml")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, e := range d.Entries {
		keys[e.Key] = true
	}
	if len(d.Entries) != 16 || len(keys) != 16 {
		t.Fatalf("%d entries, %d keys; want 16 and 16", len(d.Entries), len(keys))
	}
	// An item whose link is its own keeps the link as its key, as before.
	want(t, "Key[5]", d.Entries[5].Key, "http://e.org/p5.html")
}
