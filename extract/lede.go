package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// A CMS that is given no summary fills a page's meta description with the
// opening of the article's first paragraph, cut short; templates often
// print that first paragraph apart from the body, in the header or in a
// hero block beside the picture. Scoring finds the body and leaves the
// paragraph out, so the article loses its beginning. findLede finds the
// printed paragraph by the description; Page puts it back in front of the
// text when the text lacks it. A description that is the whole of a
// paragraph is a summary written for it (a dek, a standfirst), which
// readers and annotators keep apart from the article: it is left out.

// minLede is the shortest description (runes) taken for a lede: short ones
// are slogans or site descriptions.
const minLede = 60

// minGoesOn is how much longer (runes) than the description the paragraph
// must be: the description was cut from it, not written for it.
const minGoesOn = 20

// findLede returns the text of the first paragraph of the page that the
// description begins and that goes on after it; "" when there is none.
func findLede(root *html.Node, description string, b *budget) string {
	d := strings.TrimRight(collapse(description), ".…  ")
	dn := utf8.RuneCountInString(d)
	if dn < minLede {
		return ""
	}
	var lede string
	walkElements(root, func(n *html.Node) bool {
		if b.spent() || lede != "" {
			return false
		}
		if neverContent[n.DataAtom] {
			return true
		}
		if n.DataAtom != atom.P && n.DataAtom != atom.Div || hasBlockChild(n) {
			return true
		}
		if t := textOf(n); strings.HasPrefix(t, d) && utf8.RuneCountInString(t) >= dn+minGoesOn {
			lede = t
		}
		return lede == ""
	})
	return lede
}

// ledeMissing reports whether text lacks the lede: its opening words are
// nowhere in it.
func ledeMissing(text, lede string) bool {
	head := lede
	if len(head) > 80 {
		head = head[:80]
		for !utf8.ValidString(head) {
			head = head[:len(head)-1]
		}
	}
	return lede != "" && !strings.Contains(text, head)
}
