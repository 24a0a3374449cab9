// Package opml reads and writes OPML subscription lists, the format feed
// readers exchange feed lists in. Parse accepts OPML 1.0 and 2.0 as found in
// the wild; Write produces OPML 2.0.
package opml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// Limits on what Parse reads; real subscription lists are far within them.
const (
	MaxSize  = 16 << 20 // bytes
	MaxDepth = 64       // nested elements
)

// Outline is one feed of a subscription list.
type Outline struct {
	Title   string // the outline's text (else title) attribute
	XMLURL  string // the feed
	HTMLURL string // the site
	// Categories are the texts of the enclosing folder outlines, outermost
	// first, then the items of the outline's own category attribute.
	Categories []string
}

// Parse reads the feeds of an OPML document, in document order. Folders
// (outlines without xmlUrl) become categories of the feeds inside them. An
// outline typed rss or atom without xmlUrl is an error, as is a document
// whose root is not <opml> or that is larger than MaxSize.
func Parse(r io.Reader) ([]Outline, error) {
	return parse(r, MaxSize)
}

// parse is Parse reading at most limit bytes.
func parse(r io.Reader, limit int64) ([]Outline, error) {
	lr := &io.LimitedReader{R: r, N: limit + 1}
	dec := xml.NewDecoder(lr)
	dec.CharsetReader = charset.NewReaderLabel
	// Lists exported by hand-made tools carry HTML entities and bare "&".
	dec.Strict = false
	dec.Entity = xml.HTMLEntity

	if err := root(dec); err != nil {
		return nil, tooLarge(lr, limit, err)
	}
	var (
		out     []Outline
		folders []string // the stack of enclosing outlines' texts; "" for non-folders
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, tooLarge(lr, limit, nil)
		}
		if err != nil {
			return nil, tooLarge(lr, limit, fmt.Errorf("opml: %w", err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(folders) >= MaxDepth {
				line, _ := dec.InputPos()
				return nil, fmt.Errorf("opml: line %d: elements nested deeper than %d", line, MaxDepth)
			}
			if !strings.EqualFold(t.Name.Local, "outline") {
				folders = append(folders, "")
				continue
			}
			o, folder, err := outline(t, folders)
			if err != nil {
				line, _ := dec.InputPos()
				return nil, fmt.Errorf("opml: line %d: %w", line, err)
			}
			if o != nil {
				out = append(out, *o)
			}
			folders = append(folders, folder)
		case xml.EndElement:
			if len(folders) > 0 {
				folders = folders[:len(folders)-1]
			}
		}
	}
}

// root reads up to the document's root element and checks it is <opml>.
func root(dec *xml.Decoder) error {
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return errors.New("opml: not an OPML document: no <opml> element")
		}
		if err != nil {
			return fmt.Errorf("opml: not an OPML document: %w", err)
		}
		if t, ok := tok.(xml.StartElement); ok {
			if !strings.EqualFold(t.Name.Local, "opml") {
				return fmt.Errorf("opml: not an OPML document: the root element is <%s>", t.Name.Local)
			}
			return nil
		}
	}
}

// tooLarge replaces err (likely "unexpected EOF") when the reader stopped
// at the limit.
func tooLarge(lr *io.LimitedReader, limit int64, err error) error {
	if lr.N <= 0 {
		return fmt.Errorf("opml: document larger than %d bytes", limit)
	}
	return err
}

// outline reads an <outline> element: a feed when it has xmlUrl, else a
// folder whose text names a category of the feeds inside.
func outline(t xml.StartElement, folders []string) (o *Outline, folder string, err error) {
	var text, title, typ, xmlURL, htmlURL, category string
	for _, a := range t.Attr {
		v := strings.TrimSpace(a.Value)
		// Attribute names differ in case between tools (xmlUrl, xmlURL, xmlurl).
		switch strings.ToLower(a.Name.Local) {
		case "text":
			text = v
		case "title":
			title = v
		case "type":
			typ = strings.ToLower(v)
		case "xmlurl":
			xmlURL = v
		case "htmlurl":
			htmlURL = v
		case "category":
			category = v
		}
	}
	if text == "" {
		text = title
	}
	if xmlURL == "" {
		switch typ {
		case "rss", "atom":
			return nil, "", fmt.Errorf("outline %q has type=%q but no xmlUrl", text, typ)
		case "":
			return nil, text, nil
		}
		return nil, "", nil // a link or include: not a feed, not a folder
	}
	o = &Outline{Title: text, XMLURL: xmlURL, HTMLURL: htmlURL}
	// OPML 2.0: category is "a string of comma-separated slash-delimited
	// category strings"; each becomes one category, slashes trimmed.
	cats := append([]string{}, folders...)
	for _, c := range strings.Split(category, ",") {
		cats = append(cats, strings.Trim(c, " /"))
	}
	seen := map[string]bool{"": true}
	for _, c := range cats {
		if !seen[c] {
			seen[c] = true
			o.Categories = append(o.Categories, c)
		}
	}
	return o, "", nil
}

// Write writes outlines as an OPML 2.0 document titled title. Each outline
// is a flat type="rss" entry; its categories go in the category attribute.
func Write(w io.Writer, title string, outlines []Outline) error {
	doc := document{
		Version: "2.0",
		Head:    head{Title: title, DateCreated: time.Now().UTC().Format(time.RFC1123Z)},
	}
	for _, o := range outlines {
		text := o.Title
		if text == "" {
			text = o.XMLURL
		}
		doc.Body.Outlines = append(doc.Body.Outlines, xmlOutline{
			Type: "rss", Text: text, Title: o.Title, XMLURL: o.XMLURL, HTMLURL: o.HTMLURL,
			Category: strings.Join(o.Categories, ","),
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("opml: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("opml: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("opml: %w", err)
	}
	return nil
}

type document struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    head     `xml:"head"`
	Body    struct {
		Outlines []xmlOutline `xml:"outline"`
	} `xml:"body"`
}

type head struct {
	Title       string `xml:"title"`
	DateCreated string `xml:"dateCreated"`
}

type xmlOutline struct {
	Type     string `xml:"type,attr"`
	Text     string `xml:"text,attr"`
	Title    string `xml:"title,attr,omitempty"`
	XMLURL   string `xml:"xmlUrl,attr"`
	HTMLURL  string `xml:"htmlUrl,attr,omitempty"`
	Category string `xml:"category,attr,omitempty"`
}
