package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The furniture and tail lines are matched by hand, not by regexp:
// compiling the two patterns cost each `herald extract` process about a
// twentieth of its CPU. The matching is that of the case-insensitive
// patterns they replace, `(?i)^(?:alternatives)[.:!…]*$`: letters compare
// under simple case folding, classes hold the case variants of their
// members, and `\b` and `.` are ASCII word boundary and not-newline.

// foldLine is a line as runes, as given and case-folded to one
// representative per case-folding orbit, so that a literal matches where the
// folded runes are equal.
type foldLine struct {
	orig, fold []rune
}

func newFoldLine(s string) foldLine {
	l := foldLine{orig: make([]rune, 0, len(s)), fold: make([]rune, 0, len(s))}
	for _, r := range s {
		l.orig = append(l.orig, r)
		l.fold = append(l.fold, foldKey(r))
	}
	return l
}

// foldString is s with every rune folded by foldKey.
func foldString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldKey(r))
	}
	return b.String()
}

// inClass reports whether r, or a case variant of it, is in the class.
func inClass(r rune, class func(rune) bool) bool {
	if class(r) {
		return true
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if class(f) {
			return true
		}
	}
	return false
}

// hasPrefixAt reports whether the folded runes from i start with the folded
// literal lit, and returns the index after it.
func (l foldLine) hasPrefixAt(i int, lit []rune) (int, bool) {
	if len(l.fold)-i < len(lit) {
		return i, false
	}
	for k, r := range lit {
		if l.fold[i+k] != r {
			return i, false
		}
	}
	return i + len(lit), true
}

// spanClass returns the end of the run of runes from i up to end that are
// in the class.
func (l foldLine) spanClass(i, end int, class func(rune) bool) int {
	for i < end && inClass(l.orig[i], class) {
		i++
	}
	return i
}

// noNewline reports whether runes i up to end hold no newline: what `.*`
// matches.
func (l foldLine) noNewline(i, end int) bool {
	for ; i < end; i++ {
		if l.orig[i] == '\n' {
			return false
		}
	}
	return true
}

// wordBoundary is `\b` before rune i: ASCII word characters on one side only.
func (l foldLine) wordBoundary(i int) bool {
	before := i > 0 && asciiWord(l.orig[i-1])
	after := i < len(l.orig) && asciiWord(l.orig[i])
	return before != after
}

func asciiWord(r rune) bool {
	return r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
}

// digitsSpace returns the index after "[0-9]+ " at i, or i when there is none.
func (l foldLine) digitsSpace(i, end int) int {
	j := l.spanClass(i, end, asciiDigit)
	if j > i && j < end && l.orig[j] == ' ' {
		return j + 1
	}
	return i
}

func asciiDigit(r rune) bool { return '0' <= r && r <= '9' }

// lineEndChar is the punctuation a matched line may end with.
func lineEndChar(r rune) bool { return r == '.' || r == ':' || r == '!' || r == '…' }

// matchWhole reports whether some prefix of the line matches, by match,
// with only lineEndChar runes after it. match reports whether the runes
// [0, end) match.
func (l foldLine) matchWhole(match func(end int) bool) bool {
	start := len(l.orig)
	for start > 0 && lineEndChar(l.orig[start-1]) {
		start--
	}
	for end := start; end <= len(l.orig); end++ {
		if match(end) {
			return true
		}
	}
	return false
}

// literal is a set of folded strings, the alternatives that are plain text.
type literal map[string]bool

func literals(alts ...string) literal {
	m := literal{}
	for _, a := range alts {
		m[foldString(a)] = true
	}
	return m
}

func (m literal) has(runes []rune) bool {
	// Lines are short: building the key costs less than a regexp would.
	var buf [128]byte
	b := buf[:0]
	for _, r := range runes {
		b = utf8.AppendRune(b, r)
	}
	return m[string(b)]
}

// foldRunes is a literal folded, as runes, for hasPrefixAt.
func foldRunes(s string) []rune { return []rune(foldString(s)) }

func foldAll(alts ...string) [][]rune {
	out := make([][]rune, len(alts))
	for i, a := range alts {
		out[i] = foldRunes(a)
	}
	return out
}

