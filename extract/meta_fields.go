package extract

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// authorTags are the meta keys that name the article's author.
var authorTags = []string{"author", "article:author", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author", "byl", "og:article:author", "citation_author", "twitter:creator:name"}

// byline names the article's author(s), from the most explicit source that
// gives a plausible name: JSON-LD, meta tags, itemprop/rel author, elements
// whose class says author or byline, then a "By NAME" line.
func (r *metaReader) byline(site string) string {
	return withoutSiteName(r.anyByline(), site)
}

func (r *metaReader) anyByline() string {
	var first, fuller string
	r.bylines(func(n string) bool {
		if first == "" {
			// One word is a user name ("arianschlichenmayer",
			// "edilson.la.rosa") or a first name, which the page may
			// also print in full: read on for it.
			first = n
			return !strings.ContainsRune(n, ' ')
		}
		if spells(n, first) || extends(n, first) {
			fuller = n
			return false
		}
		return true
	})
	if fuller != "" {
		return fuller
	}
	return first
}

// bylines gives yield the page's bylines, most explicit first, until it
// returns false: JSON-LD, meta tags, itemprop=author, elements whose class
// says author or byline, then the first "By NAME" line.
func (r *metaReader) bylines(yield func(string) bool) {
	if r.main != nil {
		if n := joinNames(r.main.Authors); n != "" && !yield(n) {
			return
		}
	}
	for _, k := range authorTags {
		if n := cleanByline(r.tags[k]); n != "" && !yield(n) {
			return
		}
	}
	if n := r.itempropAuthors(); n != "" && !yield(n) {
		return
	}
	var byLine string
	for _, l := range r.lines.lines {
		if l.hints&hintSkip != 0 {
			continue
		}
		if l.hints&hintAuthor != 0 {
			if n := cleanByline(l.text); n != "" && !yield(n) {
				return
			}
		}
		if byLine == "" && l.hints&hintTitle == 0 {
			// A headline may open with a by-word ("Von Sprachregeln, …").
			byLine, _ = bylineLine(l.text)
		}
	}
	if byLine != "" {
		yield(byLine)
	}
}

// spells reports whether name is what the user name handle stands for:
// the same letters and digits, ignoring case ("Edilson La Rosa",
// "edilson.la.rosa").
func spells(name, handle string) bool {
	return name != handle && strings.ContainsRune(name, ' ') && squash(name) == squash(handle)
}

// extends reports whether name is the first name given followed by more
// of the name ("Nils Pickert" for "Nils"), not by what the template prints
// after it ("Eurosport Publiziert").
func extends(name, given string) bool {
	words := strings.Fields(name)
	if len(words) < 2 || len(words) > 4 || words[0] != given || !capitalised(given) {
		return false
	}
	for _, w := range words[1:] {
		if !capitalised(w) || isTemplateWord(w) {
			return false
		}
	}
	return true
}

// capitalised reports whether w is written as a name is: a capital letter,
// then small ones.
func capitalised(w string) bool {
	for i, r := range w {
		if i == 0 && !unicode.IsUpper(r) || i > 0 && !unicode.IsLower(r) {
			return false
		}
	}
	return w != ""
}

// withoutSiteName drops the site's name from a byline that also names
// someone ("unocero - Alberto Ávila", "Adam Aaronson PhillyVoice Staff"):
// templates print the publication beside the author. A byline that is only
// the site's name is left: the site is then the author given.
func withoutSiteName(byline, site string) string {
	key := squash(site)
	if key == "" || byline == "" {
		return byline
	}
	var kept []string
	changed := false
	for _, part := range siteSeparators().Split(byline, -1) {
		words := strings.Fields(part)
		if n := len(words); n > 1 && strings.EqualFold(words[n-1], "staff") {
			words = words[:n-1]
		}
		if n := len(words); n > 1 && squash(words[n-1]) == key {
			words = words[:n-1]
		}
		p := strings.Join(words, " ")
		if p != "" && squash(p) != key {
			kept = append(kept, p)
		}
		changed = changed || p != strings.Join(strings.Fields(part), " ")
	}
	if len(kept) == 0 || !changed && len(kept) == len(siteSeparators().Split(byline, -1)) {
		return byline
	}
	return strings.Join(kept, ", ")
}

// siteSeparators part a byline from the site's name beside it.
var siteSeparators = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s+[-|–—·]\s+`) })

// itempropAuthors reads itemprop=author elements of the body: their name
// property, content attribute or text.
func (r *metaReader) itempropAuthors() string {
	var names []string
	r.sel(r.idx.authors...).EachWithBreak(func(i int, s *goquery.Selection) bool {
		if goquery.NodeName(s) == "meta" || goquery.NodeName(s) == "link" {
			return true
		}
		if r.ancestorHints(s.Nodes[0])&hintSkip != 0 {
			return true
		}
		v := s.Find(`[itemprop~="name"]`).First()
		text := v.AttrOr("content", "")
		if text == "" {
			text = v.Text()
		}
		if text == "" {
			text = s.AttrOr("content", s.Text())
		}
		if n := cleanByline(text); n != "" {
			names = append(names, n)
		}
		return len(names) < 10
	})
	return joinNames(names)
}

// ancestorHints is the union of the hints of n and its ancestors, as the
// line walker computes them.
func (r *metaReader) ancestorHints(n *html.Node) int {
	var chain []*html.Node
	for ; n != nil && len(chain) < 60; n = n.Parent {
		if n.Type == html.ElementNode && n.Data != "body" && n.Data != "html" {
			chain = append(chain, n)
		}
	}
	h := 0
	for i := len(chain) - 1; i >= 0; i-- {
		h |= ownHints(chain[i], h, r.keep, nil)
	}
	return h
}

// publishedTags are the meta keys that give the publication time, best first.
var publishedTags = []string{
	"article:published_time", "og:published_time", "og:article:published_time", "datepublished",
	"article.published", "published_time", "publish-date", "publish_date", "publishdate", "pubdate",
	"dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "sailthru.date", "parsely-pub-date",
	"citation_publication_date", "citation_date", "date", "dc.date", "dcterms.date", "article:published", "datecreated",
}

// modifiedTags give the last modification: a fallback when nothing gives the
// publication.
var modifiedTags = []string{"article:modified_time", "og:updated_time", "datemodified", "last-modified", "dc.date.modified", "dcterms.modified"}

// published finds the publication time: JSON-LD, meta tags, itemprop and
// time elements, date lines near the headline, the URL, and last the
// modification time. A date printed under the headline, marked as a date,
// wins over a machine value of another day when another machine value
// (a modification time, a second meta tag) confirms it: the published value
// went stale when the article was republished, and the reader sees the
// printed one.
func (r *metaReader) published() time.Time {
	t := r.pagePublished()
	// A date in the address (/2017/06/07/) is written when the article is
	// first published and never changes; a page date more than a week from
	// it is another date (a modification, a relaunch of the site, a date
	// the page mentions), so the address's date wins.
	if u, ok := r.urlDate(); ok && !t.IsZero() && daysApart(t, u) > urlDateSlack {
		return u
	}
	return t
}

// urlDateSlack is how many days a page's date may stand from the date in
// its address: an article may be dated by the event it reports or be
// published days after its address was made.
const urlDateSlack = 7

// daysApart is the number of calendar days between the dates of a and b,
// each read in its own zone.
func daysApart(a, b time.Time) int {
	day := func(t time.Time) time.Time {
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	h := day(a).Sub(day(b)).Hours()
	if h < 0 {
		h = -h
	}
	return int(h / 24)
}

// pagePublished is the publication date the page itself gives.
func (r *metaReader) pagePublished() time.Time {
	visible, score, seen := r.dateFromLines()
	strong := seen && score >= strongDateLine
	pick := func(t time.Time) time.Time {
		if sameDay(t, visible) || !seen {
			return t
		}
		if strong && r.machineDay(visible) || score > 0 && utcNeighbour(t, visible) {
			return visible
		}
		return t
	}
	if t, ok := r.machinePublished(); ok {
		return pick(t)
	}
	if t, ok := r.timeElement(); ok {
		return pick(t)
	}
	if seen {
		return visible
	}
	if t, ok := r.urlDate(); ok {
		return t
	}
	if t, ok := r.machineModified(); ok {
		return t
	}
	return time.Time{}
}

// utcNeighbour reports whether t is a UTC value and day a date on the day
// before or after it: the page printed the same instant in its local zone.
func utcNeighbour(t, day time.Time) bool {
	if _, off := t.Zone(); off != 0 && t.Location() != noZone {
		return false
	}
	d := t.Sub(time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, time.UTC))
	return d > -36*time.Hour && d < 36*time.Hour
}

// machineDay reports whether any machine date of the page (published or
// modified, JSON-LD or meta) falls on the day of t.
func (r *metaReader) machineDay(t time.Time) bool {
	var values []string
	for _, a := range r.ld.Articles {
		values = append(values, a.Published, a.Modified)
	}
	for _, k := range publishedTags {
		values = append(values, r.tags[k])
	}
	for _, k := range modifiedTags {
		values = append(values, r.tags[k])
	}
	for _, v := range values {
		if m, ok := parseDateValue(v, r.tz); ok && sameDay(m, t) {
			return true
		}
	}
	return false
}

func (r *metaReader) machineModified() (time.Time, bool) {
	if r.main != nil {
		if t, ok := parseDateValue(r.main.Modified, r.tz); ok {
			return t, true
		}
	}
	for _, k := range modifiedTags {
		if t, ok := parseDateValue(r.tags[k], r.tz); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// strongDateLine is the score from which a date line is trusted over a
// machine value: marked as a date (class or label) and placed under the
// headline.
const strongDateLine = 4

// machinePublished reads the publication time from JSON-LD and meta tags.
func (r *metaReader) machinePublished() (time.Time, bool) {
	if r.main != nil {
		if t, ok := parseDateValue(r.main.Published, r.tz); ok {
			return t, true
		}
	}
	for _, k := range publishedTags {
		if t, ok := parseDateValue(r.tags[k], r.tz); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// sameDay reports whether a and b fall on the same calendar day, each as
// written in its own zone.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

var reUpdatedHint = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)updat|modif|aktualis|edit`) })

