package extract

import (
	"bytes"
	"io"
	"net/url"
	"regexp"
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
	p := ugcPolicy()
	p.AllowElements("figure", "figcaption", "picture", "section", "article", "main", "time", "mark", "small", "sub", "sup")
	p.AllowAttrs("datetime").OnElements("time")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(false)
	return p
}

// ugcPolicy is bluemonday.UGCPolicy, call for call, but for three patterns
// written in forms that match the same strings and compile several times
// faster: building UGCPolicy was an eighth of the CPU of a first page. lang's
// unanchored [a-zA-Z]{2,20} matches where two letters stand together; the
// map name's capture group changes nothing; usemap's (?i) adds to
// [\p{L}\p{N}] only U+0345, which case-folds with iota (TestUGCPolicy holds
// the two policies to the same output, and the pattern to the original over
// every rune).
func ugcPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`[a-zA-Z]{2}`)).Globally()
	p.AllowAttrs("id").Matching(regexp.MustCompile(`[a-zA-Z0-9\:\-_\.]+`)).Globally()
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()
	p.AllowStandardURLs()
	p.AllowElements("article", "aside")
	p.AllowAttrs("open").Matching(regexp.MustCompile(`(?i)^(|open)$`)).OnElements("details")
	p.AllowElements("figure")
	p.AllowElements("section")
	p.AllowElements("summary")
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowElements("hgroup")
	p.AllowAttrs("cite").OnElements("blockquote")
	p.AllowElements("br", "div", "hr", "p", "span", "wbr")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("name").Matching(regexp.MustCompile(`^[\p{L}\p{N}_-]+$`)).OnElements("map")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("area")
	p.AllowAttrs("coords").Matching(regexp.MustCompile(`^([0-9]+,)+[0-9]+$`)).OnElements("area")
	p.AllowAttrs("href").OnElements("area")
	p.AllowAttrs("rel").Matching(bluemonday.SpaceSeparatedTokens).OnElements("area")
	p.AllowAttrs("shape").Matching(regexp.MustCompile(`(?i)^(default|circle|rect|poly)$`)).OnElements("area")
	p.AllowAttrs("usemap").Matching(regexp.MustCompile(usemapPattern)).OnElements("img")
	p.AllowElements("abbr", "acronym", "cite", "code", "dfn", "em", "figcaption", "mark", "s", "samp", "strong", "sub", "sup", "var")
	p.AllowAttrs("cite").OnElements("q")
	p.AllowAttrs("datetime").Matching(bluemonday.ISO8601).OnElements("time")
	p.AllowElements("b", "i", "pre", "small", "strike", "tt", "u")
	p.AllowAttrs("dir").Matching(bluemonday.Direction).OnElements("bdi", "bdo")
	p.AllowElements("rp", "rt", "ruby")
	p.AllowAttrs("cite").Matching(bluemonday.Paragraph).OnElements("del", "ins")
	p.AllowAttrs("datetime").Matching(bluemonday.ISO8601).OnElements("del", "ins")
	p.AllowLists()
	p.AllowTables()
	p.AllowAttrs("value", "min", "max", "low", "high", "optimum").Matching(bluemonday.Number).OnElements("meter")
	p.AllowAttrs("value", "max").Matching(bluemonday.Number).OnElements("progress")
	p.AllowImages()
	return p
}

// usemapPattern is UGCPolicy's (?i)^#[\p{L}\p{N}_-]+$ without the (?i).
const usemapPattern = `^#[\p{L}\p{N}\x{0345}_-]+$`

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
