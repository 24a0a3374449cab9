package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// cleanConditionally removes from the chosen content the blocks that look
// like page furniture rather than article: link lists, image strips, forms,
// embeds with no text. Like Readability it weighs several counts at once,
// because no single one separates a caption from a teaser.
func cleanConditionally(root *html.Node, memo statsMemo, b *budget) {
	els, inFigure := elementsInFigure(root)
	// Deepest first, so that a container is judged on what remains in it.
	// No node met here is inside one already removed: its ancestors come
	// later in this order.
	for i := len(els) - 1; i >= 0; i-- {
		if b.spent() {
			return
		}
		n := els[i]
		if n == root {
			continue
		}
		switch n.DataAtom {
		case atom.Div, atom.Section, atom.Ul, atom.Ol, atom.Table, atom.Form, atom.Fieldset, atom.Dl:
		default:
			continue
		}
		if n.DataAtom == atom.Table && dataTable(n) {
			continue
		}
		if furniture(n, inFigure[i], memo) {
			memo.detach(n)
		}
	}
}

// elementsInFigure is elements(root), with whether each is inside a
// <figure>.
func elementsInFigure(root *html.Node) ([]*html.Node, []bool) {
	var els []*html.Node
	var in []bool
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, fig bool) {
		if n.Type == html.ElementNode {
			els = append(els, n)
			in = append(in, fig)
			fig = fig || n.DataAtom == atom.Figure
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, fig)
		}
	}
	walk(root, hasAncestor(root, atom.Figure))
	return els, in
}

func furniture(n *html.Node, inFigure bool, memo statsMemo) bool {
	weight := classWeight(n)
	if weight < 0 && !contentNamed(n) {
		return true
	}
	st := memo.measure(n)
	t := memo.tags(n)
	// A quotation's links (an embedded post's own) do not make it a list.
	if st.commas >= 10 || st.text > 0 && t.quotedText == st.text {
		return false
	}
	p, img, li, input, embed := t.p, t.img, t.li, t.input, t.embed
	isList := n.DataAtom == atom.Ul || n.DataAtom == atom.Ol
	ld := st.linkDensity()
	if isList {
		return ld > 0.5 && !imageList(n, memo)
	}
	headingDensity := 0.0
	if st.text > 0 {
		headingDensity = float64(t.headingText) / float64(st.text)
	}
	switch {
	case st.text == 0 && img == 0 && embed == 0:
		return t.figure == 0
	case img > 1 && float64(p)/float64(img) < 0.5 && !inFigure && st.text < 200:
		return true
	case li-100 > p:
		return true
	case input > p/3:
		return true
	case headingDensity < 0.9 && st.text < 25 && (img == 0 || img > 2) && ld > 0:
		return true
	case weight < 25 && ld > 0.2 && st.text < 1000 || ld > 0.5:
		return true
	case (embed == 1 && st.text < 75) || embed > 1:
		return true
	}
	return false
}

// imageList is a list whose items are each one picture: a gallery, kept.
func imageList(n *html.Node, memo statsMemo) bool {
	items := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.DataAtom != atom.Li {
			continue
		}
		items++
		if memo.tags(c).img == 0 || memo.measure(c).text > 200 {
			return false
		}
	}
	return items > 0
}

// dataTable tells a table of data, kept whole, from one used for layout.
func dataTable(n *html.Node) bool {
	if strings.EqualFold(attr(n, "role"), "presentation") || attr(n, "datatable") == "0" {
		return false
	}
	if attr(n, "summary") != "" {
		return true
	}
	rows, cols := 0, 0
	var verdict, decided bool
	walkElements(n, func(e *html.Node) bool {
		if e == n {
			return true
		}
		switch e.DataAtom {
		case atom.Table:
			verdict, decided = false, true // nested tables are layout
		case atom.Caption, atom.Thead, atom.Tfoot, atom.Colgroup, atom.Th:
			verdict, decided = true, true
		case atom.Tr:
			rows++
			c := 0
			for td := e.FirstChild; td != nil; td = td.NextSibling {
				if isElem(td, atom.Td) {
					c++
				}
			}
			cols = max(cols, c)
		}
		return !decided
	})
	if decided {
		return verdict
	}
	return rows >= 10 || cols > 4 || rows*cols > 10
}

// contentNamed reports whether n's class names it content as well
// ("social-media-embed": a post quoted in the text).
func contentNamed(n *html.Node) bool {
	var buf [16]string
	for _, w := range tokens(attr(n, "class"), buf[:0]) {
		if contentWords[w] {
			return true
		}
	}
	return false
}