// hasAnyPrefixAt is hasPrefixAt for the first of lits that matches.
func (l foldLine) hasAnyPrefixAt(i int, lits [][]rune) []int {
	var ends []int
	for _, lit := range lits {
		if j, ok := l.hasPrefixAt(i, lit); ok {
			ends = append(ends, j)
		}
	}
	return ends
}

var furnitureLiterals = literals(
	"advertisement", "advertisements", "advert", "adverts", "ad", "ads", "anzeige", "werbung", "publicité", "publicidad",
	"pubblicità", "reklama", "реклама", "広告", "광고", "sponsored", "sponsored content", "promoted",
	"continue reading", "continue reading below", "continue reading the main story", "continue reading after the advertisement",
	"link copied", "copied", "copy link", "copy url", "link kopiert", "lien copié", "share", "share this",
	"share this article", "share this story", "share this post", "share this page", "sharing is caring",
	"share on facebook", "share on twitter", "share on x", "share on linkedin", "share on whatsapp",
	"tweet", "teilen", "partager", "compartir", "condividi",
	"print", "print this article", "print this page", "email", "e-mail", "drucken", "imprimer", "font size",
	"text size", "listen to article", "listen to this article", "audio",
	"scroll to continue", "click to expand", "view gallery", "open gallery", "enlarge image",
	"enlarge this image", "zoom", "close", "schließen", "fermer",
	"kommentar schreiben", "kommentare schreiben", "gefällt mir", "like this", "teilen sie dies mit",
	"share this:", "bewerten", "related stories", "verwandte artikel", "weitere artikel",
	"weitere artikel zum thema", "kommentierte artikel", "à lire aussi", "lire aussi", "kontakt", "contact",
	"aktualisiert am", "zum vergrößern auf das bild klicken",
	"loading", "loading...", "please wait", "bitte warten", "menu", "menü", "search", "suche", "home",
	"startseite", "top", "back to top", "nach oben", "zurück", "back",
	"zurück zur übersicht", "zurück zur listenansicht", "back to overview", "back to list",
	"getty images", "getty", "shutterstock", "istock", "reuters", "associated press", "ap photo", "afp", "epa", "dpa", "imago", "picture alliance",
)

// furnitureAfterCount are the lines that may follow a count: "12 comments".
var (
	furnitureCounted  = literals("comment", "comments", "kommentar", "kommentare", "commentaire", "commentaires")
	furnitureRead     = literals("min read", "mins read", "minute read", "minutes read")
	furnitureLesezeit = literals(" min lesezeit", " minuten lesezeit")
	continuesLine     = literals(continuesAlts()...)
)

// continuesAlts spells out "(story|article) continues (below|after)( (this
// )?(advertisement|ad))?".
func continuesAlts() []string {
	var out []string
	for _, a := range []string{"story", "article"} {
		for _, b := range []string{"below", "after"} {
			for _, c := range []string{"", " advertisement", " ad", " this advertisement", " this ad"} {
				out = append(out, a+" continues "+b+c)
			}
		}
	}
	return out
}

var (
	advertisementRunes = foldRunes("advertisement")
	continueScroll     = foldAll("continue", "scroll")
	skipRunes          = foldAll("skip to ", "skip next ")
	lesezeitRunes      = foldRunes("lesezeit")
)

// isFurnitureLine reports whether a line is page furniture wherever it
// appears: ad labels, share prompts and their toasts, a picture agency's
// name left alone under its picture. Lines are matched whole, so an
// article sentence that mentions an advertisement stays.
func isFurnitureLine(s string) bool {
	l := newFoldLine(s)
	return l.matchWhole(func(end int) bool {
		w := l.fold[:end]
		if furnitureLiterals.has(w) || continuesLine.has(w) {
			return true
		}
		// (?:[0-9]+ )?(?:comments?|...) and (?:[0-9]+ )?min(?:ute)?s? read
		if i := l.digitsSpace(0, end); furnitureCounted.has(l.fold[i:end]) || furnitureRead.has(l.fold[i:end]) {
			return true
		}
		// [0-9]+ min(?:uten)? lesezeit
		if i := l.spanClass(0, end, asciiDigit); i > 0 && furnitureLesezeit.has(l.fold[i:end]) {
			return true
		}
		// lesezeit[: 0-9a-z.]*
		if i, ok := l.hasPrefixAt(0, lesezeitRunes); ok && l.spanClass(i, end, lesezeitClass) == end {
			return true
		}
		// skip (?:to|next) [a-z ]+
		for _, i := range l.hasAnyPrefixAt(0, skipRunes) {
			if i < end && l.spanClass(i, end, lowerOrSpace) == end {
				return true
			}
		}
		return l.advertisementContinue(end)
	})
}

