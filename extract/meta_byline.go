package extract

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// byLabels are the words that open a byline, in the languages of the pages
// Herald reads, lower case, longest first where one is a prefix of another.
var byLabels = []string{
	"written by", "posted by", "reported by", "submitted by", "words by", "text by", "story by", "article by", "published by",
	"geschrieben von", "gespeichert von", "text von", "ein beitrag von", "ein artikel von", "veröffentlicht von", "verfasst von",
	"eingestellt von", "gepostet von", "erstellt von", "beitrag von", "artikel von:", "artikel von", "interview:",
	"écrit par", "publié par", "escrito por", "publicado por", "scritto da", "pubblicato da", "geschreven door",
	"autorin:", "autoren:", "autor:", "autora:", "autore:", "author:", "authors:", "auteur:", "auteurs:", "text:", "texto:", "von:", "by:", "reporter:", "redaktion:",
	"by", "von", "par", "por", "door", "di", "da", "av", "af", "przez", "autor", "autorin", "author",
}

// bylineREs are the patterns that clean a byline.
type bylineREs struct {
	email, handle *regexp.Regexp
	// "| Updated 10:40", "- Aktualisiert am ...": what follows is not a name.
	updatedTail *regexp.Regexp
	// The preposition left behind when a date was cut off: "John Smith on".
	danglingWord *regexp.Regexp
	// A photo or image credit line is not the article's byline.
	credit *regexp.Regexp
}

// bylineRE compiles the byline patterns on first use rather than at init,
// which every run of the program would pay for.
var bylineRE = sync.OnceValue(func() *bylineREs {
	return &bylineREs{
		email:        regexp.MustCompile(`\S+@\S+\.\w+`),
		handle:       regexp.MustCompile(`(?:^|\s)@\w+`),
		updatedTail:  regexp.MustCompile(`(?i)\s*(?:[|·•,–—-]\s*|\s)(?:last\s+)?(?:updated|update|aktualisiert|published|veröffentlicht|posted|publié|mis à jour|actualizado|aggiornato|stand)\b.*$`),
		danglingWord: regexp.MustCompile(`(?i)\s+(?:am|on|le|el|il|op|em|den|at|um|,)\s*$`),
		credit:       regexp.MustCompile(`(?i)\b(?:photo|foto|bild|image|picture|illustration|grafik|video|quelle|source)s?\b`),
	}
})

