package extract

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/net/html"
)

// The line patterns are compiled on first use, not at start-up: commands
// that extract nothing should not pay for them. The two largest are matched
// by hand (edgelines.go).

// Lines that point to other articles from inside this one: "Read also:
// <headline>". They are dropped wherever they are when short.
var readAlso = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(?:read also|also read|read more|see also|see more|related|related article|lea también|lea más|lea|le puede interesar|te puede interesar|lee también|leia também|leia mais|veja também|lesen sie auch|lesen sie mehr|lesen sie hier|mehr zum thema|mehr dazu|auch interessant|zum weiterlesen|weiterlesen|lire aussi|à lire aussi|voir aussi|leggi anche|czytaj też|czytaj także|zobacz też|zobacz także|читайте также|vea también|ver también|puedes ver|mira|related stories|related articles)\s*[:：]`)
})

// Credit lines under pictures: "Foto: dpa", "(Quelle: AP)", "Imagen: Télam".
var creditLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^\(?(?:foto|fotos|photo|photos|bild|bilder|imagen|image|quelle|source|fuente|fonte|credit|credits|crédito|photo credit|image credit|abbildung|grafik|beitragsbild|titelbild|źródło|zdjęcie|fot)\s*[:：/]`)
})

// Lines that credit the staff behind a story (staffLine).
var staffCredit = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^\(?(?:(?:additional )?reporting by|editing by|edited by|writing by|compiled by)\b|\bcontributed (?:reporting )?to this (?:report|story|article)\.?$|^write to .{1,80}\bat \S+@\S+\.\S+$`)
})

// Labelled lines that end an article's body: "Tags: a, b", "Source: AP".
var tailLabel = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(?:tags?|topics?|themen|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|filed under|categor(?:y|ies)|kategorien?|rubriken?|mots[- ]clés|étiquettes|etiquetas|argomenti|keywords|related|see also|read more|more|also read|sources?|quellen?|photos?|fotos?|credits?|image|bild|copyright)\s*[:：]`)
})

// maxEdgeLine is the longest line edge cleaning will drop as furniture.
const maxEdgeLine = 120

// trimBoilerplate drops from the paragraphs the page furniture that the
// container still holds: the title repeated as a heading, the site's name
// over it, byline and date lines, share prompts, other stories' headlines,
// and the tag lists, "read more", staff credits and copyright lines after
// the body. Dropped paragraphs are dropped from the tree too.
func trimBoilerplate(ps []para, title, site string, stripText []string, tz *time.Location) []para {
	strip := map[string]bool{}
	for _, s := range stripText {
		strip[collapse(s)] = true
	}
	keep := make([]bool, len(ps))
	for i, p := range ps {
		full := runeLen(p.text)
		t := trimBullets(p.text)
		n := full
		if len(t) != len(p.text) {
			n = runeLen(t)
		}
		keep[i] = !strip[p.text] && !(full <= maxEdgeLine && isFurnitureLine(t)) &&
			!(n <= 200 && (readAlsoLine(t) || creditLineMatch(t))) && !headlineLink(p)
	}
	cutRelated(ps, keep)
	normTitle, normSite := squash(title), squash(site)
	dropAboveTitle(ps, keep, normTitle)
	// Head: the title, the site's name, bylines, dates and labels before the
	// first real paragraph.
	for i := range ps {
		if !keep[i] {
			continue
		}
		if !headJunk(ps[i], normTitle, normSite, tz) {
			break
		}
		keep[i] = false
	}
	// Tail: from the last real paragraph back, furniture and the headings
	// left with nothing under them.
	for i := len(ps) - 1; i >= 0; i-- {
		if !keep[i] {
			continue
		}
		if !tailJunk(ps[i], tz) {
			break
		}
		keep[i] = false
	}
	var out []para
	sole := soleParas(ps)
	for i, p := range ps {
		if keep[i] {
			out = append(out, p)
			continue
		}
		dropPara(p, sole[i])
	}
	return out
}

// maxAboveTitle is how many short lines may stand above the article's title
// heading, and maxKicker how long each may be (runes).
const (
	maxAboveTitle = 3
	maxKicker     = 40
)

