package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Scoring follows Readability's idea: every paragraph votes for the
// containers above it, with a weight that grows with its length and its
// commas and shrinks with the distance; containers then lose the share of
// their text that is links. The best container is the article.

var (
	positiveWords = wordSet(`article articles body content entry hentry main page post text blog story
		articlebody postbody storybody storytext richtext`)
	negativeWords = wordSet(`hidden banner combx comment comments contact foot footer footnote gdpr
		masthead media meta outbrain promo related scroll share shoutbox sidebar skyscraper sponsor
		shopping tags tool tools nav navigation menu breadcrumb ad ads advert social
		popular teaser teasers`)
)

// classWeight is Readability's verdict on an element's class and id.
func classWeight(n *html.Node) float64 {
	var w float64
	for _, key := range []string{"class", "id"} {
		v := attr(n, key)
		if v == "" {
			continue
		}
		var buf [16]string
		var pos, neg bool
		for _, t := range tokens(v, buf[:0]) {
			pos = pos || positiveWords[t]
			neg = neg || negativeWords[t]
		}
		if neg {
			w -= 25
		}
		if pos {
			w += 25
		}
	}
	if strings.EqualFold(attr(n, "itemprop"), "articleBody") {
		w += 50
	}
	return w
}

func baseScore(n *html.Node) float64 {
	s := classWeight(n)
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Main, atom.Section:
		s += 5
	case atom.Pre, atom.Td, atom.Blockquote:
		s += 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		s -= 3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		s -= 5
	}
	if n.DataAtom == atom.Article || n.DataAtom == atom.Main || strings.EqualFold(attr(n, "role"), "main") {
		s += 10
	}
	return s
}

// paragraphTags are scored for their whole text; other block elements are
// scored only for their own inline text (a <div> of text and <br>s).
var paragraphTags = map[atom.Atom]bool{atom.P: true, atom.Pre: true, atom.Td: true, atom.Blockquote: true}

// candidates scores the containers of root.
func candidates(root *html.Node, memo statsMemo, b *budget) map[*html.Node]float64 {
	scores := map[*html.Node]float64{}
	walkElements(root, func(n *html.Node) bool {
		vote(n, scores, memo)
		return !b.spent()
	})
	for n, s := range scores {
		// Class names and tags count fully only for containers with real
		// text: a near-empty <main class="content"> is not the article.
		st := memo.measure(n)
		s += baseScore(n) * min(1, float64(st.text)/500)
		scores[n] = s * (1 - st.linkDensity())
	}
	return scores
}

// vote adds n's vote, if it is a paragraph of some length, to the scores
// of the containers above it.
func vote(n *html.Node, scores map[*html.Node]float64, memo statsMemo) {
	var s textStats
	switch {
	case paragraphTags[n.DataAtom]:
		if n.DataAtom == atom.Blockquote && hasBlockChild(n) {
			return // its paragraphs vote themselves
		}
		s = memo.measure(n)
	case isBlock(n.DataAtom):
		s = ownText(n, memo)
	default:
		return
	}
	if s.text < 25 {
		return
	}
	vote := 1 + float64(s.commas) + float64(min(s.text/100, 3))
	level := 0
	for a := n.Parent; a != nil && level < 5; a = a.Parent {
		if a.Type != html.ElementNode || a.DataAtom == atom.Html {
			break
		}
		if _, ok := scores[a]; !ok {
			scores[a] = 0
		}
		div := 1.0
		switch {
		case level == 1:
			div = 2
		case level > 1:
			div = float64(level * 3)
		}
		scores[a] += vote / div
		level++
	}
}

// ownText measures the inline content of n that is not inside a block child.
func ownText(n *html.Node, memo statsMemo) textStats {
	var s textStats
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && isBlock(c.DataAtom) {
			continue
		}
		cs := memo.measure(c)
		s.text += cs.text
		s.link += cs.link
		s.commas += cs.commas
	}
	return s
}

func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && isBlock(c.DataAtom) {
			return true
		}
	}
	return false
}

// topCandidate picks the best container, climbing to an ancestor when the
// article's parts were scored separately.
func topCandidate(body *html.Node, scores map[*html.Node]float64, o docOrder) *html.Node {
	top := bestNode(scores, o)
	if top == nil {
		return nil
	}
	top = commonAncestor(body, top, scores, o)
	return climb(body, top, scores)
}

