package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// neverContent are elements whose text is never part of an article: code,
// controls, embeds and fallbacks ("your browser does not support...").
var neverContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Iframe: true, atom.Button: true, atom.Input: true,
	atom.Select: true, atom.Textarea: true, atom.Option: true, atom.Object: true,
	atom.Embed: true, atom.Canvas: true, atom.Svg: true,
	atom.Audio: true, atom.Video: true, atom.Dialog: true, atom.Link: true,
	atom.Meta: true, atom.Map: true, atom.Head: true, atom.Title: true,
	atom.Applet: true, atom.Frame: true, atom.Frameset: true,
}

// Class, id, role and aria-label words. A junk word removes the element; a
// soft word removes it only when it is short (a byline box, a date, a print
// button) since the same words also name wrappers of real text; a content
// word protects an element that also carries a junk word ("post
// has-comments", "content-with-sidebar").
var (
	junkWords = wordSet(`share shares sharing sharer sharebar sharetools sharethis addthis addtoany
		social socials socialmedia sociallinks related relatedposts relatedarticles popular mostpopular
		mostread comment comments commentlist disqus promo promos promotion promotions promoted
		ad ads adv advert adverts advertisement advertisements advertising adsense adsbygoogle adslot
		adunit adbox adblock dfp sponsor sponsors sponsored newsletter newsletters signup breadcrumb
		breadcrumbs crumbs cookie cookies consent gdpr subscribe subscription subscriptions sidebar
		sidenav footer menu menus navbar navigation nav skip skiplink outbrain taboola recommended
		recommendations recommend trending tags tagcloud taglist pagination pager toolbar
		masthead banner modal popup overlay shoutbox login signin teaser teasers gallery slideshow
		carousel slider`)
	softWords = wordSet(`author authors byline meta date dateline timestamp published posted tools tool
		actions utility utils print email follow rating vote like likes buttons button btn icon icons
		register cta category categories topics tag donate more readmore next prev previous info
		details credits widget widgets`)
	contentWords = wordSet(`article articles content body main post entry story text blog hentry embed embedded`)
	junkRoles    = wordSet(`navigation banner complementary contentinfo search menu menubar dialog alertdialog tooltip`)
	hiddenClass  = wordSet(`hidden hide sr-only screen-reader-text visually-hidden visuallyhidden invisible d-none is-hidden u-hidden element-invisible offscreen
		off-screen screen-reader-only show-for-sr u-visually-hidden is-visually-hidden a11y-hidden assistive-text`)
)

// softMax is the text length under which a soft-worded element is junk.
const softMax = 120

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// pruneMode says how much pruning may assume: later passes relax it when the
// strict one leaves too little text.
type pruneMode struct {
	byWords bool // remove elements by their class, id, role and aria-label
}

// prune removes from root what is never article text. It runs before
// scoring, so that widgets do not lend their text to the containers around
// them. memo must hold only what is true of the tree as it is.
func prune(root *html.Node, mode pruneMode, memo statsMemo, b *budget) {
	unwrapTemplates(root)
	els, ends := elementSpans(root)
	for i := 0; i < len(els); i++ {
		if b.spent() {
			return
		}
		if n := els[i]; n != root && removable(n, mode, memo) {
			memo.detach(n)
			i = ends[i] // what was inside n went with it
		}
	}
}

// elementSpans is elements(root) with, for each, the index of the last
// element inside it.
func elementSpans(root *html.Node) ([]*html.Node, []int) {
	var els []*html.Node
	var ends []int
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		i := -1
		if n.Type == html.ElementNode {
			i = len(els)
			els = append(els, n)
			ends = append(ends, 0)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if i >= 0 {
			ends[i] = len(els) - 1
		}
	}
	walk(root)
	return els, ends
}

func removable(n *html.Node, mode pruneMode, memo statsMemo) bool {
	if neverContent[n.DataAtom] || hidden(n) {
		return true
	}
	switch n.DataAtom {
	case atom.Html, atom.Body:
		return false
	case atom.Form:
		// Some sites wrap the whole page in one form: keep forms that hold
		// real text.
		return memo.measure(n).text < 500 && !hasParagraphs(n, 2, memo)
	case atom.Footer:
		return true
	case atom.Aside:
		return !pullQuote(n, memo)
	case atom.Header:
		return !hasParagraphs(n, 3, memo)
	case atom.Span:
		if hoverCard(n, memo) {
			return true
		}
	}
	if !mode.byWords || inParagraph(n) {
		return false
	}
	return junk(n, memo)
}

// junk reports whether n's class, id, role or aria-label says it is not
// content.
func junk(n *html.Node, memo statsMemo) bool {
	if r := attr(n, "role"); r != "" && junkRoles[strings.ToLower(r)] {
		return true
	}
	if strings.EqualFold(attr(n, "itemprop"), "articleBody") {
		return false
	}
	var buf [16]string
	words := tokens(attr(n, "class"), buf[:0])
	// A long id is a slug made from a heading ("sharing-with-a-single-
	// developer"): its words describe the text, not the element's role.
	if id := tokens(attr(n, "id"), nil); len(id) <= 3 {
		words = append(words, id...)
	}
	words = tokens(attr(n, "aria-label"), words)
	if len(words) == 0 {
		return false
	}
	var hard, soft bool
	for _, w := range words {
		if contentWords[w] {
			return false
		}
		hard = hard || junkWords[w]
		soft = soft || softWords[w]
	}
	if hard && inRunningText(n) {
		return false
	}
	if hard {
		// Ad slots hold no paragraphs: a body named "cuerpo-ad" (Spanish
		// for body) or "adv-content" with real paragraphs is not one.
		return !adOnly(words) || !hasParagraphs(n, 3, memo)
	}
	if soft {
		return memo.measure(n).text < softMax
	}
	return false
}

