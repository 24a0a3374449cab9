package archive

import (
	"html"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"herald"
)

// Identity: which archived article, if any, an incoming one is. Ingest (an
// Item) and Import (an exported article) both clean what they are given
// (clean), then ask identify, so that the same article is the same article
// whichever way it arrives.

// Bounds on the fields of a stored article, in bytes. The feed parser
// bounds what a feed gives with the same figures; an imported article, or
// an article page, can hold anything. Text and HTML get room for the
// largest page max_body lets through.
const (
	maxTitle    = 2 << 10
	maxSummary  = 64 << 10
	maxByline   = 512
	maxSiteName = 512
	maxLang     = 64
	maxURL      = 8 << 10
	maxText     = 16 << 20
	maxHTML     = 16 << 20
	maxTag      = 256
	maxReason   = 1 << 10
)

// clean puts the fields of an incoming article in the form every output
// may trust: bounded lengths; the URL, image and links http(s) only (an
// URL that is not is dropped, never served); the HTML through sanitize
// (nil when the caller made it with the same sanitiser, as ingest's poller
// does); the content hash recomputed from the text, whatever was given.
func clean(a *herald.Article, sanitize func(string) string) {
	a.Title = herald.Clip(a.Title, maxTitle)
	a.Summary = herald.Clip(a.Summary, maxSummary)
	a.Byline = herald.Clip(a.Byline, maxByline)
	a.SiteName = herald.Clip(a.SiteName, maxSiteName)
	a.Lang = herald.Clip(a.Lang, maxLang)
	a.ExtractError = herald.Clip(a.ExtractError, maxReason)
	a.Text = herald.Clip(a.Text, maxText)
	a.Image = webURL(a.Image)
	if sanitize != nil || len(a.HTML) > maxHTML {
		a.HTML = safeHTML(a, sanitize)
	}
	tags := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		tags[i] = herald.Clip(t, maxTag)
	}
	a.Tags = tags
	a.Sources = slices.Clone(a.Sources)
	for i := range a.Sources {
		s := &a.Sources[i]
		s.Link, s.FeedURL = webURL(s.Link), webURL(s.FeedURL)
	}
	switch a.ExtractedBy {
	case herald.ExtractedBySiteRule, herald.ExtractedByGeneric, herald.ExtractedByFeed:
	default:
		a.ExtractedBy = herald.ExtractedByFeed
	}
	a.ContentHash = herald.ContentHash(a.Text)
	cleanRevisions(a)
	if len(a.Story) > maxIDLen || !utf8.ValidString(a.Story) || strings.ContainsFunc(a.Story, unicode.IsControl) {
		a.Story = ""
	}
}

// safeHTML is a's HTML through sanitize, or, with none or when it is too
// long, its text as paragraphs.
func safeHTML(a *herald.Article, sanitize func(string) string) string {
	if sanitize != nil && len(a.HTML) <= maxHTML {
		return sanitize(a.HTML)
	}
	var b strings.Builder
	for _, p := range strings.Split(a.Text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>" + html.EscapeString(p) + "</p>")
		}
	}
	return b.String()
}

// webURL is raw when it is an absolute http(s) URL no longer than maxURL,
// else "".
func webURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURL {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return ""
	}
	return raw
}

// articleURL is the URL an article is kept under: its own canonical
// http(s) URL, else its first source's link, else a name for the entry
// that no other can have (the export needs a URL; this one is never a
// link, and an import keeps it).
func articleURL(a *herald.Article) string {
	if u := keptURL(a.URL); u != "" {
		return u
	}
	if u := herald.CanonicalURL(webURL(a.Sources[0].Link)); u != "" {
		return u
	}
	s := a.Sources[0]
	return urnPrefix + url.PathEscape(s.Feed) + ":" + url.PathEscape(entryKey(s))
}

// keptURL is u as an article's URL: canonical when http(s), as it is when
// such a name, else "".
func keptURL(u string) string {
	if isEntryURN(u) {
		return u
	}
	return herald.CanonicalURL(webURL(u))
}