// foldRESpace replaces every run of ASCII white space (the regexp class
// \s) by one space.
func foldRESpace(s string) string {
	i := 0
	for i < len(s) && !isRESpace(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	run := false
	for ; i < len(s); i++ {
		if isRESpace(s[i]) {
			run = true
			continue
		}
		if run {
			b.WriteByte(' ')
			run = false
		}
		b.WriteByte(s[i])
	}
	if run {
		b.WriteByte(' ')
	}
	return b.String()
}

// bylineLine reports whether line is a byline such as "By KH디지털2" or "Von
// Hans Müller | 24.06.2015" and returns the name. Ordinary prose and lines that
// are not introduced by a by-word give ok false.
func bylineLine(line string) (string, bool) {
	// A separator the template prints before the label ("| By J. Roe",
	// after a date or a site's name it hides from sight) is not part of it.
	line = strings.TrimLeft(strings.TrimSpace(foldRESpace(line)), "|·•–—-*/ ")
	if line == "" || utf8.RuneCountInString(line) > 150 {
		return "", false
	}
	rest, ok := cutByLabel(line)
	if !ok {
		return "", false
	}
	// "By the way, ..." and "von der Leyen sagte ..." are prose: a name
	// begins with a capital (scripts without case have none to check).
	r, _ := utf8.DecodeRuneInString(rest)
	if unicode.IsLower(r) {
		return "", false
	}
	name := cleanByline(rest)
	if name == "" {
		return "", false
	}
	return name, true
}

// cutByLabel removes a leading by-word ("By", "Von", "Author:") and
// reports whether there was one.
func cutByLabel(s string) (string, bool) {
	// Every line of a page's head is tried: lower-casing only the head of
	// an ASCII line spares an allocation each.
	var buf [24]byte
	var lower string
	ascii := isASCII(s)
	if !ascii {
		lower = strings.ToLower(s)
	}
	head := buf[:min(len(s), len(buf))]
	if ascii {
		for i := range head {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			head[i] = c
		}
	}
	for _, l := range byLabels {
		if ascii && !hasPrefixBytes(head, l) || !ascii && !strings.HasPrefix(lower, l) {
			continue
		}
		rest := s[len(l):]
		if !strings.HasSuffix(l, ":") {
			// The label is a word of its own: "Byrne" is a name, "By:" or "By " a label.
			r, _ := utf8.DecodeRuneInString(rest)
			if r != ' ' && r != ':' && r != '\u00a0' {
				continue
			}
		}
		rest = strings.TrimLeft(rest, " :\u00a0")
		return rest, rest != ""
	}
	return s, false
}

// authorField is the author's field of a block of labelled fields, as
// templates print them ("Datum: 19.11.2021 Autor: F. Imhof Quelle:
// Livenet"): from its label on, for cutByLabel to take; s itself when no
// field but the first is labelled as the author's.
func authorField(s string) string {
	if strings.IndexByte(s, ':') < 0 {
		return s
	}
	lower := strings.ToLower(s)
	for _, l := range byLabels {
		if !strings.HasSuffix(l, ":") {
			continue
		}
		if i := strings.Index(lower, " "+l); i > 0 && strings.IndexByte(lower[:i], ':') >= 0 {
			return s[i+1:]
		}
	}
	return s
}

// isByLabel reports whether s is only a label, as an "Autor" heading above
// the name.
func isByLabel(s string) bool {
	s = strings.ToLower(strings.TrimRight(s, ": "))
	for _, l := range byLabels {
		if strings.TrimRight(l, ":") == s {
			return true
		}
	}
	return false
}

// cleanByline turns the text of a byline element or value into names: labels,
// trailing dates, "| Updated ..." tails, e-mail addresses and handles go; an
// empty string means it was not a plausible name.
func cleanByline(s string) string {
	s = strings.TrimSpace(foldRESpace(s))
	s, _ = cutByLabel(authorField(s))
	if m, ok := findDate(s, nil); ok {
		s = cutWeekday(s[:m.start])
	}
	// Each pattern is tried only on what it could match: a byline is
	// cleaned on every page, and the four regexps were most of its cost.
	re := bylineRE()
	if !isASCII(s) || containsFoldAny(s, updatedWords) {
		s = re.updatedTail.ReplaceAllString(s, "")
	}
	s = cutDanglingWord(cutTrailingNonName(s))
	if strings.IndexByte(s, '@') >= 0 {
		s = re.email.ReplaceAllString(s, "")
		s = re.handle.ReplaceAllString(s, "")
	}
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '.' && r != ')' || unicode.IsSymbol(r)
	})
	s = strings.TrimSpace(strings.TrimSuffix(s, " and"))
	s = cutLeadingRole(cutRole(cutCredit(s)))
	if isByLabel(s) || isTemplateWord(s) || !plausibleName(s) {
		return ""
	}
	return s
}

// templateWords are what a blog or CMS template prints beside the author
// and is not a name: the label before the post's date ("Posted on",
// "Publiziert am", "Datum:") or its categories ("Filed under:", "abgelegt
// unter:"), and the placeholder of a post without one ("No Author").
// Elements holding them often carry the author's class
// ("meta-prep-author").
var templateWords = []string{
	"posted", "posted in", "published", "publiziert", "veröffentlicht", "datum", "date", "filed under", "abgelegt unter",
	"category", "categories", "kategorie", "kategorien", "tags", "updated", "aktualisiert", "posts", "no author",
}

// isTemplateWord reports whether s, a cleaned byline, is one of
// templateWords.
func isTemplateWord(s string) bool {
	if len(s) > len("abgelegt unter") {
		return false
	}
	return slices.Contains(templateWords, strings.ToLower(s))
}

