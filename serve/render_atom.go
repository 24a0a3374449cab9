package serve

import (
	"bufio"
	"io"
	"net/url"

	"herald"
)

// AtomWriter writes an Atom 1.0 (RFC 4287) feed one article at a time, so
// that an export need not hold the archive in memory.
type AtomWriter struct {
	x       xmlWriter
	feed    Feed
	updated string
}

// NewAtomWriter starts an Atom feed on w. Close ends it.
func NewAtomWriter(w io.Writer, f Feed) *AtomWriter {
	f.Updated = feedUpdated(f, nil)
	aw := &AtomWriter{x: xmlWriter{w: bufio.NewWriterSize(w, 32<<10)}, feed: f, updated: rfc3339(f.Updated)}
	aw.head()
	return aw
}

// WriteAtom writes a whole Atom feed of articles, in the order given.
func WriteAtom(w io.Writer, f Feed, articles []herald.Article) error {
	f.Updated = feedUpdated(f, articles)
	aw := NewAtomWriter(w, f)
	for i := range articles {
		if err := aw.Write(&articles[i]); err != nil {
			return err
		}
	}
	return aw.Close()
}

func (aw *AtomWriter) head() {
	x, f := &aw.x, &aw.feed
	x.raw(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	x.raw(`<feed xmlns="http://www.w3.org/2005/Atom">` + "\n")
	x.elem("id", f.ID)
	x.raw(`<title type="text">`)
	x.text(f.Title)
	x.raw("</title>\n")
	x.elem("updated", aw.updated)
	// A feed-level author covers entries whose sources give no name.
	x.raw("\n<author>")
	x.elem("name", f.Title)
	x.raw("</author>\n")
	atomLink(x, "self", "application/atom+xml", f.SelfURL, "")
	atomLink(x, "alternate", "text/html", f.HomeURL, "")
	atomLink(x, "next", "application/atom+xml", f.NextURL, "")
	x.raw(`<generator>Herald</generator>` + "\n")
}

// atomLink writes a link when href is a web URL.
func atomLink(x *xmlWriter, rel, typ, href, title string) {
	if href = webURL(href); href == "" {
		return
	}
	x.raw("<link")
	x.attr("rel", rel)
	if typ != "" {
		x.attr("type", typ)
	}
	x.attr("href", href)
	if title != "" {
		x.attr("title", title)
	}
	x.raw("/>\n")
}

// Write adds one entry.
func (aw *AtomWriter) Write(a *herald.Article) error {
	x := &aw.x
	x.raw("<entry")
	if langTag().MatchString(a.Lang) {
		x.attr("xml:lang", a.Lang)
	}
	x.raw(">\n")
	x.elem("id", ArticleID(a))
	x.raw(`<title type="text">`)
	x.text(title(a))
	x.raw("</title>\n")
	x.elem("updated", rfc3339(entryUpdated(a, aw.feed.Updated)))
	if validTime(a.Published) {
		x.elem("published", rfc3339(a.Published))
	}
	x.raw("\n<author>")
	x.elem("name", author(a, aw.feed.Title))
	x.raw("</author>\n")
	link := webURL(a.URL)
	atomLink(x, "alternate", "text/html", link, "")
	aw.via(a, link)
	for _, t := range a.Tags {
		if t != "" {
			x.raw("<category")
			x.attr("term", t)
			x.raw("/>")
		}
	}
	if s := summary(a); s != "" {
		x.raw(`<summary type="text">`)
		x.text(s)
		x.raw("</summary>\n")
	}
	x.raw(`<content type="html"`)
	if link != "" {
		// Lets readers resolve relative links in the article's HTML.
		x.attr("xml:base", link)
	}
	x.raw(">")
	x.text(aw.feed.contentHTML(a))
	x.raw("</content>\n")
	if len(a.Sources) > 0 {
		aw.source(&a.Sources[0])
	}
	x.raw("</entry>\n")
	return x.err
}

// via lists the sources after the first, which Atom's single <source>
// cannot hold, as links to where each carried the article.
func (aw *AtomWriter) via(a *herald.Article, alternate string) {
	if len(a.Sources) < 2 {
		return
	}
	seen := map[string]bool{alternate: true}
	for _, s := range a.Sources[1:] {
		href := webURL(s.Link)
		if href == "" {
			href = webURL(s.FeedURL)
		}
		if href == "" || seen[href] {
			continue
		}
		seen[href] = true
		atomLink(&aw.x, "via", "", href, s.Feed)
	}
}

func (aw *AtomWriter) source(s *herald.Source) {
	x := &aw.x
	x.raw("<source>")
	id := webURL(s.FeedURL)
	if id == "" {
		id = "urn:herald:feed:" + url.PathEscape(s.Feed)
	}
	x.elem("id", id)
	x.raw(`<title type="text">`)
	x.text(s.Feed)
	x.raw("</title>")
	if validTime(s.Seen) {
		x.elem("updated", rfc3339(s.Seen))
	}
	atomLink(x, "self", "", s.FeedURL, "")
	x.raw("</source>\n")
}

// Close ends the feed and flushes it; it does not close the underlying
// writer.
func (aw *AtomWriter) Close() error {
	aw.x.raw("</feed>\n")
	return aw.x.flush()
}
