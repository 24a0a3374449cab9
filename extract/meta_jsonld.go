package extract

import (
	"encoding/json"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// ldArticle is what the schema.org JSON-LD of a page says about its article.
type ldArticle struct {
	Headline   string
	Authors    []string
	Published  string // datePublished, else dateCreated
	Modified   string
	Publisher  string
	Image      string
	Lang       string
	URL        string
	isArticle  bool // an Article-like type, not a WebPage
	typeRanked int  // lower is better: Article types before WebPage
}

// ldInfo is everything read from a page's JSON-LD blocks.
type ldInfo struct {
	Articles []ldArticle // in document order
	SiteName string      // a WebSite's or Organization's name
}

// maxLDBlock bounds one JSON-LD block: they are metadata, and a page that
// puts megabytes there is not worth parsing.
const maxLDBlock = 1 << 20

// readJSONLD parses every application/ld+json script of doc. A block that is
// not valid JSON is skipped.
func readJSONLD(scripts *goquery.Selection) ldInfo {
	var info ldInfo
	scripts.Each(func(_ int, s *goquery.Selection) {
		typ, _ := s.Attr("type")
		// Some pages leave the type out; the @context still says what it is.
		// The text of a script of another type is not read at all.
		ld := strings.Contains(strings.ToLower(typ), "ld+json")
		if !ld && typ != "" {
			return
		}
		text := s.Text()
		if !ld && !looksLD(text) {
			return
		}
		var v any
		if !decodeLD(text, &v) {
			return
		}
		objs := ldObjects(v, nil, 0)
		byID := make(map[string]map[string]any)
		for _, o := range objs {
			if id, ok := o["@id"].(string); ok && len(o) > 1 {
				byID[id] = o
			}
		}
		for _, o := range objs {
			info.add(o, byID)
		}
	})
	return info
}

// looksLD reports whether a script without a type is schema.org JSON-LD.
func looksLD(text string) bool {
	t := strings.TrimSpace(text)
	return strings.HasPrefix(t, "{") && strings.Contains(t, `"@context"`) && strings.Contains(t, "schema.org")
}

// decodeLD unmarshals a JSON-LD block, tolerating the HTML comment or CDATA
// wrappers and raw control characters that pages put in them.
func decodeLD(text string, v *any) bool {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > maxLDBlock {
		return false
	}
	for _, w := range []string{"<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"} {
		text = strings.ReplaceAll(text, w, "")
	}
	text = strings.TrimSuffix(strings.TrimSpace(text), ";")
	if json.Unmarshal([]byte(text), v) == nil {
		return true
	}
	// Raw newlines and tabs inside strings are the commonest breakage.
	text = strings.Map(func(r rune) rune {
		if r < ' ' {
			return ' '
		}
		return r
	}, text)
	return json.Unmarshal([]byte(text), v) == nil
}

// ldObjects flattens v into its objects: arrays, @graph and nested values
// (mainEntity, itemListElement...) are walked, to a bounded depth.
func ldObjects(v any, out []map[string]any, depth int) []map[string]any {
	if depth > 8 || len(out) > 500 {
		return out
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = ldObjects(e, out, depth+1)
		}
	case map[string]any:
		out = append(out, x)
		for k, e := range x {
			// Authors and publishers are read from their article, not as
			// objects of their own.
			if k == "author" || k == "publisher" || k == "creator" {
				continue
			}
			switch e.(type) {
			case []any, map[string]any:
				out = ldObjects(e, out, depth+1)
			}
		}
	}
	return out
}

// articleTypes rank the schema.org types whose object describes the page's
// article; the lower the better.
var articleTypes = map[string]int{
	"newsarticle": 0, "article": 0, "blogposting": 0, "reportagenewsarticle": 0, "analysisnewsarticle": 0,
	"opinionnewsarticle": 0, "reviewnewsarticle": 0, "backgroundnewsarticle": 0, "techarticle": 0,
	"scholarlyarticle": 0, "liveblogposting": 0, "report": 0, "socialmediaposting": 1, "posting": 1,
	"discussionforumposting": 1, "review": 1, "recipe": 1, "videoobject": 2, "event": 3,
	"webpage": 3, "itempage": 3, "aboutpage": 3, "collectionpage": 4, "profilepage": 4,
}

func (info *ldInfo) add(o map[string]any, byID map[string]map[string]any) {
	types := ldTypes(o)
	rank, found := 99, false
	for _, t := range types {
		switch t {
		case "website", "organization", "newsmediaorganization":
			if info.SiteName == "" {
				info.SiteName = ldString(o["name"])
			}
		}
		if r, ok := articleTypes[t]; ok && r < rank {
			rank, found = r, true
		}
	}
	if !found {
		return
	}
	a := ldArticle{
		Headline:   ldString(o["headline"]),
		Published:  ldString(o["datePublished"]),
		Modified:   ldString(o["dateModified"]),
		Lang:       ldString(o["inLanguage"]),
		Image:      ldURL(o["image"]),
		URL:        ldString(o["url"]),
		isArticle:  rank < 3,
		typeRanked: rank,
	}
	if a.Headline == "" {
		a.Headline = ldString(o["name"])
	}
	if a.Published == "" {
		a.Published = ldString(o["dateCreated"])
	}
	if a.Image == "" {
		a.Image = ldURL(o["thumbnailUrl"])
	}
	a.Authors = ldNames(o["author"], byID)
	if len(a.Authors) == 0 {
		a.Authors = ldNames(o["creator"], byID)
	}
	if p := ldNames(o["publisher"], byID); len(p) > 0 {
		a.Publisher = p[0]
	}
	info.Articles = append(info.Articles, a)
}

// ldTypes returns the lower-case @type values of o.
func ldTypes(o map[string]any) []string {
	var out []string
	switch t := o["@type"].(type) {
	case string:
		out = append(out, strings.ToLower(t))
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, strings.ToLower(s))
			}
		}
	}
	for i, t := range out {
		out[i] = strings.TrimPrefix(strings.TrimPrefix(t, "http://schema.org/"), "https://schema.org/")
	}
	return out
}

// ldString reads a text value: a string, the first of an array, or an
// object's @value / name.
func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		for _, e := range x {
			if s := ldString(e); s != "" {
				return s
			}
		}
	case map[string]any:
		if s := ldString(x["@value"]); s != "" {
			return s
		}
		return ldString(x["name"])
	}
	return ""
}

// ldURL reads an image-like value: a URL string, an ImageObject's url or
// contentUrl, or the first of an array.
func ldURL(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		for _, e := range x {
			if s := ldURL(e); s != "" {
				return s
			}
		}
	case map[string]any:
		if s := ldURL(x["url"]); s != "" {
			return s
		}
		return ldURL(x["contentUrl"])
	}
	return ""
}

// ldNames reads author-like values: a name string, a Person or Organization
// object (or a reference to one by @id), or an array of them.
func ldNames(v any, byID map[string]map[string]any) []string {
	switch x := v.(type) {
	case string:
		if n := cleanByline(x); n != "" {
			return []string{n}
		}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, ldNames(e, byID)...)
			if len(out) > 20 {
				break
			}
		}
		return out
	case map[string]any:
		name := ldString(x["name"])
		if name == "" {
			if id, ok := x["@id"].(string); ok && byID[id] != nil {
				name = ldString(byID[id]["name"])
			}
		}
		if name == "" {
			given, family := ldString(x["givenName"]), ldString(x["familyName"])
			name = strings.TrimSpace(given + " " + family)
		}
		if n := cleanByline(name); n != "" {
			return []string{n}
		}
	}
	return nil
}
