package feed

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// plainText turns a feed's title or description, which may hold HTML markup
// or entities, into one line of text.
func plainText(s string) string {
	if !hasMarkup(s) {
		return foldSpace(html.UnescapeString(s))
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside <script> or <style>
	for {
		switch z.Next() {
		case html.ErrorToken:
			return foldSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip++
			case "br", "p", "div", "li":
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip = max(skip-1, 0)
			case "p", "div", "li":
				b.WriteByte(' ')
			}
		}
	}
}

// hasMarkup says whether s looks like it holds tags, as opposed to text that
// merely has a "<" in it ("x < y").
func hasMarkup(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		c := s[i+1]
		if c == '/' || c == '!' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// foldSpace trims s and folds each run of white space into one space.
func foldSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// resolve makes ref absolute against base. A ref that does not parse is
// returned trimmed, as the feed gave it.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return resolveURL(base, u).String()
}

func resolveURL(base, u *url.URL) *url.URL {
	if base == nil || u.IsAbs() {
		return u
	}
	return base.ResolveReference(u)
}