// timeElement reads itemprop=datePublished and <time datetime> elements: one
// marked as the publication first, else the first outside comments and
// sidebars that is not marked as an update.
func (r *metaReader) timeElement() (time.Time, bool) {
	var first, marked time.Time
	r.sel(r.idx.times...).EachWithBreak(func(i int, s *goquery.Selection) bool {
		if i > 50 {
			return false
		}
		n := s.Nodes[0]
		val := s.AttrOr("datetime", s.AttrOr("content", ""))
		t, ok := parseDateValue(val, r.tz)
		if !ok && goquery.NodeName(s) != "meta" {
			t, ok = parseDateValue(foldMetaSpace(s.Text()), r.tz)
		}
		if !ok {
			return true
		}
		attrs := s.AttrOr("class", "") + " " + s.AttrOr("itemprop", "") + " " + s.AttrOr("id", "")
		_, pubdate := s.Attr("pubdate")
		if pubdate || strings.Contains(attrs, "datePublished") || strings.Contains(strings.ToLower(attrs), "publish") {
			marked = t
			return false
		}
		if first.IsZero() && !reUpdatedHint().MatchString(attrs) && r.ancestorHints(n)&hintSkip == 0 {
			first = t
		}
		return true
	})
	if !marked.IsZero() {
		return marked, true
	}
	return first, !first.IsZero()
}

