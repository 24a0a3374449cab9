package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var blockTags = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Body: true,
	atom.Center: true, atom.Dd: true, atom.Details: true, atom.Dialog: true, atom.Dir: true,
	atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true,
	atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hgroup: true, atom.Hr: true,
	atom.Html: true, atom.Li: true, atom.Main: true, atom.Menu: true, atom.Nav: true, atom.Ol: true,
	atom.P: true, atom.Pre: true, atom.Section: true, atom.Summary: true, atom.Table: true,
	atom.Tbody: true, atom.Thead: true, atom.Tfoot: true, atom.Tr: true, atom.Ul: true,
	atom.Caption: true, atom.Legend: true, atom.Picture: false,
}

func isBlock(a atom.Atom) bool { return blockTags[a] }

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// para is one paragraph of the text and where it came from, so that a
// paragraph dropped from the text can be dropped from the HTML too.
type para struct {
	text    string
	block   *html.Node   // the block element whose inline content this is
	nodes   []*html.Node // the block's children that make up the paragraph
	heading bool
}

// paragraphs splits the content into paragraphs: one per block element (or
// per table row), and one per run of text between <br>s, so that text laid
// out with <br><br> instead of <p> still comes out as paragraphs.
func paragraphs(roots []*html.Node) []para {
	w := &paraWriter{}
	for _, r := range roots {
		w.block(r)
	}
	return w.out
}

type paraWriter struct {
	out   []para
	cur   []byte // the paragraph being read, reused for the next
	blk   *html.Node
	nodes []*html.Node
}

func (w *paraWriter) flush() {
	if len(w.cur) == 0 {
		w.nodes = nil
		return
	}
	t := collapse(string(w.cur))
	if t != "" {
		w.out = append(w.out, para{text: t, block: w.blk, nodes: w.nodes, heading: isHeading(w.blk.DataAtom)})
	}
	w.cur = w.cur[:0]
	w.nodes = nil
}

func (w *paraWriter) block(n *html.Node) {
	if n.Type != html.ElementNode {
		w.inline(n, n)
		return
	}
	if n.DataAtom == atom.Pre {
		w.flush()
		w.pre(n)
		return
	}
	outer := w.blk
	w.flush()
	w.blk = n
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.child(c)
	}
	w.flush()
	w.blk = outer
}

// child handles a direct child of the current block.
func (w *paraWriter) child(c *html.Node) {
	switch {
	case c.Type == html.ElementNode && isBlock(c.DataAtom):
		w.block(c)
	case isElem(c, atom.Br):
		w.flush()
	default:
		w.nodes = append(w.nodes, c)
		w.inline(c, c)
	}
}

func (w *paraWriter) inline(n, top *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.cur = append(w.cur, n.Data...)
		return
	case html.ElementNode:
	default:
		return
	}
	switch {
	case n.DataAtom == atom.Br:
		w.flush()
		return
	case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
		w.cur = append(w.cur, ' ')
	case n.DataAtom == atom.Img:
		return
	case isBlock(n.DataAtom):
		// A block inside an inline element (<a><div>..</div></a>) still
		// makes its own paragraph; its nodes are not tracked.
		w.block(n)
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.inline(c, top)
	}
	if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		w.cur = append(w.cur, ' ')
	}
}

// pre keeps a preformatted block's lines, without blank ones, so that code
// stays readable and paragraphs stay separated by exactly one blank line.
func (w *paraWriter) pre(n *html.Node) {
	raw := rawText(n)
	var lines []string
	for _, l := range strings.Split(raw, "\n") {
		l = strings.TrimRight(strings.ReplaceAll(l, "\u00a0", " "), " \t\r")
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 0 {
		w.out = append(w.out, para{text: strings.Join(lines, "\n"), block: n, nodes: []*html.Node{n}})
	}
}

func rawText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case isElem(n, atom.Br):
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func joinParas(ps []para) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// dropPara removes a paragraph's nodes from the tree: the whole block when
// the paragraph is all of it (sole, from soleParas), else its own inline
// nodes and the <br> after.
func dropPara(p para, sole bool) {
	if p.block == nil {
		return
	}
	if p.block.DataAtom == atom.Pre || sole {
		if p.block.Parent != nil && p.block.DataAtom != atom.Body && p.block.DataAtom != atom.Html {
			detach(p.block)
		}
		return
	}
	for _, n := range p.nodes {
		next := n.NextSibling
		detach(n)
		for next != nil && next.Type == html.TextNode && strings.TrimSpace(next.Data) == "" {
			next = next.NextSibling
		}
		if isElem(next, atom.Br) {
			detach(next)
		}
	}
}

// soleParas reports for each paragraph whether it is the only one from its
// block and from the blocks inside it (repeats of its own text aside), in
// one pass: asking it paragraph by paragraph made pages of many dropped
// paragraphs quadratic.
func soleParas(ps []para) []bool {
	type blockParas struct {
		text  string
		mixed bool // paragraphs of different texts
	}
	blocks := map[*html.Node]*blockParas{}
	for _, p := range ps {
		if p.block == nil {
			continue
		}
		if b := blocks[p.block]; b == nil {
			blocks[p.block] = &blockParas{text: p.text}
		} else if b.text != p.text {
			b.mixed = true
		}
	}
	// Mark the ancestors of each paragraph's block. Ancestors that are not
	// blocks of paragraphs are marked too, so that the walk stops at the
	// first one marked before: it has marked the rest.
	inner := map[*html.Node]bool{}
	for _, p := range ps {
		if p.block == nil {
			continue
		}
		for a := p.block.Parent; a != nil && !inner[a]; a = a.Parent {
			inner[a] = true
		}
	}
	sole := make([]bool, len(ps))
	for i, p := range ps {
		if b := blocks[p.block]; b != nil {
			sole[i] = !b.mixed && !inner[p.block]
		}
	}
	return sole
}

// squash lower-cases s and keeps only its letters and digits: the form in
// which names, site names and titles are compared, so that "ZEIT ONLINE"
// and "zeit-online", "Edilson La Rosa" and "edilson.la.rosa" are equal.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