// dropAboveTitle drops the short lines above the article's title heading
// when it comes among the first lines: a kicker ("BREAKING NEWS"), a
// section's name, the site's. A line that ends a sentence is text, and
// keeps them.
func dropAboveTitle(ps []para, keep []bool, normTitle string) {
	if normTitle == "" {
		return
	}
	var above []int
	for i, p := range ps {
		if !keep[i] {
			continue
		}
		t := trimBullets(p.text)
		if p.heading && similarTitle(squash(t), normTitle) {
			for _, j := range above {
				keep[j] = false
			}
			return
		}
		if len(above) == maxAboveTitle || runeLen(t) > maxKicker || endsSentence(t) {
			return
		}
		above = append(above, i)
	}
}

func headJunk(p para, normTitle, normSite string, tz *time.Location) bool {
	t := trimBullets(p.text)
	if normTitle != "" && p.heading && similarTitle(squash(t), normTitle) {
		return true
	}
	if normSite != "" && squash(t) == normSite {
		return true // the site's name over its article ("The GiveWell Blog")
	}
	if runeLen(t) > maxEdgeLine {
		return false
	}
	if _, ok := bylineLine(t); ok {
		return true
	}
	if _, ok := dateLine(t, tz); ok {
		return true
	}
	return headLineMatch(t)
}

func tailJunk(p para, tz *time.Location) bool {
	t := trimBullets(p.text)
	n := runeLen(t)
	if n <= maxStaffLine && (staffLine(t) || signUpLine(t)) {
		return true
	}
	if n > maxEdgeLine {
		return false
	}
	if p.heading {
		return true
	}
	if _, ok := bylineLine(t); ok {
		return true
	}
	if _, ok := dateLine(t, tz); ok {
		return true
	}
	return isTailLine(t) || tailLabelMatch(t) || promoLine(t)
}

// signUpLine reports whether s asks the reader to sign up for a
// newsletter, however long the pitch.
func signUpLine(s string) bool {
	s = strings.ToLower(s)
	return mentions(s, "newsletter", "sign up")
}

// maxStaffLine is the longest staff credit (runes): an agency's names its
// reporters and editors at length.
const maxStaffLine = 300

// staffLine reports whether s credits the newsroom's staff, as agencies and
// papers end a story: "Reporting by …; Editing by …", "Jane Doe
// contributed to this report.", "Write to Jane Doe at jane@example.com".
func staffLine(s string) bool {
	return staffCredit().MatchString(s)
}

// relatedHeadings are the headings (words joined by "_") of a block of
// links or teasers to other articles. Only section titles are here: "Read
// also" and its kin also stand alone before one link in a text that goes on.
var relatedHeadings = wordSet(`related related_posts related_articles related_stories
	related_content related_news related_coverage more_related_stories you_may_also_like you_might_also_like
	don't_miss don’t_miss do_not_miss
	you_may_like you_might_like you_may_be_interested_in you_might_be_interested_in recommended_for_you
	more_on_this_topic more_on_this_story more_stories most_popular most_read read_next up_next
	das_könnte_sie_auch_interessieren das_könnte_dich_auch_interessieren das_interessiert_sie_vielleicht_auch
	mehr_zum_thema mehr_themen weitere_artikel weitere_artikel_zum_thema weitere_beiträge ähnliche_artikel
	ähnliche_beiträge verwandte_artikel verwandte_themen kommentierte_artikel meistgelesen meistgelesene_artikel
	passend_zum_thema vous_aimerez_aussi vous_aimerez_peut-être_aussi sur_le_même_sujet articles_similaires
	articles_liés dans_la_même_rubrique artículos_relacionados noticias_relacionadas te_puede_interesar
	también_te_puede_interesar le_puede_interesar lo_más_leído você_pode_gostar você_também_pode_gostar
	notícias_relacionadas artigos_relacionados posts_relacionados articoli_correlati potrebbe_interessarti
	ti_potrebbe_interessare podobne_artykuły polecane_artykuły похожие_статьи похожие_новости`)