// dateFromLines picks the best date line of the body: one labelled as the
// publication, in an element whose class speaks of dates, close after the
// headline; not one labelled as an update or in comments and sidebars.
func (r *metaReader) dateFromLines() (time.Time, int, bool) {
	var best time.Time
	bestScore := -100
	type found struct {
		l pageLine
		d lineDate
	}
	var dated []found
	// A line inside an "Updated ..." line carries its date without the label.
	updated := make(map[time.Time]bool)
	// Nested elements repeat their text: parse each text once.
	type parsed struct {
		d  lineDate
		ok bool
	}
	seen := make(map[string]parsed)
	for _, l := range r.lines.lines {
		// Every date shape has a year (findDate): most lines have none,
		// and remembering them all cost more than this test.
		if !hasYear(l.text) {
			continue
		}
		p, done := seen[l.text]
		if !done {
			p.d, p.ok = parseDateLine(l.text, r.tz)
			seen[l.text] = p
		}
		if d, ok := p.d, p.ok; ok {
			dated = append(dated, found{l, d})
			if d.kind == dateUpdated {
				updated[d.t] = true
			}
		}
	}
	for _, f := range dated {
		l, d := f.l, f.d
		if l.hints&hintSkip != 0 {
			continue
		}
		// A labelled date may share its line with other fields ("Datum:
		// 03.11.2021 Autor: ..."); an unlabelled one must stand alone.
		if d.others > maxDateLineWords && !d.labelled {
			continue
		}
		t, score := d.t, 0
		if updated[t] {
			d.kind = dateUpdated
		}
		switch d.kind {
		case datePublished:
			score += 3
		case dateUpdated:
			score -= 3
		}
		if l.hints&(hintDate|hintAuthor) != 0 {
			score += 2
		}
		if l.hints&hintAside != 0 {
			score -= 2
		}
		if l.hints&hintArticle != 0 {
			score++
		}
		if h1 := r.lines.h1; h1 >= 0 {
			switch {
			case l.pos > h1 && l.pos-h1 < 200:
				score += 2
			case l.pos < h1:
				score--
			}
		}
		if score > bestScore {
			best, bestScore = t, score
		}
	}
	return best, bestScore, !best.IsZero()
}

var reURLDate = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:[/-]|$|\.html?)`)
})

// urlDate reads a date from the page's path, as /2015/06/24/.
func (r *metaReader) urlDate() (time.Time, bool) {
	for _, u := range []string{r.canonical(), r.baseString()} {
		m := reURLDate().FindStringSubmatchIndex(u)
		if m == nil {
			continue
		}
		y, mo, d := groupInt(u, m, 2), groupInt(u, m, 4), groupInt(u, m, 6)
		if validDate(y, mo, d) {
			tz := r.tz
			if tz == nil {
				tz = noZone
			}
			return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, tz), true
		}
	}
	return time.Time{}, false
}

func (r *metaReader) baseString() string {
	if r.base == nil {
		return ""
	}
	return r.base.String()
}