// advertisementContinue matches "advertisement[ -–—:]+(?:continue|scroll)[a-z ]*"
// over runes [0, end). The class is as the pattern wrote it: " -–" is a
// range, from space to the en dash.
func (l foldLine) advertisementContinue(end int) bool {
	i, ok := l.hasPrefixAt(0, advertisementRunes)
	if !ok {
		return false
	}
	sepEnd := l.spanClass(i, end, adSeparator)
	for j := i + 1; j <= sepEnd; j++ {
		for _, k := range l.hasAnyPrefixAt(j, continueScroll) {
			if k <= end && l.spanClass(k, end, lowerOrSpace) == end {
				return true
			}
		}
	}
	return false
}

func adSeparator(r rune) bool { return ' ' <= r && r <= '–' || r == '—' || r == ':' }

func lowerOrSpace(r rune) bool { return 'a' <= r && r <= 'z' || r == ' ' }

func lesezeitClass(r rune) bool {
	return r == ':' || r == ' ' || r == '.' || asciiDigit(r) || 'a' <= r && r <= 'z'
}

var tailLiterals = literals(
	"tag", "tags", "topic", "topics", "themen", "schlagwörter", "schlagwoerter", "schlagworte",
	"stichwörter", "stichwoerter", "filed under", "categories", "category", "kategorie", "kategorien",
	"rubrike", "rubriken", "mots-clés", "mots clés", "étiquettes", "etiquetas", "argomenti", "keywords",
	"related", "related articles", "related stories", "related posts", "related content",
	"related topics", "related coverage", "related links", "related news",
	"read more", "read next", "see also", "also read", "you may like", "you might like",
	"you may also like", "you might also like", "recommended", "recommended for you",
	"most popular", "most read", "most viewed", "trending", "mehr zum thema",
	"weitere artikel", "weitere themen", "das könnte sie auch interessieren", "lesen sie auch",
	"lesen sie mehr", "auch interessant", "zum thema", "à lire aussi", "lire aussi", "voir aussi",
	"leer más", "lee también", "ver también", "leggi anche",
	"join the conversation", "comment", "comments", "leave a comment", "leave a reply",
	"kommentar", "kommentare", "kommentieren", "commentaire", "commentaires",
	"about the author", "über den autor", "source", "sources", "quelle", "quellen",
	"photo", "photos", "foto", "fotos", "credit", "credits",
)

// tailPrefixes are the alternatives written "prefix.*": the line only has
// to start with them.
var tailPrefixes = foldAll(
	"mehr zu ", "mehr zum ", "mehr zur ",
	"follow us", "folgen sie uns", "subscribe", "sign up", "newsletter", "abonnieren",
	"report error", "report an error", "fehler gefunden", "image credit", "copyright", "©", "(c) ",
	"all rights reserved", "alle rechte vorbehalten",
)

// tailWordPrefixes are "more (?:from|on|...)\b.*".
var tailWordPrefixes = foldAll(
	"more from", "more on", "more about", "more stories", "more news", "more articles",
)

// isTailLine reports whether a line ends an article's body: what follows
// it is about other articles or the site.
func isTailLine(s string) bool {
	l := newFoldLine(s)
	return l.matchWhole(func(end int) bool {
		if tailLiterals.has(l.fold[:end]) {
			return true
		}
		for _, i := range l.hasAnyPrefixAt(0, tailPrefixes) {
			if i <= end && l.noNewline(i, end) {
				return true
			}
		}
		for _, i := range l.hasAnyPrefixAt(0, tailWordPrefixes) {
			if i <= end && l.wordBoundary(i) && l.noNewline(i, end) {
				return true
			}
		}
		return false
	})
}
