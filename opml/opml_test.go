package opml

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseSample(t *testing.T) {
	f, err := os.Open("testdata/feedly.opml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Outline{
		{Title: "The Korea Herald", XMLURL: "https://www.koreaherald.com/rss/newsAll", HTMLURL: "https://www.koreaherald.com", Categories: []string{"News"}},
		{Title: "BBC News \u00a0- Home", XMLURL: "https://feeds.bbci.co.uk/news/rss.xml?edition=uk&x=1", HTMLURL: "https://www.bbc.co.uk/news/", Categories: []string{"News"}},
		{Title: "NPR Topics: News", XMLURL: "https://feeds.npr.org/1001/rss.xml", Categories: []string{"News", "us", "radio/public"}},
		{Title: "The Go Blog", XMLURL: "https://go.dev/blog/feed.atom", Categories: []string{"Tech", "Go"}},
		{Title: "Ars Technica", XMLURL: "https://feeds.arstechnica.com/arstechnica/index", Categories: []string{"Tech", "tech"}},
		{Title: "Hacker News", XMLURL: "https://hnrss.org/frontpage?points=100&count=30"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Outline
	}{
		{"no head, OPML 1.0, no type",
			`<opml version="1.0"><body><outline text="A" xmlUrl="https://a.com/"/></body></opml>`,
			[]Outline{{Title: "A", XMLURL: "https://a.com/"}}},
		{"nested categories",
			`<opml version="2.0"><body><outline text="x"><outline text="y"><outline text="A" xmlUrl="https://a.com/" category="y,z"/></outline></outline><outline text="B" xmlUrl="https://b.com/"/></body></opml>`,
			[]Outline{{Title: "A", XMLURL: "https://a.com/", Categories: []string{"x", "y", "z"}}, {Title: "B", XMLURL: "https://b.com/"}}},
		{"title when text is missing",
			`<opml><body><outline title="T" xmlUrl="https://a.com/"/></body></opml>`,
			[]Outline{{Title: "T", XMLURL: "https://a.com/"}}},
		{"no feeds", `<opml version="2.0"><head/><body/></opml>`, nil},
		{"BOM and doctype", "\ufeff<?xml version=\"1.0\"?><!DOCTYPE opml><opml><body><outline xmlUrl=\"https://a.com/\"/></body></opml>",
			[]Outline{{XMLURL: "https://a.com/"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseCharset(t *testing.T) {
	f, err := os.Open("testdata/latin1.opml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Parse(f)
	if err != nil || len(got) != 1 || got[0].Title != "Café" {
		t.Errorf("Parse = %+v, %v; want the title Café", got, err)
	}
}

func TestParseBad(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "opml: not an OPML document: no <opml> element"},
		{"text", "just some text", "opml: not an OPML document: no <opml> element"},
		{"rss feed", `<?xml version="1.0"?><rss version="2.0"><channel/></rss>`, "opml: not an OPML document: the root element is <rss>"},
		{"html", "<!DOCTYPE html><html><body>hi</body></html>", "opml: not an OPML document: the root element is <html>"},
		{"truncated", `<opml><body><outline text="a" xmlUrl="https://a.com/"`, "opml: XML syntax error on line 1: unexpected EOF"},
		{"unclosed", `<opml><body><outline text="a" xmlUrl="https://a.com/"/>`, "opml: XML syntax error on line 1: unexpected EOF"},
		{"feed without xmlUrl", "<opml><body>\n<outline type=\"rss\" text=\"Lost\" htmlUrl=\"https://a.com/\"/></body></opml>",
			`opml: line 2: outline "Lost" has type="rss" but no xmlUrl`},
		{"too deep", "<opml>" + strings.Repeat("<outline>", 100), "opml: line 1: elements nested deeper than 64"},
		{"unknown charset", `<?xml version="1.0" encoding="x-klingon"?><opml/>`, "opml: not an OPML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse = %+v, %v; want error %q", got, err, tt.want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	for _, prefix := range []string{"", "<opml><body><!--", "<opml><body><outline text=\""} {
		big := io.MultiReader(strings.NewReader(prefix), infinite{})
		_, err := parse(big, 1<<16)
		if err == nil || err.Error() != "opml: document larger than 65536 bytes" {
			t.Errorf("parse(%q...) = %v, want a size error", prefix, err)
		}
	}
	doc := `<opml><body><outline xmlUrl="https://a.com/"/></body></opml>`
	if out, err := parse(strings.NewReader(doc), int64(len(doc))); err != nil || len(out) != 1 {
		t.Errorf("parse of a document exactly at the limit = %v, %v", out, err)
	}
}

// infinite is an endless comment body.
type infinite struct{}

func (infinite) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestWriteRoundTrip(t *testing.T) {
	in := []Outline{
		{Title: "Korea Herald", XMLURL: "https://www.koreaherald.com/rss/newsAll", HTMLURL: "https://www.koreaherald.com/", Categories: []string{"korea", "news"}},
		{Title: `Quotes "and" <tags> & ampersands`, XMLURL: "https://a.com/rss?x=1&y=2"},
		{Title: "Café 한국", XMLURL: "https://b.com/feed", Categories: []string{"tech"}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, "Herald feeds", in); err != nil {
		t.Fatal(err)
	}
	out, err := Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Parse(Write): %v\n%s", err, buf.Bytes())
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip =\n%+v\nwant\n%+v", out, in)
	}

	// The document itself: OPML 2.0 with a head that strict parsers accept.
	var doc struct {
		Version string `xml:"version,attr"`
		Head    struct {
			Title       string `xml:"title"`
			DateCreated string `xml:"dateCreated"`
		} `xml:"head"`
		Outlines []struct {
			Type     string `xml:"type,attr"`
			Text     string `xml:"text,attr"`
			Category string `xml:"category,attr"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.0" || doc.Head.Title != "Herald feeds" || len(doc.Outlines) != 3 {
		t.Errorf("document = %+v", doc)
	}
	if _, err := time.Parse(time.RFC1123Z, doc.Head.DateCreated); err != nil {
		t.Errorf("dateCreated %q is not RFC 822: %v", doc.Head.DateCreated, err)
	}
	if o := doc.Outlines[0]; o.Type != "rss" || o.Text != "Korea Herald" || o.Category != "korea,news" {
		t.Errorf("outline = %+v", o)
	}
}

func TestWriteEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "none", nil); err != nil {
		t.Fatal(err)
	}
	if out, err := Parse(&buf); err != nil || len(out) != 0 {
		t.Errorf("Parse(Write(nil)) = %v, %v", out, err)
	}
}

func FuzzParse(f *testing.F) {
	sample, err := os.ReadFile("testdata/feedly.opml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(`<opml><body><outline text="a" xmlUrl="u" category="/x/,y"/></body></opml>`))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1252"?><opml><body><outline text="&eacute;" xmlUrl="u"/></body></opml>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		outlines, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Whatever Parse accepts, Write must write so that Parse reads it back.
		var buf bytes.Buffer
		if err := Write(&buf, "fuzz", outlines); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("Parse(Write(x)): %v\n%s", err, buf.Bytes())
		}
		if len(again) != len(outlines) {
			t.Fatalf("%d outlines after round trip, want %d", len(again), len(outlines))
		}
	})
}
