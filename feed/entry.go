package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"herald"
)

// document converts gofeed's universal feed into Herald's, resolving links
// against base and dropping dates outside [1970, now+2 years].
func document(f *gofeed.Feed, base *url.URL, now time.Time) *herald.Document {
	d := &herald.Document{
		Title:    plainText(f.Title),
		Link:     resolve(base, f.Link),
		Language: strings.TrimSpace(f.Language),
	}
	d.Hints.UpdatePeriod = syndicationPeriod(f)
	latest := now.AddDate(2, 0, 0)
	var given []bool // whether each entry's GUID is the feed's own
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		if e, ok := entry(it, base, latest); ok {
			d.Entries = append(d.Entries, e)
			given = append(given, strings.TrimSpace(it.GUID) != "")
		}
	}
	assignKeys(d.Entries, given)
	return d
}

// entry converts one item. It reports false for an item with nothing in it.
func entry(it *gofeed.Item, base *url.URL, latest time.Time) (herald.Entry, bool) {
	e := herald.Entry{
		Title:      herald.Clip(plainText(it.Title), maxTitle),
		Summary:    herald.Clip(plainText(it.Description), maxSummary),
		Content:    herald.Clip(strings.TrimSpace(it.Content), maxContent),
		Byline:     herald.Clip(byline(it), maxByline),
		Categories: categories(it.Categories),
	}
	if e.Content == "" {
		e.Content = herald.Clip(strings.TrimSpace(it.Description), maxContent)
	}
	guid := strings.TrimSpace(it.GUID)
	e.Link = resolve(base, itemLink(it))
	if e.Link == "" && isWebURL(guid) {
		// An RSS guid is a permalink unless it says otherwise.
		e.Link = guid
	}
	if e.Title == "" && e.Link == "" && e.Summary == "" && e.Content == "" {
		return e, false
	}
	e.Published = entryDate(it.Published, it.PublishedParsed, latest)
	e.Updated = entryDate(it.Updated, it.UpdatedParsed, latest)
	if e.Published.IsZero() {
		e.Published = e.Updated
	}
	e.Image = resolve(base, image(it))
	e.GUID = guid
	if e.GUID == "" {
		e.GUID = e.Link
	}
	if e.GUID == "" {
		// NUL separators keep ("ab", "c") and ("a", "bc") apart.
		sum := sha256.Sum256([]byte(e.Title + "\x00" + e.Summary + "\x00" + e.Content))
		e.GUID = "sha256:" + hex.EncodeToString(sum[:])
	}
	e.Key = e.GUID
	return e, true
}

// assignKeys gives each entry whose GUID the document repeats with a
// different link a key of GUID and link, so that distinct stories a broken
// feed labels alike are not merged. Entries repeating GUID and link alike
// are the same story and keep the GUID, unless the feed gave no GUIDs (the
// GUID is then the link): entries of such a feed that share a link (RSS
// 0.91 items pointing at "index.php#") are told apart by title, and by
// content when the titles repeat too. given says which entries' GUIDs the
// feed gave.
func assignKeys(entries []herald.Entry, given []bool) {
	links := map[string]map[string]bool{}
	derived := map[string]int{} // entries whose GUID is their link, by link
	for i, e := range entries {
		if links[e.GUID] == nil {
			links[e.GUID] = map[string]bool{}
		}
		links[e.GUID][e.Link] = true
		if !given[i] {
			derived[e.GUID]++
		}
	}
	titles := map[string]int{}
	for i, e := range entries {
		if !given[i] && derived[e.GUID] > 1 {
			titles[e.GUID+"\x00"+e.Title]++
		}
	}
	for i := range entries {
		e := &entries[i]
		switch {
		case !given[i] && derived[e.GUID] > 1 && titles[e.GUID+"\x00"+e.Title] > 1:
			sum := sha256.Sum256([]byte(e.Summary + "\x00" + e.Content))
			e.Key = e.GUID + " " + e.Title + " " + hex.EncodeToString(sum[:8])
		case !given[i] && derived[e.GUID] > 1:
			e.Key = e.GUID + " " + e.Title
		case len(links[e.GUID]) > 1:
			e.Key = e.GUID + " " + e.Link
		}
	}
}

func itemLink(it *gofeed.Item) string {
	if l := strings.TrimSpace(it.Link); l != "" {
		return l
	}
	for _, l := range it.Links {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

func isWebURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// entryDate prefers our own reading of the raw date, which keeps named zones
// right, over gofeed's, and drops dates outside [1970, latest].
func entryDate(raw string, parsed *time.Time, latest time.Time) time.Time {
	t, ok := parseDate(raw)
	if !ok && parsed != nil {
		t, ok = fixZone(*parsed), true
	}
	if !ok || t.Year() < 1970 || t.After(latest) {
		return time.Time{}
	}
	return t
}

func byline(it *gofeed.Item) string {
	var names []string
	for _, p := range it.Authors {
		if p == nil {
			continue
		}
		name := foldSpace(p.Name)
		if name == "" {
			name = foldSpace(p.Email)
		}
		if name != "" {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		return strings.Join(names, ", ")
	}
	if dc := it.DublinCoreExt; dc != nil && len(dc.Creator) > 0 {
		return foldSpace(strings.Join(dc.Creator, ", "))
	}
	if it.ITunesExt != nil {
		return foldSpace(it.ITunesExt.Author)
	}
	return ""
}

func categories(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range in {
		c = foldSpace(c)
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// image picks the entry's picture: an image enclosure, Media RSS
// thumbnail or image content, the iTunes image, then gofeed's pick.
func image(it *gofeed.Item) string {
	for _, enc := range it.Enclosures {
		if enc != nil && strings.HasPrefix(strings.ToLower(enc.Type), "image/") && enc.URL != "" {
			return enc.URL
		}
	}
	if u := mediaImage(it.Extensions["media"]); u != "" {
		return u
	}
	if it.ITunesExt != nil && it.ITunesExt.Image != "" {
		return it.ITunesExt.Image
	}
	if it.Image != nil {
		return it.Image.URL
	}
	return ""
}

// mediaImage finds a picture in Media RSS elements, looking inside
// media:group too.
func mediaImage(media map[string][]ext.Extension) string {
	if media == nil {
		return ""
	}
	for _, t := range media["thumbnail"] {
		if u := t.Attrs["url"]; u != "" {
			return u
		}
	}
	for _, c := range media["content"] {
		if u := c.Attrs["url"]; u != "" && (strings.Contains(c.Attrs["medium"], "image") || strings.HasPrefix(c.Attrs["type"], "image/")) {
			return u
		}
	}
	for _, g := range media["group"] {
		if u := mediaImage(g.Children); u != "" {
			return u
		}
	}
	return ""
}
