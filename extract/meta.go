package extract

import (
	"bytes"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// meta is what a page says about its article besides the text: read from the
// head (meta tags, JSON-LD, links) and from the visible header of the body
// (h1, byline and date lines), before any boilerplate is stripped.
type meta struct {
	Title, Byline                    string
	Published                        time.Time
	Lang, SiteName, Canonical, Image string
	Description                      string // the page's summary (meta description)
}

// readMeta reads the metadata of doc, a page at base (which may be nil).
// Dates that the page gives without a zone are in tz, or UTC when tz is nil.
func readMeta(doc *goquery.Document, base *url.URL, tz *time.Location) meta {
	r := newMetaReader(doc, base, tz)
	var m meta
	m.SiteName = r.siteName()
	m.Title = r.title(m.SiteName)
	m.Byline = r.byline(m.SiteName)
	m.Published = r.published()
	m.Lang = r.lang()
	m.Canonical = r.canonical()
	m.Image = r.image()
	m.Description = foldMetaSpace(r.tag("description", "og:description", "twitter:description"))
	return m
}

// metaReader holds what several fields are read from: the meta tags, the
// JSON-LD article and the short text lines of the body.
type metaReader struct {
	doc   *goquery.Document
	idx   *pageIndex
	base  *url.URL
	tz    *time.Location
	tags  map[string]string // meta property/name/itemprop (lower case) -> first non-empty content
	ld    ldInfo
	main  *ldArticle // the JSON-LD object that describes this page's article, or nil
	lines pageLines
	keep  map[*html.Node]bool // the headline's ancestors
}

func newMetaReader(doc *goquery.Document, base *url.URL, tz *time.Location) *metaReader {
	idx := indexPage(doc)
	r := &metaReader{doc: doc, idx: idx, base: base, tz: tz}
	r.tags = readMetaTags(r.sel(idx.metas...))
	r.ld = readJSONLD(r.sel(idx.scripts...))
	r.main = r.mainArticle()
	r.keep = titleAncestors(idx.h1)
	r.lines = readLines(idx.bodies, r.keep)
	return r
}

// sel is a selection of indexed nodes, leaving out nil ones.
func (r *metaReader) sel(nodes ...*html.Node) *goquery.Selection {
	ns := nodes[:0:0]
	for _, n := range nodes {
		if n != nil {
			ns = append(ns, n)
		}
	}
	return r.doc.FindNodes(ns...)
}

// readMetaTags collects <meta> values by their property, name, itemprop or
// http-equiv, lower case; the first non-empty value of a key wins.
func readMetaTags(metas *goquery.Selection) map[string]string {
	tags := make(map[string]string)
	metas.Each(func(_ int, s *goquery.Selection) {
		content := strings.TrimSpace(s.AttrOr("content", ""))
		if content == "" {
			return
		}
		for _, a := range []string{"property", "name", "itemprop", "http-equiv"} {
			// property="og:title article:author" lists several keys.
			for _, k := range strings.Fields(strings.ToLower(s.AttrOr(a, ""))) {
				if _, ok := tags[k]; !ok {
					tags[k] = content
				}
			}
		}
	})
	return tags
}

// tag returns the first of keys that the page has a meta value for.
func (r *metaReader) tag(keys ...string) string {
	for _, k := range keys {
		if v := r.tags[k]; v != "" {
			return v
		}
	}
	return ""
}

// mainArticle picks the JSON-LD object describing the page: the best-ranked
// type, and among equals the one whose headline headlineAgrees with the page's titles.
func (r *metaReader) mainArticle() *ldArticle {
	var best *ldArticle
	titles := []string{r.tag("og:title"), r.docTitle()}
	for i := range r.ld.Articles {
		a := &r.ld.Articles[i]
		switch {
		case best == nil || a.typeRanked < best.typeRanked:
			best = a
		case a.typeRanked == best.typeRanked && !headlineAgrees(best.Headline, titles) && headlineAgrees(a.Headline, titles):
			best = a
		}
	}
	return best
}

// headlineAgrees reports whether headline is one of titles or contained in one.
func headlineAgrees(headline string, titles []string) bool {
	h := normTitle(headline)
	if h == "" {
		return false
	}
	for _, t := range titles {
		if t := normTitle(t); t != "" && strings.Contains(t, h) {
			return true
		}
	}
	return false
}

func (r *metaReader) siteName() string {
	if s := r.tag("og:site_name"); s != "" {
		return s
	}
	if r.main != nil && r.main.Publisher != "" {
		return r.main.Publisher
	}
	if r.ld.SiteName != "" {
		return r.ld.SiteName
	}
	return r.tag("application-name", "twitter:site:name", "publisher", "dc.publisher")
}

func (r *metaReader) lang() string {
	l := strings.TrimSpace(r.sel(r.idx.html).AttrOr("lang", ""))
	if l == "" {
		l = strings.TrimSpace(r.sel(r.idx.html).AttrOr("xml:lang", ""))
	}
	if l == "" {
		l = r.tag("content-language", "language", "dc.language", "og:locale")
		// "de, en" lists several: the first is the page's.
		l, _, _ = strings.Cut(l, ",")
	}
	if l == "" && r.main != nil {
		l = r.main.Lang
	}
	l = strings.ReplaceAll(strings.TrimSpace(l), "_", "-")
	if len(l) > 35 || strings.ContainsAny(l, " <>\"") {
		return ""
	}
	return l
}

func (r *metaReader) canonical() string {
	if u := r.absURL(r.sel(r.idx.firstLink("canonical")).AttrOr("href", "")); u != "" {
		return u
	}
	if u := r.absURL(r.tag("og:url")); u != "" {
		return u
	}
	if r.main != nil {
		return r.absURL(r.main.URL)
	}
	return ""
}

func (r *metaReader) image() string {
	for _, v := range []string{
		r.tag("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"),
		r.sel(r.idx.firstLink("image_src")).AttrOr("href", ""),
	} {
		if u := r.absURL(v); u != "" {
			return u
		}
	}
	if r.main != nil {
		return r.absURL(r.main.Image)
	}
	return ""
}

// absURL resolves ref against the page's URL; it returns "" for what is not an
// http(s) URL once resolved.
func (r *metaReader) absURL(ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "data:") {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if r.base != nil {
		u = r.base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return u.String()
}

// host is the page's host without "www.", lower case, or "".
func (r *metaReader) host() string {
	if r.base == nil {
		if c := r.tag("og:url"); c != "" {
			if u, err := url.Parse(c); err == nil {
				return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
			}
		}
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(r.base.Hostname()), "www.")
}

// OwnURL is the address a page gives itself (<link rel="canonical">, else
// og:url, else its JSON-LD article's url), or "" when it names none: what
// a saved page without its URL is looked up by. It reads the page's
// metadata only, not its article.
func OwnURL(page []byte, contentType string) string {
	src, _ := decode(page, contentType)
	root, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		return ""
	}
	return newMetaReader(goquery.NewDocumentFromNode(root), nil, nil).canonical()
}
