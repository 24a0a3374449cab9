package feed

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// maxGunzip bounds what a gzip body may expand to, against gzip bombs. The
// fetch client's max_body (8 MiB by default) bounds what the server sent;
// this bounds its undeclared second layer. It is kept small because many
// feeds are parsed at once: a round over a hundred feeds must stay well
// under 400 MB even when several of them are bombs.
const maxGunzip = 16 << 20

var gzipMagic = []byte{0x1F, 0x8B}

// gunzip expands a body that is gzip data although the response did not say
// so (servers that compress twice, or files stored compressed), to at most
// limit bytes. A body cut short keeps what was decompressed, with a warning.
func gunzip(b []byte, limit int) ([]byte, string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, "", fmt.Errorf("gzip body: %w", err)
	}
	zr.Multistream(false)
	// Read in chunks into a buffer grown by at most a chunk at a time, so
	// that a bomb costs the limit, not the doubled capacity of a growing
	// slice.
	out := make([]byte, 0, min(limit+1, 4*len(b)+64<<10))
	r := io.LimitReader(zr, int64(limit)+1)
	for {
		if len(out) == cap(out) {
			out = slices.Grow(out, min(len(out)/4+64<<10, limit+1-len(out)))
		}
		n, rerr := r.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if rerr != nil {
			if rerr != io.EOF {
				err = rerr
			}
			break
		}
	}
	if len(out) > limit {
		return nil, "", fmt.Errorf("gzip body expands beyond %d MiB", limit>>20)
	}
	if err != nil {
		if len(out) == 0 {
			return nil, "", fmt.Errorf("gzip body: %w", err)
		}
		return out, "gzip body is truncated: " + err.Error(), nil
	}
	return out, "", nil
}

// firstByte returns the first byte that is not white space or a UTF-8 byte
// order mark, or 0.
func firstByte(b []byte) byte {
	b = bytes.TrimPrefix(b, bomUTF8)
	b = bytes.TrimLeft(b, " \t\r\n\f")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// findRoot returns the offset of the root element's start tag and its local
// name, lower-cased, skipping what XML allows before it (declaration,
// processing instructions, comments, a DOCTYPE) and what broken feeds put
// there (white space, a bogus declaration such as "<?phpxml", stray text).
func findRoot(b []byte) (int, string, error) {
	i := 0
	for i < len(b) {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := b[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			i = skipPast(b, i, "?>")
		case bytes.HasPrefix(rest, []byte("<!--")):
			i = skipPast(b, i, "-->")
		case bytes.HasPrefix(rest, []byte("<!")):
			i = skipDoctype(b, i)
		case len(rest) > 1 && isNameStart(rest[1]):
			return i, rootName(rest[1:]), nil
		default:
			i++
		}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return 0, "", errors.New("empty document")
	}
	return 0, "", errors.New("no XML root element")
}

func skipPast(b []byte, i int, end string) int {
	j := bytes.Index(b[i:], []byte(end))
	if j < 0 {
		return len(b)
	}
	return i + j + len(end)
}

// skipDoctype skips a <!DOCTYPE ...> declaration, including an internal
// subset in brackets.
func skipDoctype(b []byte, i int) int {
	depth := 0
	for k := i + 2; k < len(b); k++ {
		switch b[k] {
		case '[':
			depth++
		case ']':
			depth--
		case '>':
			if depth <= 0 {
				return k + 1
			}
		}
	}
	return len(b)
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func rootName(b []byte) string {
	end := bytes.IndexAny(b, " \t\r\n/>")
	if end < 0 {
		end = len(b)
	}
	name := string(b[:end])
	if _, local, ok := strings.Cut(name, ":"); ok {
		name = local
	}
	return strings.ToLower(name)
}

// isHTMLRoot says whether a root element belongs to an HTML page (some pages
// lack <html> and start at <head> or <body>).
func isHTMLRoot(name string) bool {
	switch name {
	case "html", "head", "body":
		return true
	}
	return false
}

// alternates returns the absolute URLs of the feeds an HTML page links to
// with <link rel="alternate" type="application/rss+xml"> and the like.
func alternates(page []byte, pageURL string) []string {
	base, _ := url.Parse(pageURL)
	var found []string
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return found
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "base":
			if href := attr(tok, "href"); href != "" {
				if u, err := url.Parse(href); err == nil {
					base = resolveURL(base, u)
				}
			}
		case "link":
			if !isFeedLink(tok) {
				continue
			}
			href := strings.TrimSpace(attr(tok, "href"))
			if href == "" {
				continue
			}
			abs := resolve(base, href)
			if !seen[abs] {
				seen[abs] = true
				found = append(found, abs)
			}
		case "body":
			return found
		}
	}
}

func isFeedLink(tok html.Token) bool {
	rels := strings.Fields(strings.ToLower(attr(tok, "rel")))
	alt := false
	for _, r := range rels {
		alt = alt || r == "alternate"
	}
	if !alt {
		return false
	}
	t, _, _ := strings.Cut(strings.ToLower(attr(tok, "type")), ";")
	switch strings.TrimSpace(t) {
	case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml":
		return true
	}
	return false
}

func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