// climb moves top up to an ancestor that holds more of the article.
func climb(body, top *html.Node, scores map[*html.Node]float64) *html.Node {
	// An ancestor that scores better than the top's own score holds more of
	// the article (several sections each with its own wrapper).
	last, threshold := scores[top], scores[top]/3
	for p := top.Parent; p != nil && p != body && p.Type == html.ElementNode; p = p.Parent {
		s, ok := scores[p]
		if !ok {
			continue
		}
		if s < threshold {
			break
		}
		if s > last {
			top = p
			break
		}
		last = s
	}
	for top.Parent != nil && top.Parent != body && top.Parent.Type == html.ElementNode && onlyChild(top) {
		top = top.Parent
	}
	return top
}

// bestNode is the highest-scoring candidate, ties broken by document order.
func bestNode(scores map[*html.Node]float64, o docOrder) *html.Node {
	var top *html.Node
	for n, s := range scores {
		if top == nil || s > scores[top] || (s == scores[top] && o.before(n, top)) {
			top = n
		}
	}
	return top
}

// parts returns top and the other well-scored containers with its tag and
// class, in document order, when there are any: an article body cut into
// chunks around ads or pictures, each in its own wrapper.
func parts(top *html.Node, scores map[*html.Node]float64, o docOrder) []*html.Node {
	class := attr(top, "class")
	if class == "" {
		return nil
	}
	out := []*html.Node{top}
	for n, s := range scores {
		if n == top || n.DataAtom != top.DataAtom || attr(n, "class") != class || s < 10 {
			continue
		}
		if o.contains(top, n) || o.contains(n, top) {
			continue
		}
		out = append(out, n)
	}
	if len(out) == 1 {
		return nil
	}
	return o.outermost(out)
}

// commonAncestor moves top up to the nearest ancestor shared with at least
// three other strong candidates: the text is split over several containers.
func commonAncestor(body, top *html.Node, scores map[*html.Node]float64, o docOrder) *html.Node {
	var alts []*html.Node
	for n, s := range scores {
		if n != top && s >= 0.75*scores[top] && !o.contains(top, n) && !o.contains(n, top) {
			alts = append(alts, n)
		}
	}
	if len(alts) < 3 {
		return top
	}
	o.sort(alts)
	for p := top.Parent; p != nil && p != body; p = p.Parent {
		if o.countWithin(p, alts) >= 3 {
			return p
		}
	}
	return top
}

func onlyChild(n *html.Node) bool {
	for c := n.Parent.FirstChild; c != nil; c = c.NextSibling {
		if c != n && c.Type == html.ElementNode {
			return false
		}
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return false
		}
	}
	return true
}

// withSiblings returns top and those of its siblings that read as part of
// the article (an intro paragraph beside the body's wrapper, a second
// column), in document order.
func withSiblings(top *html.Node, topScore float64, scores map[*html.Node]float64) []*html.Node {
	if top.Parent == nil {
		return []*html.Node{top}
	}
	topScore = max(topScore, scores[top])
	threshold := max(10, topScore*0.2)
	class := attr(top, "class")
	var out []*html.Node
	for s := top.Parent.FirstChild; s != nil; s = s.NextSibling {
		if s == top {
			out = append(out, s)
			continue
		}
		if s.Type != html.ElementNode {
			continue
		}
		bonus := 0.0
		if class != "" && attr(s, "class") == class {
			bonus = topScore * 0.2
		}
		if sc, ok := scores[s]; ok && sc+bonus >= threshold || describesArticle(s) {
			out = append(out, s)
			continue
		}
		if s.DataAtom != atom.P {
			continue
		}
		st := measure(s)
		ld := st.linkDensity()
		switch {
		case st.text > 80 && ld < 0.25:
			out = append(out, s)
		case st.text > 0 && st.text <= 80 && ld == 0 && endsSentence(textOf(s)):
			out = append(out, s)
		}
	}
	return out
}

func endsSentence(s string) bool {
	s = strings.TrimSpace(s)
	for _, suf := range []string{".", "!", "?", "。", "！", "？", ".\"", ".”"} {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

// describesArticle reports whether n is marked up as the description of
// the article whose body is beside it (schema.org's itemprop
// "description"): its lede, as TYPO3's news pages print it above the text.
func describesArticle(n *html.Node) bool {
	return strings.EqualFold(attr(n, "itemprop"), "description") && strings.TrimSpace(textOf(n)) != ""
}
