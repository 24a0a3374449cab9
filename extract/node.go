package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return true
		}
	}
	return false
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func detach(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

func isElem(n *html.Node, a atom.Atom) bool {
	return n != nil && n.Type == html.ElementNode && n.DataAtom == a
}

// elements returns the element nodes under root (root included) in document
// order. Collecting first lets callers detach nodes while iterating.
func elements(root *html.Node) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

// walkElements calls f on the element nodes under root (root included) in
// document order until f returns false, and reports whether it never did.
// f must not change the tree. Unlike elements it allocates nothing: the
// checks that look inside each candidate container ran it thousands of
// times a page.
func walkElements(root *html.Node, f func(*html.Node) bool) bool {
	if root.Type == html.ElementNode && !f(root) {
		return false
	}
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if !walkElements(c, f) {
			return false
		}
	}
	return true
}

func hasAncestor(n *html.Node, a atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if isElem(p, a) {
			return true
		}
	}
	return false
}

// contains reports whether n is a or one of a's descendants.
func contains(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

// textStats are the sizes scoring and cleaning compare, in runes with runs of
// white space counted once.
type textStats struct {
	text   int // all text
	link   int // text inside links
	commas int
}

func (s textStats) linkDensity() float64 {
	if s.text == 0 {
		return 0
	}
	return float64(s.link) / float64(s.text)
}

func measure(n *html.Node) textStats {
	var s textStats
	measureInto(n, &s, false)
	return s
}

func measureInto(n *html.Node, s *textStats, inLink bool) {
	switch n.Type {
	case html.TextNode:
		k, c := countText(n.Data)
		s.text += k
		s.commas += c
		if inLink {
			s.link += k
		}
		return
	case html.ElementNode:
		if n.DataAtom == atom.A && !inLink {
			// In-page anchors (footnotes, "jump to") are weaker evidence of
			// navigation than links that leave the page.
			inLink = !strings.HasPrefix(attr(n, "href"), "#")
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		measureInto(c, s, inLink)
	}
}

// statsMemo remembers the textStats and tag counts of elements for one pass
// over a tree. Scoring and cleaning measure each container and then its
// ancestors, so measuring afresh walked the same subtrees again and again.
// The memo must see every change to the tree: remove nodes through its
// detach. Invariant: when an element is in the memo, so is every element
// inside it (measure fills a subtree bottom-up; detach forgets only
// ancestors), which is what lets detach stop early.
type statsMemo map[*html.Node]memoEntry

type memoEntry struct {
	textStats
	tags tagCounts
}

// tagCounts are the counts cleaning weighs, over an element and all that
// is inside it.
type tagCounts struct {
	p, longP, img, li, input, embed, figure int
	headingText                             int // text in headings, nested ones counted again
	quotedText                              int // text in <blockquote>s and <q>s, nested ones counted once
}

func (t *tagCounts) add(o tagCounts) {
	t.p += o.p
	t.longP += o.longP
	t.img += o.img
	t.li += o.li
	t.input += o.input
	t.embed += o.embed
	t.figure += o.figure
	t.headingText += o.headingText
	t.quotedText += o.quotedText
}

// measure is measure(n), computed bottom-up from the children's stats: a
// link's text is all link text, whatever links it holds.
func (m statsMemo) measure(n *html.Node) textStats { return m.entry(n).textStats }

// tags counts the elements of interest in n, n included.
func (m statsMemo) tags(n *html.Node) tagCounts { return m.entry(n).tags }

func (m statsMemo) entry(n *html.Node) memoEntry {
	if n.Type == html.TextNode {
		k, c := countText(n.Data)
		return memoEntry{textStats: textStats{text: k, commas: c}}
	}
	if e, ok := m[n]; ok {
		return e
	}
	var e memoEntry
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		ce := m.entry(c)
		e.text += ce.text
		e.link += ce.link
		e.commas += ce.commas
		e.tags.add(ce.tags)
	}
	if n.Type == html.ElementNode {
		e.tags.count(n.DataAtom, e.text)
		if n.DataAtom == atom.A && !strings.HasPrefix(attr(n, "href"), "#") {
			e.link = e.text
		}
	}
	m[n] = e
	return e
}

func (t *tagCounts) count(a atom.Atom, text int) {
	switch a {
	case atom.P:
		t.p++
		if text >= 80 {
			t.longP++
		}
	case atom.Img:
		t.img++
	case atom.Li:
		t.li++
	case atom.Input:
		t.input++
	case atom.Iframe, atom.Embed, atom.Object, atom.Video:
		t.embed++
	case atom.Figure, atom.Picture:
		t.figure++
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		t.headingText += text
	case atom.Blockquote, atom.Q:
		t.quotedText = text
	}
}

// detach removes n from the tree and forgets the stats of the elements that
// held it. By the memo's invariant, an ancestor not in the memo has none
// above it in the memo either: the walk up stops there, so that removing
// many nodes from a deep tree stays linear.
func (m statsMemo) detach(n *html.Node) {
	for p := n.Parent; p != nil; p = p.Parent {
		if _, ok := m[p]; !ok {
			break
		}
		delete(m, p)
	}
	detach(n)
}

// countText returns the length of s in runes with each run of white space
// counted as one, and the number of commas (Latin and CJK) in it.
func countText(s string) (n, commas int) {
	space := true
	for _, r := range s {
		// ASCII first, inline: this loop runs over every text node, often
		// several times.
		var sp bool
		if r < utf8.RuneSelf {
			sp = r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\v'
		} else {
			sp = isSpace(r)
		}
		if sp {
			if !space {
				n++
			}
			space = true
			continue
		}
		space = false
		n++
		switch r {
		case ',', '，', '、', '،':
			commas++
		}
	}
	return n, commas
}

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\v'
	}
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// collapse folds every run of white space to one space and trims the ends.
// A no-break space is kept inside the text: it is the author's choice (a
// space that must not break, as before "(Yonhap)"), not layout.
func collapse(s string) string {
	if collapsedASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		// ASCII a byte at a time: this runs over all of a page's text.
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if asciiSpace[c] {
				space = true
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad' {
			continue
		}
		if r != '\u00a0' && isSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r) // bytes that are not UTF-8 become U+FFFD
	}
	return strings.Trim(b.String(), " \u00a0")
}

// collapsedASCII reports whether s is ASCII that collapse leaves as it is:
// words parted by single spaces.
func collapsedASCII(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c != ' ' && asciiSpace[c] || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}

// textOf is the collapsed text of n.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return collapse(b.String())
}

// tokens splits class and id values into lower-case words: at anything not a
// letter or digit, at camelCase humps and between letters and digits, so that
// "shareButtons", "share_box" and "ad300" all yield their words while
// "header", "shadow" and "download" stay whole.
func tokens(s string, out []string) []string {
	start := -1
	var prev rune
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, strings.ToLower(s[start:end]))
		}
		start = -1
	}
	for i, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			prev = 0
			continue
		}
		if start >= 0 && boundary(prev, r) {
			flush(i)
		}
		if start < 0 {
			start = i
		}
		prev = r
	}
	flush(len(s))
	return out
}

func boundary(prev, r rune) bool {
	switch {
	case unicode.IsLower(prev) && unicode.IsUpper(r):
		return true
	case unicode.IsLetter(prev) && unicode.IsDigit(r), unicode.IsDigit(prev) && unicode.IsLetter(r):
		return true
	}
	return false
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