// minBeforeRelated is the text (runes) an article must have before a
// related-articles heading for the heading to end it.
const minBeforeRelated = 200

// maxRelatedBoxes is the number of related-articles headings cutRelated
// weighs. Each costs a look at the paragraphs after it; a page has one or
// two such boxes, and a page made of thousands must not cost thousands of
// looks (issue 12).
const maxRelatedBoxes = 8

// cutRelated drops related-articles boxes: the heading and the paragraphs
// of the element it heads. When the heading comes in the second half of the
// text and the text does not go on after its box, all that follows goes
// too: teasers of other articles, in whatever markup.
func cutRelated(ps []para, keep []bool) {
	total := 0
	for i, p := range ps {
		if keep[i] {
			total += runeLen(p.text)
		}
	}
	memo := statsMemo{} // the tree does not change until the paragraphs are dropped
	before, boxes := 0, 0
	for i := 0; i < len(ps) && boxes < maxRelatedBoxes; i++ {
		if !keep[i] {
			continue
		}
		p := ps[i]
		if before < minBeforeRelated || !relatedHeading(p.text) {
			before += runeLen(p.text)
			continue
		}
		boxes++
		keep[i] = false
		box := headedBox(ps, i)
		// The paragraphs inside box follow ps[i] without a gap: a
		// subtree's paragraphs are written one after another.
		end := i + 1
		if box != nil {
			inBox := subtree(box)
			for end < len(ps) && inBox[ps[end].block] {
				keep[end] = false
				end++
			}
		}
		if 2*before >= total && !resumes(ps, i, end, memo) {
			for j := end; j < len(ps); j++ {
				keep[j] = false
			}
			return
		}
		i = end - 1
	}
}

// subtree is the set of elements in n, n included.
func subtree(n *html.Node) map[*html.Node]bool {
	set := map[*html.Node]bool{}
	walkElements(n, func(e *html.Node) bool {
		set[e] = true
		return true
	})
	return set
}

// resumes reports whether the text before ps[i] goes on after the box that
// ps[i] heads, whose paragraphs end before ps[end]: a later paragraph, not
// a link, is a sibling of an earlier one.
func resumes(ps []para, i, end int, memo statsMemo) bool {
	parents := map[*html.Node]bool{}
	for _, q := range ps[:i] {
		if q.block != nil {
			parents[q.block.Parent] = true
		}
	}
	for _, q := range ps[end:] {
		if q.block != nil && parents[q.block.Parent] && memo.measure(q.block).linkDensity() < 0.5 {
			return true
		}
	}
	return false
}

// headedBox is the largest element around ps[i] that holds no earlier
// paragraph: the box that ps[i] heads. Since a subtree's paragraphs come
// one after another, an element holds an earlier paragraph if and only if
// it holds the one just before.
func headedBox(ps []para, i int) *html.Node {
	box := ps[i].block
	if box == nil {
		return nil
	}
	var prev map[*html.Node]bool // the elements that hold the paragraph before
	if i > 0 && ps[i-1].block != nil {
		prev = map[*html.Node]bool{}
		for a := ps[i-1].block; a != nil; a = a.Parent {
			prev[a] = true
		}
	}
	if prev[box] {
		return nil // the heading is loose text after the article's blocks
	}
	for box.Parent != nil && box.Parent.Type == html.ElementNode && !prev[box.Parent] {
		box = box.Parent
	}
	return box
}

func relatedHeading(s string) bool {
	if runeLen(s) > 60 {
		return false
	}
	s = strings.TrimRight(strings.ToLower(trimBullets(s)), ".:!…? \u00a0")
	w := strings.Fields(s)
	return relatedHeadings[strings.Join(w, "_")] || moreHeading(w)
}

// moreHeading reports whether the words w title a list of the site's other
// stories: "More great stories", "More top news", up to five words.
func moreHeading(w []string) bool {
	if len(w) < 2 || len(w) > 5 || w[0] != "more" || w[1] == "than" {
		return false
	}
	switch w[len(w)-1] {
	case "stories", "articles", "news", "posts", "reads", "videos":
		return true
	}
	return false
}

