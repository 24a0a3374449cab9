package extract

import (
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// maxTitle bounds a title candidate in runes: longer text is a paragraph.
const maxTitle = 300

// docTitle is the text of the page's <title> (not an SVG's).
func (r *metaReader) docTitle() string {
	var t string
	r.sel(r.idx.titles...).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if s.ParentsFiltered("svg").Length() > 0 {
			return true
		}
		t = foldMetaSpace(s.Text())
		return false
	})
	return t
}

// title picks the article's headline. The visible h1 is preferred when
// another source (og:title, JSON-LD, <title>) confirms it, since menus and
// logos are h1s too; otherwise the metadata titles, with the site's name cut
// from them, and last the <title> itself.
func (r *metaReader) title(site string) string {
	host := r.host()
	doc := r.docTitle()
	strip := func(s string) string { return stripSiteName(foldMetaSpace(s), site, host) }
	var ldHeadline string
	if r.main != nil {
		ldHeadline = r.main.Headline
	}
	claims := []string{
		strip(r.tag("og:title")),
		strip(ldHeadline),
		strip(r.tag("twitter:title")),
		strip(r.tag("headline", "dc.title", "title", "sailthru.title", "parsely-title")),
	}
	if t := r.bestH1(append(claims, strip(doc)), doc); t != "" {
		return t
	}
	docNorm := normTitle(doc)
	// A claim that the <title> repeats is the page's own; otherwise the
	// first claim in order of trust.
	for _, c := range claims {
		if c != "" && strings.Contains(docNorm, normTitle(c)) {
			return c
		}
	}
	for _, c := range claims {
		if c != "" {
			return c
		}
	}
	if t := strip(doc); t != "" {
		return t
	}
	return doc
}

// bestH1 returns the h1 (or the itemprop=headline element) that a claim
// confirms: equal to one, or contained in the <title>.
func (r *metaReader) bestH1(claims []string, doc string) string {
	var norms []string
	for _, c := range claims {
		if n := normTitle(c); n != "" {
			norms = append(norms, n)
		}
	}
	docNorm := normTitle(doc)
	best, bestScore := "", 0
	r.sel(r.idx.headlines...).EachWithBreak(func(i int, s *goquery.Selection) bool {
		if i >= 20 {
			return false
		}
		t := headlineText(s.Nodes[0], foldMetaSpace(s.Text()))
		n := normTitle(t)
		if n == "" || utf8.RuneCountInString(t) > maxTitle {
			return true
		}
		score := 0
		for _, c := range norms {
			if c == n {
				score = 3
				break
			}
		}
		// Contained in the <title> with some substance: a logo h1 is one or two words.
		if score == 0 && strings.Contains(docNorm, n) && (len(strings.Fields(n)) >= 3 || len(n) >= 20) {
			score = 2
		}
		if score > bestScore {
			best, bestScore = t, score
		}
		return bestScore < 3
	})
	return best
}

// titleSeparators split a title from the site's name: "Story - Site",
// "Site | Story".
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " » ", " « ", " · ", " • ", " // ", " / ", " ~ ", " : "}

// stripSiteName removes the site's name from either end of t when a separator
// sets it apart, as "S. Korea, Japan ... - The Korea Herald".
func stripSiteName(t, site, host string) string {
	for range 3 {
		cut := false
		for _, sep := range titleSeparators {
			if i := strings.LastIndex(t, sep); i > 0 && isSiteName(t[i+len(sep):], site, host) {
				t, cut = strings.TrimSpace(t[:i]), true
				break
			}
			if i := strings.Index(t, sep); i > 0 && isSiteName(t[:i], site, host) {
				t, cut = strings.TrimSpace(t[i+len(sep):]), true
				break
			}
		}
		if !cut {
			break
		}
	}
	return t
}

// isSiteName reports whether part of a title names the site: its declared
// name or its host's main label ("zeit" for www.zeit.de, "ZEIT ONLINE").
func isSiteName(part, site, host string) bool {
	p := squash(part)
	if p == "" {
		return false
	}
	if s := squash(site); s != "" && (p == s || len(p) >= 4 && strings.Contains(s, p) || len(s) >= 4 && strings.Contains(p, s)) {
		return true
	}
	if host == "" {
		return false
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	if p == squash(host) {
		return true
	}
	// The label before the public suffix; for co.uk and similar the one before that too.
	for _, l := range labels[:len(labels)-1] {
		l = squash(l)
		if len(l) < 4 || l == "www" {
			continue
		}
		if strings.Contains(p, l) && len(p) <= len(l)+16 || len(p) >= 5 && strings.Contains(l, p) {
			return true
		}
	}
	return false
}

// normTitle is the form titles are compared in: lower case, quotes and dashes
// unified, spaces folded.
func normTitle(s string) string {
	s = strings.ToLower(foldMetaSpace(s))
	return titleReplacer.Replace(s)
}

var titleReplacer = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u2032", "'",
	"\u201c", "\"", "\u201d", "\"", "\u201e", "\"", "\u00ab", "\"", "\u00bb", "\"",
	"\u2013", "-", "\u2014", "-", "\u2012", "-", "\u2212", "-", "\u00a0", " ",
)

// foldMetaSpace trims s and folds each run of white space into one space,
// as strings.Fields splits it.
func foldMetaSpace(s string) string {
	if collapsedASCII(s) {
		return s
	}
	return strings.TrimSuffix(string(appendFolded(make([]byte, 0, len(s)), s)), " ")
}

// kickerWords name, in a class, the kicker that news sites print inside the
// h1 above or before the headline proper ("Klimaschutz", "Nach
// Corona-Lockerungen"): a topic line, not part of the headline.
var kickerWords = []string{"kicker", "dachzeile", "topline", "overline", "eyebrow", "supertitle", "super-title", "roofline", "spitzmarke", "subtitle", "sub-title"}

// headlineText is a headline element's text without the kickers it holds,
// and the punctuation that joined a kicker to the headline ("Kicker: ").
// whole is the element's whole text; it is the result when the element
// holds no kicker, or nothing but kickers.
func headlineText(h *html.Node, whole string) string {
	var b strings.Builder
	kicker := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case c.Type == html.ElementNode && isKicker(c):
				kicker = true
				b.WriteByte(' ')
			case c.Type == html.ElementNode:
				walk(c)
			}
		}
	}
	walk(h)
	if !kicker {
		return whole
	}
	t := strings.TrimLeft(foldMetaSpace(b.String()), ":|-–—·• ")
	if t == "" {
		return whole
	}
	return t
}

// isKicker reports whether an element's class names a kicker: one of
// kickerWords, alone or as the last part of a BEM-style name
// ("article-heading__kicker").
func isKicker(n *html.Node) bool {
	class := strings.ToLower(attr(n, "class"))
	if class == "" {
		return false
	}
	for _, c := range strings.Fields(class) {
		for _, w := range kickerWords {
			if c == w || strings.HasSuffix(c, "__"+w) || strings.HasSuffix(c, "-"+w) || strings.HasSuffix(c, "_"+w) {
				return true
			}
		}
	}
	return false
}