var adWords = wordSet(`ad ads adv advert adverts advertisement advertisements advertising`)

// adOnly reports whether the junk words among words are all ad words.
func adOnly(words []string) bool {
	for _, w := range words {
		if junkWords[w] && !adWords[w] {
			return false
		}
	}
	return true
}

// hidden reports whether n is not shown to readers.
func hidden(n *html.Node) bool {
	if hasAttr(n, "hidden") || strings.EqualFold(attr(n, "aria-hidden"), "true") {
		return true
	}
	if n.DataAtom == atom.Input && strings.EqualFold(attr(n, "type"), "hidden") {
		return true
	}
	if st := attr(n, "style"); st != "" {
		st = strings.ToLower(strings.ReplaceAll(st, " ", ""))
		if strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden") {
			return true
		}
	}
	for c := range strings.FieldsSeq(attr(n, "class")) {
		if hiddenClass[strings.ToLower(c)] {
			return true
		}
	}
	return false
}

// hasParagraphs reports whether n holds at least k paragraphs of real text.
func hasParagraphs(n *html.Node, k int, memo statsMemo) bool {
	return memo.tags(n).longP >= k
}

// inParagraph reports whether n is phrasing content inside a paragraph: a
// link or a span in running text is never furniture, whatever its class
// ("icon", "tag") says.
func inParagraph(n *html.Node) bool {
	if isBlock(n.DataAtom) {
		return false
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type != html.ElementNode {
			continue
		}
		if isBlock(p.DataAtom) {
			return p.DataAtom == atom.P
		}
	}
	return false
}

// inRunningText reports whether n is phrasing content between words of a
// text laid out without <p>: a formula or a link inside a sentence, whatever
// its class says ("CtxtMenu" is not a menu). Soft words still count there:
// a date or a category label sits beside words too.
func inRunningText(n *html.Node) bool {
	if isBlock(n.DataAtom) {
		return false
	}
	return words(n.PrevSibling) >= 3 || words(n.NextSibling) >= 3
}

// words counts the words of a text node, and is 0 for any other node.
func words(n *html.Node) int {
	if n == nil || n.Type != html.TextNode {
		return 0
	}
	k := 0
	for _, f := range strings.Fields(n.Data) {
		if strings.IndexFunc(f, unicode.IsLetter) >= 0 {
			k++
		}
	}
	return k
}

// unwrapTemplates replaces the HTML templates a script renders on load (a
// blog engine's post body in <script type="text/template">) by their
// markup, so that the text is there to be found. Templates with
// placeholders are left to be removed.
func unwrapTemplates(root *html.Node) {
	var templates []*html.Node
	walkElements(root, func(n *html.Node) bool {
		if n.DataAtom == atom.Script && strings.EqualFold(attr(n, "type"), "text/template") {
			templates = append(templates, n)
		}
		return true
	})
	for _, n := range templates {
		if n.Parent == nil {
			continue
		}
		src := textOf(n)
		if len(src) < 200 || !strings.Contains(src, "<p") || strings.Contains(src, "{{") || strings.Contains(src, "<%") {
			continue
		}
		// A JSON template holds markup only inside escaped strings: parsed
		// as HTML it would put braces and escapes into the text.
		if src[0] == '{' || src[0] == '[' {
			continue
		}
		nodes, err := html.ParseFragment(strings.NewReader(rawText(n)), n.Parent)
		if err != nil {
			continue
		}
		for _, c := range nodes {
			n.Parent.InsertBefore(c, n)
		}
		detach(n)
	}
}

// pullQuote reports whether the aside n only sets off a quotation from
// the text around it ("<aside><q>…</q></aside>"): the text repeats it, but
// it is the article's.
func pullQuote(n *html.Node, memo statsMemo) bool {
	st := memo.measure(n)
	if st.text == 0 || st.text > 300 || st.link > 0 {
		return false
	}
	return memo.tags(n).quotedText == st.text
}

// hoverCard reports whether the span n is a card shown when the reader
// points at the link before it: it follows a link, has a picture, and
// links where that link goes (the person's page, under their full name).
// Hidden by the page's style sheet, its text would run into the sentence
// ("Ilhan OmarIlhan Omar…"). Only a card's first maxCardElements elements
// are looked at, so that spans nested in spans cost a page no more than
// linear time.
func hoverCard(n *html.Node, memo statsMemo) bool {
	prev := n.PrevSibling
	for prev != nil && prev.Type == html.TextNode && strings.TrimSpace(prev.Data) == "" {
		prev = prev.PrevSibling
	}
	if prev == nil || prev.DataAtom != atom.A || memo.tags(n).img == 0 {
		return false
	}
	href := attr(prev, "href")
	if href == "" || strings.HasPrefix(href, "#") {
		return false
	}
	found, seen := false, 0
	walkElements(n, func(c *html.Node) bool {
		found = c.DataAtom == atom.A && attr(c, "href") == href
		seen++
		return !found && seen < maxCardElements
	})
	return found
}

// maxCardElements bounds the elements hoverCard reads in a span: a card is
// a picture and a few links.
const maxCardElements = 32
