// Package scriptcheck finds what could run script in an HTML fragment. The
// XSS tests of serve and cmd/herald judge Herald's outputs with it: one
// judge, so that both hold every output to the same standard.
package scriptcheck

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Executable reports the first thing in an HTML fragment that could run
// script: a script-capable element, an event handler or style, or a URL
// attribute with a scheme other than http(s) or mailto. It returns "" for
// a fragment with none.
func Executable(fragment string) string {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return "unparseable: " + err.Error()
	}
	for _, n := range nodes {
		if found := find(n); found != "" {
			return found
		}
	}
	return ""
}

func find(n *html.Node) string {
	if n.Type == html.ElementNode {
		switch n.Data {
		case "script", "svg", "iframe", "object", "embed", "style", "link", "meta", "base", "form", "math", "noscript":
			return "<" + n.Data + ">"
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" || k == "formaction":
				return "attribute " + a.Key
			case (k == "href" || k == "src" || k == "action" || k == "xlink:href" || k == "poster" || k == "srcset") && scriptURL(a.Val):
				return a.Key + "=" + a.Val
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if found := find(c); found != "" {
			return found
		}
	}
	return ""
}

// scriptURL is a URL that is neither relative nor http(s) or mailto, judged
// after removing what browsers ignore (spaces, control characters).
func scriptURL(s string) bool {
	s = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(s))
	i := strings.IndexAny(s, ":/?#")
	if i < 0 || s[i] != ':' {
		return false // relative
	}
	switch s[:i] {
	case "http", "https", "mailto":
		return false
	}
	return true
}