const urnPrefix = "urn:herald:"

// isEntryURN reports whether u is such a name: the prefix, then what
// url.PathEscape writes.
func isEntryURN(u string) bool {
	if !strings.HasPrefix(u, urnPrefix) || len(u) > maxURL {
		return false
	}
	for i := len(urnPrefix); i < len(u); i++ {
		c := u[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("$&+-.:=@_~%", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// Rules by which an incoming article was found to be an archived one.
type rule uint8

const (
	ruleNone  rule = iota // a new article
	ruleEntry             // the same feed gave the same entry key
	ruleURL               // the same canonical URL, from another feed
	ruleText              // the same identifying text (or title and text), from another feed
)

// lookup is what identify looks an incoming article up by.
type lookup struct {
	srcKeys [][]byte // by_key keys of its sources
	urlKey  []byte
	text    claimKey
	settled settledText
	// hash is its content hash when its text identifies it alone (not
	// only with its title), else "".
	hash  string
	feeds []string // the feeds of its sources
	// canonical says its URL is one its page declared, not its entry's
	// link: pages of different articles sometimes declare one URL.
	canonical bool
	// skip, when not nil, rules out articles as matches by URL or text
	// (Import: the articles the same file brought).
	skip func(id string) bool
}

// found is what identify found: the article the incoming one is (id, by
// rule), and which of its URL and text keys no article holds.
type found struct {
	id                string
	rule              rule
	urlFree, textFree bool
}

// identify applies the rules of DESIGN.md, in order:
//  1. the same feed and entry key: the same entry, whatever else changed;
//  2. the same URL (herald.URLKey) as an article with no source from any of
//     the incoming article's feeds, unless the text says otherwise: another
//     article holds its identifying text, or the URL is one its page
//     declared and both texts identify and differ;
//  3. the same identifying text (long enough, or with an identical title),
//     under the same condition on feeds.
//
// A feed that gives two entries different keys says they are different
// entries, even when they share a URL (a blog's day page, each post an
// anchor on it) or a text: only other feeds' entries merge by URL or text.
func (w *writeTx) identify(l *lookup) (found, error) {
	for _, k := range l.srcKeys {
		if id := owner(w.byKey, k); id != "" {
			return found{id: id, rule: ruleEntry}, nil
		}
	}
	byURL, byText := owner(w.byURL, l.urlKey), w.texts.ownerOf(l.text, l.settled)
	f := found{urlFree: byURL == "", textFree: byText == ""}
	if byText != "" && byURL != "" && byText != byURL {
		byURL = "" // the text names another article than the URL
	}
	for _, c := range []struct {
		id   string
		rule rule
	}{{byURL, ruleURL}, {byText, ruleText}} {
		if c.id == "" || (l.skip != nil && l.skip(c.id)) {
			continue
		}
		a, err := w.get(c.id)
		if err != nil {
			return found{}, err
		}
		if sharesFeed(a, l.feeds) {
			continue
		}
		if c.rule == ruleURL && l.canonical && disagree(a, l.hash) {
			continue
		}
		f.id, f.rule = c.id, c.rule
		return f, nil
	}
	return f, nil
}

func sharesFeed(a *herald.Article, feeds []string) bool {
	for _, s := range a.Sources {
		if slices.Contains(feeds, s.Feed) {
			return true
		}
	}
	return false
}

// disagree reports whether a's text and an incoming one (its hash, when
// it identifies its article alone) both identify their article and are
// different texts.
func disagree(a *herald.Article, hash string) bool {
	return hash != "" && hash != a.ContentHash && herald.HashIdentifies(a.Text)
}

// identifyingHash is a's content hash when its text identifies it alone.
func identifyingHash(a *herald.Article) string {
	if herald.HashIdentifies(a.Text) {
		return a.ContentHash
	}
	return ""
}

func feedsOf(a *herald.Article) []string {
	var feeds []string
	for _, s := range a.Sources {
		if !slices.Contains(feeds, s.Feed) {
			feeds = append(feeds, s.Feed)
		}
	}
	return feeds
}
