package extract

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// pageIndex holds, in document order, the elements that metadata is read
// from. One walk collects them: finding each kind with its own selector
// walked the whole page a dozen times. The sets are those of the selectors
// they replace (tag names and attribute values compare exactly, "~=" is a
// word of a space-separated list).
type pageIndex struct {
	html      *html.Node   // html
	metas     []*html.Node // meta
	links     []*html.Node // link
	titles    []*html.Node // title
	scripts   []*html.Node // script
	h1        *html.Node   // the first h1
	headlines []*html.Node // h1, [itemprop="headline"]
	authors   []*html.Node // [itemprop~="author"], [itemprop~="creator"]
	times     []*html.Node // [itemprop~="datePublished"], [itemprop~="dateCreated"], time
	bodies    []*html.Node // body
}

// indexPage indexes the elements under the document's nodes, not the nodes
// themselves, as goquery's Find does.
func indexPage(doc *goquery.Document) *pageIndex {
	x := &pageIndex{}
	for _, n := range doc.Nodes {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			x.walk(c)
		}
	}
	return x
}

func (x *pageIndex) walk(n *html.Node) {
	if n.Type == html.ElementNode {
		x.add(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		x.walk(c)
	}
}

func (x *pageIndex) add(n *html.Node) {
	switch n.Data {
	case "html":
		if x.html == nil {
			x.html = n
		}
	case "meta":
		x.metas = append(x.metas, n)
	case "link":
		x.links = append(x.links, n)
	case "title":
		x.titles = append(x.titles, n)
	case "script":
		x.scripts = append(x.scripts, n)
	case "body":
		x.bodies = append(x.bodies, n)
	}
	h1 := n.Data == "h1"
	if h1 && x.h1 == nil {
		x.h1 = n
	}
	if len(n.Attr) == 0 && n.Data != "time" {
		if h1 {
			x.headlines = append(x.headlines, n)
		}
		return
	}
	if h1 || attrIs(n, "itemprop", "headline") {
		x.headlines = append(x.headlines, n)
	}
	if attrHasWord(n, "itemprop", "author") || attrHasWord(n, "itemprop", "creator") {
		x.authors = append(x.authors, n)
	}
	if n.Data == "time" || attrHasWord(n, "itemprop", "datePublished") || attrHasWord(n, "itemprop", "dateCreated") {
		x.times = append(x.times, n)
	}
}

// firstLink is the first link whose rel lists rel.
func (x *pageIndex) firstLink(rel string) *html.Node {
	for _, n := range x.links {
		if attrHasWord(n, "rel", rel) {
			return n
		}
	}
	return nil
}

// attrIs is the selector [key="val"]: any attribute named key, whatever its
// namespace.
func attrIs(n *html.Node, key, val string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Val == val {
			return true
		}
	}
	return false
}

// attrHasWord is the selector [key~="word"].
func attrHasWord(n *html.Node, key, word string) bool {
	for _, a := range n.Attr {
		if a.Key == key && hasWord(a.Val, word) {
			return true
		}
	}
	return false
}

// hasWord reports whether word is one of the words of s, a list separated
// by the white space of CSS.
func hasWord(s, word string) bool {
	for s != "" {
		i := strings.IndexAny(s, " \t\r\n\f")
		if i < 0 {
			return s == word
		}
		if s[:i] == word {
			return true
		}
		s = s[i+1:]
	}
	return false
}
