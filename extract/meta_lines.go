package extract

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
		var word, hump bool
		if r < utf8.RuneSelf && prev < utf8.RuneSelf {
			// Class names are nearly all ASCII: no tables to consult.
			word = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
			hump = 'A' <= r && r <= 'Z' && 'a' <= prev && prev <= 'z'
		} else {
			word = unicode.IsLetter(r) || unicode.IsDigit(r)
			hump = unicode.IsUpper(r) && unicode.IsLower(prev)
		}
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

// skipLineTag is skipLineTags[n.Data] without hashing the name: the
// parser gives these elements their atom.
func skipLineTag(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Head,
		atom.Iframe, atom.Select, atom.Option, atom.Button, atom.Textarea:
		return n.Data == n.DataAtom.String()
	case 0:
		return skipLineTags[n.Data]
	}
	return false
}

// skipLineTags never hold visible metadata.
var skipLineTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true, "head": true,
	"iframe": true, "select": true, "option": true, "button": true, "textarea": true,
}

func readLines(bodies []*html.Node, titleAncestors map[*html.Node]bool) pageLines {
	w := lineWalker{out: pageLines{h1: -1}, keep: titleAncestors, names: nameHints{}, buf: make([]byte, 0, 4096)}
	for _, n := range bodies {
		// The body's own classes ("has-sidebar", "single-post") say nothing
		// about one line.
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && !skipLineTag(c) {
				w.walk(c, 0)
			}
		}
	}
	// The lines' texts are slices of one string: a page has thousands of
	// short elements, and a string each was most of readLines' cost.
	text := string(w.buf)
	for i := range w.out.lines {
		w.out.lines[i].text = text[w.spans[i].start:w.spans[i].end]
	}
	slices.SortFunc(w.out.lines, func(a, b pageLine) int { return a.pos - b.pos })
	return w.out
}

// lineWalker reads the body's text once, into buf, with white space folded
// (runs of it as one space) and a space at each element boundary. An
// element's line is then a span of buf: the same text as folding the
// element's own text with its children's set apart by spaces.
type lineWalker struct {
	out   pageLines
	count int
	keep  map[*html.Node]bool // the headline's ancestors: never skipped
	names nameHints
	buf   []byte
	spans []lineSpan // where out.lines[i].text is in buf, until the walk ends
}

type lineSpan struct{ start, end int }

// walk returns the length of n's text, or long=true when the text exceeds
// maxMetaLine runes or its parts, unfolded, 4*maxMetaLine bytes (then no
// ancestor of n is a line).
func (w *lineWalker) walk(n *html.Node, inherited int) (size int, long bool) {
	w.count++
	pos := w.count
	if w.count > maxLineNodes {
		return 0, true
	}
	hints := inherited | ownHints(n, inherited, w.keep, w.names)
	if n.Data == "h1" && w.out.h1 < 0 {
		w.out.h1 = pos
	}
	// Element boundaries separate words: <span>By X</span><span>June 24</span>.
	w.space()
	start := len(w.buf)
	raw := 0 // the size of n's text before folding, as the text's bound counts it
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			w.text(c.Data)
			raw += len(c.Data)
		case html.ElementNode:
			if skipLineTag(c) {
				continue
			}
			k, l := w.walk(c, hints&^hintTitle)
			long = long || l
			raw += k + 2
		}
		if raw > 4*maxMetaLine {
			long = true
		}
	}
	end := len(w.buf)
	w.space()
	if long {
		return 0, true
	}
	if end > start && w.buf[end-1] == ' ' {
		end--
	}
	if utf8.RuneCount(w.buf[start:end]) > maxMetaLine {
		return 0, true
	}
	if end > start {
		w.out.lines = append(w.out.lines, pageLine{node: n, hints: hints, pos: pos})
		w.spans = append(w.spans, lineSpan{start, end})
	}
	return end - start, false
}

// space ends the word being written, if any.
func (w *lineWalker) space() { w.buf = appendSpace(w.buf) }

func (w *lineWalker) text(s string) { w.buf = appendFolded(w.buf, s) }

func appendSpace(dst []byte) []byte {
	if len(dst) > 0 && dst[len(dst)-1] != ' ' {
		dst = append(dst, ' ')
	}
	return dst
}

// appendFolded appends s to dst with its white space folded as
// strings.Fields sees it (Unicode spaces; bytes that are not UTF-8 are kept
// as they are): each run is one space, and none follows a space or starts
// dst.
func appendFolded(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				dst = appendSpace(dst)
				i++
				continue
			}
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && !asciiSpace[s[j]] {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			dst = appendSpace(dst)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// asciiSpace are the ASCII bytes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// ownHints are n's hints in its place: an aside or footer inside the article
// holds the article's byline and date, elsewhere (hintAside) most often the
// site's; what holds the headline is never skipped, whatever its class says
// ("layoutWithSidebar").
func ownHints(n *html.Node, inherited int, keep map[*html.Node]bool, names nameHints) int {
	h := nodeHints(n, names)
	if keep[n] {
		return h &^ (hintSkip | hintAside)
	}
	if inherited&hintArticle != 0 {
		h &^= hintAside
	}
	return h
}

// nodeHints reads what n's tag, class, id, itemprop and rel say it holds.
func nodeHints(n *html.Node, names nameHints) int {
	h := 0
	switch n.Data {
	case "article", "main":
		h |= hintArticle
	case "time":
		h |= hintDate
	case "h1":
		h |= hintTitle
	case "aside", "footer":
		h |= hintAside
	case "nav":
		// Links to other pages (menus, categories, the next post): never
		// the article's byline or date, inside the article or out.
		h |= hintSkip
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "class":
			h |= names.of(a.Val)
		case "id":
			// Ids are unique: remembering them would only fill the map.
			h |= nameHints(nil).of(a.Val)
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

// nameHints remembers the hints of class and id values: a page gives the
// same few names to thousands of elements. A nil nameHints remembers
// nothing.
type nameHints map[string]int

func (m nameHints) of(v string) int {
	if h, ok := m[v]; ok {
		return h
	}
	h := skipHints(v)
	lv := strings.ToLower(v)
	if containsAny(lv, dateHintWords) {
		h |= hintDate
	}
	if containsAny(lv, authorHintWords) {
		h |= hintAuthor
	}
	if m != nil {
		m[v] = h
	}
	return h
}