// cutCredit removes the credits a byline lists after the writer's name
// ("Christian Seiler Illustration von Markus Roost", "A. Roe, Fotos: B.
// Doe"): the writer comes first. A line that starts with a credit is left
// whole, for plausibleName to refuse.
func cutCredit(s string) string {
	if i := creditAt(s); i > 0 {
		return strings.TrimRight(s[:i], " ,;:|/-–—\u00a0")
	}
	return s
}

// creditAt is where the first credit word of s starts, or -1. The pattern
// runs only where it could match: every byline is cleaned.
func creditAt(s string) int {
	if isASCII(s) && !containsFoldAny(s, creditWords) {
		return -1
	}
	if loc := bylineRE().credit.FindStringIndex(s); loc != nil {
		return loc[0]
	}
	return -1
}

// cutRole removes a role or affiliation of several words in brackets
// after the name ("E. Fuhr (Pressesprecher des EJW)"); one word there is
// the writer's handle, part of the byline ("史蒂文的家_藍天 (stevenhgm)").
func cutRole(s string) string {
	i := strings.LastIndex(s, " (")
	if i > 0 && strings.HasSuffix(s, ")") && strings.Contains(strings.TrimSpace(s[i+2:]), " ") {
		return strings.TrimRight(s[:i], " ,")
	}
	return s
}

// roleNouns are the roles a byline prints before the name, as the last
// part of its first word ("Redakteur Max Muster", "FOCUS-Online-Experte
// Robin Tschöpe", "Correspondent Jane Roe").
var roleNouns = []string{
	"experte", "expertin", "redakteur", "redakteurin", "korrespondent", "korrespondentin", "reporter", "reporterin",
	"gastautor", "gastautorin", "kolumnist", "kolumnistin", "correspondent", "columnist", "contributor",
}

// cutLeadingRole removes a role word before a name of two capitalised
// words or more.
func cutLeadingRole(s string) string {
	words := strings.Fields(s)
	if len(words) < 3 {
		return s
	}
	first := strings.ToLower(words[0])
	for _, r := range roleNouns {
		if strings.HasSuffix(first, r) && (len(first) == len(r) || first[len(first)-len(r)-1] == '-') {
			for _, w := range words[1:] {
				if r, _ := utf8.DecodeRuneInString(w); !unicode.IsUpper(r) {
					return s
				}
			}
			return strings.Join(words[1:], " ")
		}
	}
	return s
}

// cutTrailingNonName removes what byline templates print after the name
// and is not one: the weekday or time of the post ("J. Stone Thursday",
// "G. Kienitz at 18:52", "I. Di Biase am Samstag"), a follow button, and
// an academic degree after a comma ("G. Tinsley, PhD").
func cutTrailingNonName(s string) string {
	for {
		t := strings.TrimRight(s, " ,\u00a0")
		i := strings.LastIndexAny(t, " ,")
		if i < 0 {
			return s
		}
		last := strings.ToLower(strings.Trim(t[i+1:], ".,"))
		afterComma := strings.HasSuffix(strings.TrimRight(t[:i+1], " \u00a0"), ",")
		// Only whole weekday names: "Sun" and "Sat" are names too.
		if !(weekdays[last] && utf8.RuneCountInString(last) > 3 || nonNameTail[last] || clockTime(last) ||
			afterComma && degrees[strings.ReplaceAll(last, ".", "")]) {
			return s
		}
		s = cutDanglingWord(strings.TrimRight(t[:i], " ,\u00a0"))
	}
}

// cutWeekday removes the weekday that stood before a date cut from the end
// of a byline ("T. Spahn Fr, 12.03.2021"): there, an abbreviation is a
// weekday too, not a name.
func cutWeekday(s string) string {
	t := strings.TrimRight(s, " ,.\u00a0")
	i := strings.LastIndexAny(t, " ,\u00a0")
	if i < 0 {
		return s
	}
	if w := strings.ToLower(t[i+1:]); weekdays[w] || weekdayAbbrevs[w] {
		return strings.TrimRight(t[:i], " ,\u00a0")
	}
	return s
}