// promoLine reports whether a line asks the reader to subscribe, follow the
// site or install its app: furniture at the end of an article, however it
// is worded.
func promoLine(s string) bool {
	if runeLen(s) > 300 {
		return false
	}
	s = strings.ToLower(s)
	switch {
	case mentions(s, "newsletter", "subscribe", "sign up", "signup", "abonnieren", "abonnez", "suscríbete", "suscribete", "assine", "iscriviti", "zapisz się"):
		return true
	case mentions(s, "follow", "folgen sie", "folge uns", "suivez", "síguenos", "siga-nos", "seguici", "obserwuj") &&
		mentions(s, "twitter", "facebook", "instagram", "linkedin", "youtube", "telegram", "tiktok", "social media", "@"):
		return true
	case mentions(s, " app ", " app.", " apps ", " apps.") && mentions(s, "download", "ios", "android", "app store", "google play", "get the"):
		return true
	}
	return false
}

func mentions(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func trimBullets(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("•·|›»>-–—*", r)
	})
}

// similarTitle reports whether a heading repeats the title, allowing for the
// title's site-name tail or a shortened heading.
func similarTitle(h, title string) bool {
	if h == "" {
		return false
	}
	if h == title {
		return true
	}
	short, long := h, title
	if len(short) > len(long) {
		short, long = long, short
	}
	return len(short)*10 >= len(long)*6 && strings.Contains(long, short)
}

// readAlsoLine is readAlso's match. Both patterns end in a colon (and the
// credit's may in a slash): a line without one is not tried, which spares
// the regexps nearly every paragraph of a text.
func readAlsoLine(s string) bool {
	return hasColon(s) && readAlso().MatchString(s)
}

func creditLineMatch(s string) bool {
	return (hasColon(s) || strings.IndexByte(s, '/') >= 0) && creditLine().MatchString(s)
}

// headWords start the lines at the start of a text that belong to the
// page's head, not the article: "Updated 3 June", "By Jane Doe".
var headWords = foldAll("updated", "last updated", "published", "posted", "posted on", "veröffentlicht",
	"aktualisiert", "stand", "publié", "mis à jour", "publicado", "actualizado", "pubblicato", "aggiornato",
	"by", "von", "par", "por", "door", "di", "autor", "author", "written by", "text", "foto", "photo", "image",
	"bild", "quelle", "source")

// headLineMatch reports whether s is such a head line: one of headWords,
// a word boundary, and at most 80 more runes, none of them a full stop, an
// exclamation or a question mark. It is matched by hand, as
// `(?i)^(?:headWords)\b[^.!?]{0,80}$` would match it: that pattern's
// counted repetition cost a twentieth of a page's CPU to compile.
func headLineMatch(s string) bool {
	if strings.ContainsAny(s, ".!?") {
		return false
	}
	l := newFoldLine(s)
	for _, i := range l.hasAnyPrefixAt(0, headWords) {
		if l.wordBoundary(i) && len(l.orig)-i <= 80 {
			return true
		}
	}
	return false
}

func tailLabelMatch(s string) bool {
	return hasColon(s) && tailLabel().MatchString(s)
}

// hasColon reports whether s holds a colon, ASCII or full width.
func hasColon(s string) bool {
	return strings.IndexByte(s, ':') >= 0 || strings.Contains(s, "：")
}

// headlineLink reports whether p is another story's headline, set in
// capitals as news sites break a text with them: the whole paragraph
// links, three words or more, in capitals. Capitals that do not
// link (a sign quoted, a shout) and a link in a sentence's case stay.
func headlineLink(p para) bool {
	if p.block == nil || p.heading || len(strings.Fields(p.text)) < 3 {
		return false
	}
	// A headline in capitals may hold a name that is not ("AMAs", "iPhone"):
	// one lower-case letter in twenty is let through.
	var upper, lower int
	for _, r := range p.text {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	if upper == 0 || lower*20 > upper {
		return false
	}
	var st textStats
	for _, n := range p.nodes {
		measureInto(n, &st, false)
	}
	return st.text > 0 && st.link == st.text
}
