package extract

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Bylines and date lines are short runs of text in the body. readLines walks
// the body once and keeps every element whose text is short, with what its
// own and its ancestors' class, id and itemprop say about it.

// maxMetaLine is the longest text (in runes) kept as a line.
const maxMetaLine = 160

// maxLineNodes bounds the walk: metadata sits near the top of a page.
const maxLineNodes = 30000

// Hints from class, id and itemprop names.
const (
	hintDate    = 1 << iota // date, time, publish...
	hintAuthor              // author, byline...
	hintSkip                // comments, related links, sidebars: other articles' dates and authors
	hintArticle             // article, main: the page's own content
	hintTitle               // the h1 itself
	hintAside               // sidebars and footers outside the article: the site's, most often
)

// Substrings of a lower-cased class or id that mark dates and authors.
var (
	dateHintWords   = []string{"date", "time", "publi", "posted", "datum", "fecha", "byline", "meta", "info"}
	authorHintWords = []string{"author", "byline", "autor", "writer", "creator", "reporter", "journalist", "by-line"}
)

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// skipWords, as whole words of a class or id ("related-posts",
// "commentList"), mark what holds other articles' (or readers') dates and
// names: hintSkip everywhere, hintAside outside the article, where a
// "sidebar" is the site's, not the article's own column of metadata.
var skipWords = map[string]int{
	"comment": hintSkip, "comments": hintSkip, "kommentar": hintSkip, "kommentare": hintSkip, "related": hintSkip,
	"teaser": hintAside, "teasers": hintAside, "recommended": hintSkip, "recommendations": hintSkip, "popular": hintSkip,
	"disqus": hintSkip, "reply": hintSkip, "replies": hintSkip, "respond": hintSkip,
	"sidebar": hintAside, "widget": hintAside, "widgets": hintAside, "footer": hintAside, "aside": hintAside,
}

// skipHints splits a class or id value into words (at punctuation and
// camelCase humps) and returns the hints of its skip words.
func skipHints(v string) int {
	h := 0
	start := -1
	var prev rune
	for i, r := range v {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		hump := unicode.IsUpper(r) && unicode.IsLower(prev)
		if start >= 0 && (!word || hump) {
			h |= skipWordHints(v[start:i])
			start = -1
		}
		if word && start < 0 {
			start = i
		}
		prev = r
	}
	if start >= 0 {
		h |= skipWordHints(v[start:])
	}
	return h
}

// skipWordHints looks a word up in skipWords whatever its case, without
// allocating for the ASCII words nearly every class name is made of.
func skipWordHints(w string) int {
	var buf [16]byte
	if len(w) > len(buf) {
		if isASCII(w) {
			return 0 // longer than any skip word
		}
		return skipWords[strings.ToLower(w)]
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return skipWords[strings.ToLower(w)]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return skipWords[string(buf[:len(w)])]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// pageLine is one short element of the body.
type pageLine struct {
	text  string
	node  *html.Node
	hints int
	pos   int // order in the document
}

// titleAncestors returns the first h1 and its ancestors.
func titleAncestors(h1 *html.Node) map[*html.Node]bool {
	m := make(map[*html.Node]bool)
	for n := h1; n != nil; n = n.Parent {
		m[n] = true
	}
	return m
}

// pageLines are the short lines of a page in document order, and the
// position of the first h1 (-1 when there is none).
type pageLines struct {
	lines []pageLine
	h1    int
}

// skipLineTags never hold visible metadata.
var skipLineTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true, "head": true,
	"iframe": true, "select": true, "option": true, "button": true, "textarea": true,
}

func readLines(bodies []*html.Node, titleAncestors map[*html.Node]bool) pageLines {
	w := lineWalker{out: pageLines{h1: -1}, keep: titleAncestors}
	for _, n := range bodies {
		// The body's own classes ("has-sidebar", "single-post") say nothing
		// about one line.
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && !skipLineTags[c.Data] {
				w.walk(c, 0)
			}
		}
	}
	slices.SortFunc(w.out.lines, func(a, b pageLine) int { return a.pos - b.pos })
	return w.out
}

type lineWalker struct {
	out   pageLines
	count int
	keep  map[*html.Node]bool // the headline's ancestors: never skipped
}

// walk returns n's text, or long=true when it exceeds maxMetaLine (then the
// text is not built: no ancestor of a long element is a line).
func (w *lineWalker) walk(n *html.Node, inherited int) (text string, long bool) {
	w.count++
	pos := w.count
	if w.count > maxLineNodes {
		return "", true
	}
	hints := inherited | ownHints(n, inherited, w.keep)
	if n.Data == "h1" && w.out.h1 < 0 {
		w.out.h1 = pos
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if !long {
				b.WriteString(c.Data)
			}
		case html.ElementNode:
			if skipLineTags[c.Data] {
				continue
			}
			t, l := w.walk(c, hints&^hintTitle)
			long = long || l
			if !long {
				// Element boundaries separate words: <span>By X</span><span>June 24</span>.
				b.WriteByte(' ')
				b.WriteString(t)
				b.WriteByte(' ')
			}
		}
		if !long && b.Len() > 4*maxMetaLine {
			long = true
		}
	}
	if long {
		return "", true
	}
	text = foldMetaSpace(b.String())
	if utf8.RuneCountInString(text) > maxMetaLine {
		return "", true
	}
	if text != "" {
		w.out.lines = append(w.out.lines, pageLine{text: text, node: n, hints: hints, pos: pos})
	}
	return text, false
}

// ownHints are n's hints in its place: an aside or footer inside the article
// holds the article's byline and date, elsewhere (hintAside) most often the
// site's; what holds the headline is never skipped, whatever its class says
// ("layoutWithSidebar").
func ownHints(n *html.Node, inherited int, keep map[*html.Node]bool) int {
	h := nodeHints(n)
	if keep[n] {
		return h &^ (hintSkip | hintAside)
	}
	if inherited&hintArticle != 0 {
		h &^= hintAside
	}
	return h
}

// nodeHints reads what n's tag, class, id, itemprop and rel say it holds.
func nodeHints(n *html.Node) int {
	h := 0
	switch n.Data {
	case "article", "main":
		h |= hintArticle
	case "time":
		h |= hintDate
	case "h1":
		h |= hintTitle
	case "aside", "nav", "footer":
		h |= hintAside
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "class", "id":
			h |= skipHints(a.Val)
			v := strings.ToLower(a.Val)
			if containsAny(v, dateHintWords) {
				h |= hintDate
			}
			if containsAny(v, authorHintWords) {
				h |= hintAuthor
			}
		case "itemprop":
			switch {
			case strings.Contains(a.Val, "author"):
				h |= hintAuthor
			case strings.Contains(a.Val, "date"):
				h |= hintDate
			case strings.Contains(a.Val, "articleBody"):
				h |= hintArticle
			}
		case "rel":
			if a.Val == "author" {
				h |= hintAuthor
			}
		}
	}
	return h
}