// weekdayAbbrevs are the two-letter weekdays of German dates ("Fr,
// 12.03.2021"); weekdays holds the longer ones.
var weekdayAbbrevs = wordSet(`mo di mi do fr sa so`)

// nonNameTail are the words a byline's template prints after the name.
var nonNameTail = wordSet(`follow folgen suivre seguir segui`)

// degrees are the academic and professional titles printed after a name
// and a comma, without their full stops.
var degrees = wordSet(`phd md ma msc mba bsc ba rn rd do dds dvm jd llm mph`)

// clockTime reports whether s is a time of day, as 18:52 or 9.15.
func clockTime(s string) bool {
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		h, m, ok = strings.Cut(s, ".")
	}
	return ok && len(h) >= 1 && len(h) <= 2 && len(m) == 2 && allDigits(h) && allDigits(m)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// plausibleName rejects what is not a person's or agency's name: URLs,
// sentences, long texts, digits-only strings.
func plausibleName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 100 {
		return false
	}
	if strings.Contains(s, "://") || strings.HasPrefix(strings.ToLower(s), "www.") || strings.Contains(s, "/") && !strings.Contains(s, " / ") {
		return false
	}
	if strings.ContainsAny(s, "{}<>=|") || creditAt(s) >= 0 {
		return false
	}
	words := strings.Fields(s)
	if len(words) > 12 {
		return false
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < 2 {
		return false
	}
	// A sentence ends with a full stop after a word; an initial ("Jr.", "J.") is fine.
	if strings.HasSuffix(s, ".") && utf8.RuneCountInString(words[len(words)-1]) > 3 {
		return false
	}
	return true
}

// joinNames joins several names, once each, with ", ".
func joinNames(names []string) string {
	var out []string
	seen := make(map[string]bool)
	for _, n := range names {
		k := strings.ToLower(n)
		if n == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, n)
	}
	return strings.Join(out, ", ")
}

// updatedWords are the ASCII words of updatedTail: an ASCII line without
// one of them, in any case, cannot match it.
var updatedWords = []string{"update", "aktualisiert", "published", "posted", "actualizado", "aggiornato", "stand"}

// creditWords are credit's words: the same for an ASCII name.
var creditWords = []string{"photo", "foto", "bild", "image", "picture", "illustration", "grafik", "video", "quelle", "source"}

// containsFoldAny reports whether s holds one of words (lower case ASCII)
// under ASCII case folding.
func containsFoldAny(s string, words []string) bool {
	for _, w := range words {
		for i := 0; i+len(w) <= len(s); i++ {
			if asciiEqualFold(s[i:i+len(w)], w) {
				return true
			}
		}
	}
	return false
}

func asciiEqualFold(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// danglingWords are what danglingWord removes, after white space, at the
// end of a byline: the preposition left behind when a date was cut off
// ("John Smith on").
var danglingWords = []string{"am", "on", "le", "el", "il", "op", "em", "den", "at", "um", ","}

// cutDanglingWord is danglingWord.ReplaceAllString(s, ""), by hand: the
// pattern matches only at the end, from the run of white space before the
// line's last word.
func cutDanglingWord(s string) string {
	t := strings.TrimRight(s, reSpaces)
	i := strings.LastIndexAny(t, reSpaces)
	if i < 0 {
		return s
	}
	last := t[i+1:]
	for _, w := range danglingWords {
		if len(last) == len(w) && asciiEqualFold(last, w) {
			return strings.TrimRight(t[:i], reSpaces)
		}
	}
	return s
}

// reSpaces is the regexp class \s.
const reSpaces = " \t\n\f\r"

// hasPrefixBytes is strings.HasPrefix(string(b), prefix) without the
// conversion.
func hasPrefixBytes(b []byte, prefix string) bool {
	if len(prefix) > len(b) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if b[i] != prefix[i] {
			return false
		}
	}
	return true
}
