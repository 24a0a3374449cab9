package serve

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"herald"

	"github.com/microcosm-cc/bluemonday"
)

// Feed describes a merged feed document as a whole; the articles come
// separately, so that a writer can stream them.
type Feed struct {
	Title string
	// ID is the feed's stable identity, the same on every page of it.
	ID string
	// SelfURL is this document's address; HomeURL the HTML page it stands
	// for; NextURL the next (older) page, "" on the last page.
	SelfURL, HomeURL, NextURL string
	// Updated is when the feed last changed; zero means now.
	Updated time.Time
	// sanitized, when set, gives an entry's content in place of
	// contentHTML: the server's cached copy of the same.
	sanitized func(*herald.Article) string
	// hits, on a search's API page, say where each article matched.
	hits []searchHit
}

// contentHTML is an entry's content: see the function contentHTML.
func (f *Feed) contentHTML(a *herald.Article) string {
	if f.sanitized != nil {
		return f.sanitized(a)
	}
	return contentHTML(a)
}

// Content types of the three formats.
const (
	ContentTypeAtom     = "application/atom+xml; charset=utf-8"
	ContentTypeRSS      = "application/rss+xml; charset=utf-8"
	ContentTypeJSONFeed = "application/feed+json; charset=utf-8"
)

// ugc sanitises article HTML again on the way out. Articles are sanitised at
// ingest; this guards against an archive written by an older or buggy
// Herald. Built on first use, so that commands that serve nothing (herald
// extract) do not pay for it at start; safe for concurrent use once built.
var ugc = sync.OnceValue(bluemonday.UGCPolicy)

// langTag is RFC 3066's shape, as the Atom schema checks it.
// It is compiled on first use, as readingTemplate is parsed.
var langTag = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`) })

// ArticleID is the stable id an article has in every format: a URN built
// from its archive id, so that switching formats keeps a reader's state.
func ArticleID(a *herald.Article) string {
	return "urn:herald:article:" + url.PathEscape(a.ID)
}

// webURL returns s when it is an absolute http(s) URL, else "": a link a
// reader makes clickable must never be javascript: or data:.
func webURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// validTime says whether t can be written in RFC 3339 and RFC 822, which
// need a four-digit year.
func validTime(t time.Time) bool {
	return !t.IsZero() && t.Year() >= 1 && t.Year() <= 9999
}

// feedUpdated is the feed's own date, never zero: f.Updated when set, else
// the newest change among the articles, else now.
func feedUpdated(f Feed, articles []herald.Article) time.Time {
	if validTime(f.Updated) {
		return f.Updated
	}
	if t := newest(articles); !t.IsZero() {
		return t
	}
	return time.Now()
}

// newest is the latest date any of the articles changed, or zero.
func newest(articles []herald.Article) time.Time {
	var max time.Time
	for i := range articles {
		if t := entryUpdated(&articles[i], time.Time{}); t.After(max) {
			max = t
		}
	}
	return max
}

// entryUpdated is when the article last changed, falling back through its
// dates to def.
func entryUpdated(a *herald.Article, def time.Time) time.Time {
	for _, t := range []time.Time{a.Updated, a.Published, a.Fetched} {
		if validTime(t) {
			return t
		}
	}
	return def
}

// title is the article's title, or a stand-in built from its text: every
// format and most readers want one.
func title(a *herald.Article) string {
	t := strings.TrimSpace(a.Title)
	if t == "" {
		t = strings.TrimSpace(a.Summary)
	}
	if t == "" {
		t = strings.TrimSpace(a.Text)
	}
	if t == "" {
		return "(untitled)"
	}
	t = strings.Join(strings.Fields(t), " ")
	return truncate(t, 120)
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// author is the article's byline, else the first source's feed name, so
// that every entry has one.
func author(a *herald.Article, def string) string {
	if b := strings.TrimSpace(a.Byline); b != "" {
		return b
	}
	for _, s := range a.Sources {
		if s.Feed != "" {
			return s.Feed
		}
	}
	return def
}

// contentHTML is the article's HTML sanitised again, or its text as
// paragraphs when it has no HTML, so that every entry has content.
func contentHTML(a *herald.Article) string {
	if strings.TrimSpace(a.HTML) != "" {
		return ugc().Sanitize(a.HTML)
	}
	var b strings.Builder
	for _, p := range strings.Split(a.Text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>")
			b.WriteString(html.EscapeString(p))
			b.WriteString("</p>\n")
		}
	}
	return b.String()
}

// summary is the plain-text summary, else the start of the text.
func summary(a *herald.Article) string {
	if s := strings.TrimSpace(a.Summary); s != "" {
		return s
	}
	return truncate(strings.Join(strings.Fields(a.Text), " "), 300)
}
