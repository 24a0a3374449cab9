package extract

import (
	"bytes"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// policy is built once, on first use (building it compiles regexps, which a
// process that never sanitises should not pay for); a bluemonday Policy is
// safe for concurrent use once configured. It keeps the structure of an
// article (headings, lists, tables, figures, quotes, code) and nothing that
// runs: no script, no event handlers, no URLs but http(s) and mailto.
var policy = sync.OnceValue(newPolicy)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowElements("figure", "figcaption", "picture", "section", "article", "main", "time", "mark", "small", "sub", "sup")
	p.AllowAttrs("datetime").OnElements("time")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(false)
	return p
}

// SanitizeHTML is the sanitiser that the HTML of Page and Fragment went
// through, for HTML from elsewhere (an imported article): applied to their
// output, it changes nothing.
func SanitizeHTML(s string) string { return sanitize(strings.NewReader(s)) }

// sanitize reads HTML from r and returns it sanitised; r may stop early
// (a spent budget), and then what is returned must not be used.
func sanitize(r io.Reader) string {
	return strings.TrimSpace(policy().SanitizeReader(r).String())
}

// render writes the nodes as HTML.
func render(nodes []*html.Node) string {
	var b bytes.Buffer
	for _, n := range nodes {
		if n.DataAtom == atom.Body || n.DataAtom == atom.Html {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				_ = html.Render(&b, c)
			}
			continue
		}
		_ = html.Render(&b, n)
	}
	return b.String()
}

// urlAttrs are the attributes that hold one URL.
var urlAttrs = map[string]bool{"href": true, "src": true, "poster": true, "cite": true, "longdesc": true}

// fixURLs makes links and images absolute and gives lazy-loaded images
// their real source.
func fixURLs(roots []*html.Node, base *url.URL) {
	for _, r := range roots {
		walkElements(r, func(n *html.Node) bool {
			if n.DataAtom == atom.Img || n.DataAtom == atom.Source {
				unlazy(n)
			}
			for i, a := range n.Attr {
				switch {
				case urlAttrs[a.Key]:
					n.Attr[i].Val = absolute(base, a.Val)
				case a.Key == "srcset":
					n.Attr[i].Val = absoluteSrcset(base, a.Val)
				}
			}
			return true
		})
	}
}

// lazyAttrs are where lazy-loading scripts keep an image's real source.
var lazyAttrs = []string{"data-src", "data-original", "data-lazy-src", "data-lazy", "data-url", "data-hi-res-src", "data-full-src", "data-echo", "data-img-src"}

func unlazy(n *html.Node) {
	src := attr(n, "src")
	if src != "" && !placeholder(src) {
		return
	}
	for _, k := range lazyAttrs {
		if v := strings.TrimSpace(attr(n, k)); v != "" && !strings.HasPrefix(v, "data:") {
			setAttr(n, "src", v)
			return
		}
	}
	for _, k := range []string{"data-srcset", "data-lazy-srcset", "srcset"} {
		if v := attr(n, k); v != "" {
			if best := largestCandidate(v); best != "" {
				setAttr(n, "src", best)
				if k != "srcset" {
					setAttr(n, "srcset", v)
				}
				return
			}
		}
	}
}

// placeholder reports whether src is a stand-in shown until a script loads
// the real image.
func placeholder(src string) bool {
	s := strings.ToLower(src)
	if strings.HasPrefix(s, "data:") {
		return true
	}
	for _, w := range []string{"blank.", "placeholder", "spacer.", "lazy", "1x1", "pixel.", "transparent.", "loading."} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// largestCandidate picks the widest (or densest) image of a srcset.
func largestCandidate(srcset string) string {
	var best string
	bestSize := -1.0
	for _, c := range parseSrcset(srcset) {
		if strings.HasPrefix(c.url, "data:") {
			continue
		}
		if c.size > bestSize {
			best, bestSize = c.url, c.size
		}
	}
	return best
}

type srcsetCandidate struct {
	url, descriptor string
	size            float64
}

// parseSrcset splits a srcset as browsers do: a URL runs to white space (it
// may hold commas, as data: URLs do) and its descriptor to the next comma.
func parseSrcset(s string) []srcsetCandidate {
	var out []srcsetCandidate
	for {
		s = strings.TrimLeft(s, " \t\n\r\f,")
		if s == "" {
			return out
		}
		end := strings.IndexAny(s, " \t\n\r\f")
		if end < 0 {
			end = len(s)
		}
		u := s[:end]
		s = s[end:]
		var desc string
		if strings.HasSuffix(u, ",") {
			u = strings.TrimRight(u, ",")
		} else {
			i := strings.IndexByte(s, ',')
			if i < 0 {
				i = len(s)
			}
			desc, s = strings.TrimSpace(s[:i]), s[i:]
		}
		size := 1.0
		if d := strings.TrimRight(strings.ToLower(desc), "wx"); d != "" {
			if v, err := strconv.ParseFloat(d, 64); err == nil {
				size = v
			}
		}
		out = append(out, srcsetCandidate{url: u, descriptor: desc, size: size})
	}
}

func absolute(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if base == nil || ref == "" || strings.HasPrefix(ref, "#") {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

func absoluteSrcset(base *url.URL, srcset string) string {
	var parts []string
	for _, c := range parseSrcset(srcset) {
		p := absolute(base, c.url)
		if c.descriptor != "" {
			p += " " + c.descriptor
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}
