package serve

import (
	"bufio"
	"io"
	"strings"
	"time"

	"herald"
)

// RSSWriter writes an RSS 2.0 feed one article at a time.
type RSSWriter struct {
	x    xmlWriter
	feed Feed
}

// NewRSSWriter starts an RSS 2.0 feed on w. Close ends it.
func NewRSSWriter(w io.Writer, f Feed) *RSSWriter {
	f.Updated = feedUpdated(f, nil)
	rw := &RSSWriter{x: xmlWriter{w: bufio.NewWriterSize(w, 32<<10)}, feed: f}
	rw.head()
	return rw
}

// WriteRSS writes a whole RSS 2.0 feed of articles, in the order given.
func WriteRSS(w io.Writer, f Feed, articles []herald.Article) error {
	f.Updated = feedUpdated(f, articles)
	rw := NewRSSWriter(w, f)
	for i := range articles {
		if err := rw.Write(&articles[i]); err != nil {
			return err
		}
	}
	return rw.Close()
}

// rfc822 is RFC 822's date with a four-digit year and a numeric zone, the
// form every RSS reader parses.
func rfc822(t time.Time) string { return t.Format(time.RFC1123Z) }

func (rw *RSSWriter) head() {
	x, f := &rw.x, &rw.feed
	x.raw(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	x.raw(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">` + "\n<channel>\n")
	x.elem("title", rssTitle(f.Title))
	x.elem("link", f.HomeURL)
	x.elem("description", rssTitle(f.Title+": the merged feed"))
	x.raw("\n")
	rssAtomLink(x, "self", f.SelfURL)
	rssAtomLink(x, "next", f.NextURL)
	x.elem("lastBuildDate", rfc822(f.Updated))
	x.elem("generator", "Herald")
	x.raw("\n")
}

func rssAtomLink(x *xmlWriter, rel, href string) {
	if href = webURL(href); href == "" {
		return
	}
	x.raw("<atom:link")
	x.attr("rel", rel)
	x.attr("type", "application/rss+xml")
	x.attr("href", href)
	x.raw("/>\n")
}

// rssTitle keeps a title from being read as markup: many RSS readers take
// <title> as HTML, so a literal "<" is written as the entity for it.
func rssTitle(s string) string {
	return strings.ReplaceAll(s, "<", "&lt;")
}

// Write adds one item.
func (rw *RSSWriter) Write(a *herald.Article) error {
	x := &rw.x
	x.raw("<item>\n")
	x.elem("title", rssTitle(title(a)))
	if link := webURL(a.URL); link != "" {
		x.elem("link", link)
	}
	x.raw(`<guid isPermaLink="false">`)
	x.text(ArticleID(a))
	x.raw("</guid>\n")
	if t := entryUpdated(a, time.Time{}); validTime(a.Published) {
		x.elem("pubDate", rfc822(a.Published))
	} else if validTime(t) {
		x.elem("pubDate", rfc822(t))
	}
	x.elem("dc:creator", author(a, rw.feed.Title))
	x.elem("description", rw.feed.contentHTML(a))
	x.raw("\n")
	for _, t := range a.Tags {
		if t != "" {
			x.elem("category", t)
		}
	}
	if len(a.Sources) > 0 {
		s := &a.Sources[0]
		if u := webURL(s.FeedURL); u != "" {
			x.raw("<source")
			x.attr("url", u)
			x.raw(">")
			x.text(s.Feed)
			x.raw("</source>")
		}
	}
	x.raw("</item>\n")
	return x.err
}

// Close ends the feed and flushes it; it does not close the underlying
// writer.
func (rw *RSSWriter) Close() error {
	rw.x.raw("</channel>\n</rss>\n")
	return rw.x.flush()
}
