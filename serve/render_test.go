package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"herald"
)

// The documents as a reader sees them, for decoding the output.
type (
	xLink struct {
		Rel   string `xml:"rel,attr"`
		Type  string `xml:"type,attr"`
		Href  string `xml:"href,attr"`
		Title string `xml:"title,attr"`
	}
	xText struct {
		Type string `xml:"type,attr"`
		Base string `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
		Body string `xml:",chardata"`
	}
	atomDoc struct {
		XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string      `xml:"id"`
		Title   xText       `xml:"title"`
		Updated string      `xml:"updated"`
		Author  string      `xml:"author>name"`
		Links   []xLink     `xml:"link"`
		Entries []atomEntry `xml:"entry"`
	}
	atomEntry struct {
		XMLName   xml.Name `xml:"entry"`
		Lang      string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID        string   `xml:"id"`
		Title     xText    `xml:"title"`
		Updated   string   `xml:"updated"`
		Published string   `xml:"published"`
		Author    string   `xml:"author>name"`
		Links     []xLink  `xml:"link"`
		Terms     []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
		Summary xText `xml:"summary"`
		Content xText `xml:"content"`
		Source  struct {
			ID    string  `xml:"id"`
			Title string  `xml:"title"`
			Links []xLink `xml:"link"`
		} `xml:"source"`
	}
	rssDoc struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel struct {
			Title string `xml:"title"`
			// <link> and <atom:link> share a local name; Space tells them apart.
			Links []struct {
				XMLName xml.Name
				Rel     string `xml:"rel,attr"`
				Href    string `xml:"href,attr"`
				Text    string `xml:",chardata"`
			} `xml:"link"`
			Description   string    `xml:"description"`
			LastBuildDate string    `xml:"lastBuildDate"`
			AtomLinks     []xLink   `xml:"http://www.w3.org/2005/Atom link"`
			Items         []rssItem `xml:"item"`
		} `xml:"channel"`
	}
	rssItem struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		Description string `xml:"description"`
		GUID        struct {
			IsPermaLink string `xml:"isPermaLink,attr"`
			Value       string `xml:",chardata"`
		} `xml:"guid"`
		PubDate    string   `xml:"pubDate"`
		Creator    string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
		Categories []string `xml:"category"`
		Source     struct {
			URL  string `xml:"url,attr"`
			Name string `xml:",chardata"`
		} `xml:"source"`
	}
	jsonFeedDoc struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		NextURL     string `json:"next_url"`
		Items       []struct {
			ID            string   `json:"id"`
			URL           string   `json:"url"`
			Title         string   `json:"title"`
			ContentHTML   string   `json:"content_html"`
			ContentText   string   `json:"content_text"`
			Summary       string   `json:"summary"`
			Image         string   `json:"image"`
			DatePublished string   `json:"date_published"`
			DateModified  string   `json:"date_modified"`
			Tags          []string `json:"tags"`
			Language      string   `json:"language"`
			Authors       []struct {
				Name string `json:"name"`
			} `json:"authors"`
			Herald struct {
				Sources []struct {
					Feed, FeedURL, GUID, Link, Seen string
				} `json:"sources"`
				ExtractedBy string `json:"extracted_by"`
				ContentHash string `json:"content_hash"`
			} `json:"_herald"`
		} `json:"items"`
	}
)

// strictXML decodes data with encoding/xml, which rejects characters XML
// 1.0 forbids and undefined entities.
func strictXML(t testing.TB, data []byte, v any) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
	}
	if err := xml.Unmarshal(data, v); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

var testFeed = Feed{
	Title:   "Herald",
	ID:      "urn:herald:feed",
	SelfURL: "http://127.0.0.1:8080/feed.atom",
	HomeURL: "http://127.0.0.1:8080/",
	NextURL: "http://127.0.0.1:8080/feed.atom?before=xyz",
	Updated: baseTime,
}

func linkTo(links []xLink, rel string) string {
	for _, l := range links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func TestWriteAtom(t *testing.T) {
	articles := makeArticles(8)
	var buf bytes.Buffer
	if err := WriteAtom(&buf, testFeed, articles); err != nil {
		t.Fatal(err)
	}
	var doc atomDoc
	strictXML(t, buf.Bytes(), &doc)
	if doc.ID != testFeed.ID || doc.Title.Body != "Herald" || doc.Author != "Herald" {
		t.Errorf("feed head: id %q title %q author %q", doc.ID, doc.Title.Body, doc.Author)
	}
	if doc.Updated != "2025-03-14T09:30:00+09:00" {
		t.Errorf("updated %q", doc.Updated)
	}
	for rel, want := range map[string]string{"self": testFeed.SelfURL, "alternate": testFeed.HomeURL, "next": testFeed.NextURL} {
		if got := linkTo(doc.Links, rel); got != want {
			t.Errorf("feed link %s = %q, want %q", rel, got, want)
		}
	}
	if len(doc.Entries) != len(articles) {
		t.Fatalf("%d entries, want %d", len(doc.Entries), len(articles))
	}
	for i, e := range doc.Entries {
		a := articles[i]
		if e.ID != "urn:herald:article:"+a.ID {
			t.Errorf("entry %d id %q", i, e.ID)
		}
		if e.Title.Body != a.Title || e.Title.Type != "text" {
			t.Errorf("entry %d title %q (%s), want %q", i, e.Title.Body, e.Title.Type, a.Title)
		}
		wantAuthor := a.Byline
		if wantAuthor == "" {
			wantAuthor = a.Sources[0].Feed
		}
		if e.Author != wantAuthor {
			t.Errorf("entry %d author %q, want %q", i, e.Author, wantAuthor)
		}
		if got := linkTo(e.Links, "alternate"); got != a.URL {
			t.Errorf("entry %d alternate %q", i, got)
		}
		if e.Published != a.Published.Format(time.RFC3339) {
			t.Errorf("entry %d published %q", i, e.Published)
		}
		if e.Updated == "" || e.Lang != a.Lang {
			t.Errorf("entry %d updated %q lang %q", i, e.Updated, e.Lang)
		}
		if e.Content.Type != "html" || e.Content.Base != a.URL || !strings.Contains(e.Content.Body, "<p>First paragraph of") {
			t.Errorf("entry %d content %+v", i, e.Content)
		}
		if e.Source.ID != a.Sources[0].FeedURL || e.Source.Title != a.Sources[0].Feed {
			t.Errorf("entry %d source %+v", i, e.Source)
		}
		if len(a.Sources) > 1 && linkTo(e.Links, "via") != a.Sources[1].Link {
			t.Errorf("entry %d: second source not a via link: %+v", i, e.Links)
		}
		var terms []string
		for _, c := range e.Terms {
			terms = append(terms, c.Term)
		}
		if strings.Join(terms, ",") != strings.Join(a.Tags, ",") {
			t.Errorf("entry %d categories %v, want %v", i, terms, a.Tags)
		}
	}
}

func TestWriteRSS(t *testing.T) {
	articles := makeArticles(8)
	var buf bytes.Buffer
	if err := WriteRSS(&buf, testFeed, articles); err != nil {
		t.Fatal(err)
	}
	var doc rssDoc
	strictXML(t, buf.Bytes(), &doc)
	ch := doc.Channel
	links := map[string]string{}
	for _, l := range ch.Links {
		if l.XMLName.Space == "" {
			links["channel"] = l.Text
		} else {
			links[l.Rel] = l.Href
		}
	}
	if doc.Version != "2.0" || ch.Title != "Herald" || links["channel"] != testFeed.HomeURL || ch.Description == "" {
		t.Errorf("channel head: %+v", ch)
	}
	if links["next"] != testFeed.NextURL || links["self"] != testFeed.SelfURL {
		t.Errorf("atom:links %+v", ch.Links)
	}
	if len(ch.Items) != len(articles) {
		t.Fatalf("%d items", len(ch.Items))
	}
	for i, it := range ch.Items {
		a := articles[i]
		if it.GUID.Value != "urn:herald:article:"+a.ID || it.GUID.IsPermaLink != "false" {
			t.Errorf("item %d guid %+v", i, it.GUID)
		}
		pub, err := time.Parse(time.RFC1123Z, it.PubDate)
		if err != nil || !pub.Equal(a.Published) {
			t.Errorf("item %d pubDate %q: %v", i, it.PubDate, err)
		}
		if it.Link != a.URL || it.Creator == "" || !strings.Contains(it.Description, "<p>") {
			t.Errorf("item %d: link %q creator %q description %q", i, it.Link, it.Creator, it.Description)
		}
		// A literal "<" in a title is written as an entity for readers
		// that take titles as HTML.
		if want := strings.ReplaceAll(a.Title, "<", "&lt;"); it.Title != want {
			t.Errorf("item %d title %q, want %q", i, it.Title, want)
		}
		if it.Source.URL != a.Sources[0].FeedURL || it.Source.Name != a.Sources[0].Feed {
			t.Errorf("item %d source %+v", i, it.Source)
		}
		if strings.Join(it.Categories, ",") != strings.Join(a.Tags, ",") {
			t.Errorf("item %d categories %v", i, it.Categories)
		}
	}
}

func TestWriteJSONFeed(t *testing.T) {
	articles := makeArticles(8)
	var buf bytes.Buffer
	if err := WriteJSONFeed(&buf, testFeed, articles); err != nil {
		t.Fatal(err)
	}
	var doc jsonFeedDoc
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	if doc.Version != JSONFeedVersion || doc.Title != "Herald" || doc.NextURL != testFeed.NextURL || doc.FeedURL != testFeed.SelfURL {
		t.Errorf("head: %+v", doc)
	}
	if len(doc.Items) != len(articles) {
		t.Fatalf("%d items", len(doc.Items))
	}
	for i, it := range doc.Items {
		a := articles[i]
		if it.ID != "urn:herald:article:"+a.ID || it.URL != a.URL || it.Title != a.Title {
			t.Errorf("item %d: %q %q %q", i, it.ID, it.URL, it.Title)
		}
		if it.ContentHTML == "" || it.ContentText != a.Text || it.Summary != a.Summary {
			t.Errorf("item %d content: %q / %q / %q", i, it.ContentHTML, it.ContentText, it.Summary)
		}
		if p, err := time.Parse(time.RFC3339, it.DatePublished); err != nil || !p.Equal(a.Published) {
			t.Errorf("item %d date_published %q", i, it.DatePublished)
		}
		if (it.DateModified == "") != a.Updated.IsZero() {
			t.Errorf("item %d date_modified %q for %v", i, it.DateModified, a.Updated)
		}
		if len(it.Authors) != 1 || it.Authors[0].Name == "" {
			t.Errorf("item %d authors %v", i, it.Authors)
		}
		if len(it.Herald.Sources) != len(a.Sources) || it.Herald.ExtractedBy != a.ExtractedBy || it.Herald.ContentHash != a.ContentHash {
			t.Errorf("item %d _herald %+v", i, it.Herald)
		}
		if strings.Join(it.Tags, ",") != strings.Join(a.Tags, ",") || it.Language != a.Lang {
			t.Errorf("item %d tags %v language %q", i, it.Tags, it.Language)
		}
	}
}

// hostile holds every kind of string that breaks naive XML writers.
var hostile = []string{
	"nul\x00and\x01control\x08chars\x0b\x0c\x1f",
	"invalid utf-8: \xff\xfe\xc3\x28 and a lone surrogate \xed\xa0\x80",
	"noncharacters \uFFFE\uFFFF and a CR\r\n",
	"]]> </content></entry><entry> & &amp; &bogus; <![CDATA[x]]>",
	"quotes \" ' and <tags> in attributes",
	"\u2028line separators\u2029 and emoji 🎉",
}

func hostileArticle(s string) herald.Article {
	return herald.Article{
		ID: "h" + s, URL: "https://example.com/" + s, Title: s, Byline: s, Summary: s, Text: s, HTML: "<p>" + s + "</p>",
		Lang: s, Image: s, Tags: []string{s, ""}, Published: baseTime, Updated: baseTime,
		Sources: []herald.Source{{Feed: s, FeedURL: "https://example.com/feed?" + s, GUID: s, Link: s, Seen: baseTime}},
	}
}

func TestRenderHostileFieldsWellFormed(t *testing.T) {
	var list []herald.Article
	for _, s := range hostile {
		list = append(list, hostileArticle(s))
	}
	// Dates beyond four-digit years cannot be written; they are dropped.
	list = append(list, herald.Article{ID: "far", Title: "far", Published: time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)})
	f := testFeed
	f.Title = hostile[0]
	for _, tc := range []struct {
		name  string
		write func(io.Writer, Feed, []herald.Article) error
	}{{"atom", WriteAtom}, {"rss", WriteRSS}, {"json", WriteJSONFeed}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf, f, list); err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(buf.Bytes()) {
				t.Error("output is not UTF-8")
			}
			switch tc.name {
			case "json":
				var doc jsonFeedDoc
				if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				if len(doc.Items) != len(list) {
					t.Errorf("%d items, want %d", len(doc.Items), len(list))
				}
			case "atom":
				var doc atomDoc
				strictXML(t, buf.Bytes(), &doc)
				if len(doc.Entries) != len(list) {
					t.Errorf("%d entries, want %d", len(doc.Entries), len(list))
				}
				if got := doc.Entries[3].Title.Body; !strings.Contains(got, "]]> </content></entry>") {
					t.Errorf("markup in a title was not kept as text: %q", got)
				}
			case "rss":
				var doc rssDoc
				strictXML(t, buf.Bytes(), &doc)
				if len(doc.Channel.Items) != len(list) {
					t.Errorf("%d items, want %d", len(doc.Channel.Items), len(list))
				}
			}
		})
	}
}

func TestXMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a&b<c>d"e'f`, "a&amp;b&lt;c&gt;d&quot;e&#39;f"},
		{"x\x00y\x1fz\tw\n", "xyz\tw\n"},
		{"cr\r", "cr&#xD;"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"\uFFFE\U0001F600", "\U0001F600"},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		x := xmlWriter{w: bufio.NewWriter(&buf)}
		x.text(tc.in)
		if err := x.flush(); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tc.want {
			t.Errorf("text(%q) = %q, want %q", tc.in, buf.String(), tc.want)
		}
	}
}

// failWriter fails after n bytes, to see write errors come back.
type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriteErrorsReturned(t *testing.T) {
	articles := makeArticles(400)
	for name, write := range map[string]func(io.Writer, Feed, []herald.Article) error{
		"atom": WriteAtom, "rss": WriteRSS, "json": WriteJSONFeed,
	} {
		if err := write(&failWriter{n: 1000}, testFeed, articles); err == nil {
			t.Errorf("%s: no error from a failing writer", name)
		}
	}
}
