package extract

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Dates come in two shapes: machine values (meta content, JSON-LD,
// time[datetime]) that are mostly ISO 8601, and lines printed on the page in
// whatever form the site likes. parseDateValue handles the first and falls
// back to findDate, which handles the second.

// monthLists holds, per month, its names and abbreviations in lower case.
var monthLists = [12][]string{
	{"january", "jan", "januar", "jänner", "jaenner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro", "januari", "styczeń", "stycznia", "styczen", "января", "январь"},
	{"february", "feb", "februar", "feber", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "fevereiro", "fev", "februari", "luty", "lutego", "февраля", "февраль"},
	{"march", "mar", "märz", "maerz", "mär", "mars", "marzo", "março", "marco", "maart", "mrt", "marzec", "marca", "марта", "март"},
	{"april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwiecień", "kwietnia", "kwiecien", "апреля", "апрель"},
	{"may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maj", "maja", "мая", "май"},
	{"june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwiec", "czerwca", "июня", "июнь"},
	{"july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipiec", "lipca", "июля", "июль"},
	{"august", "aug", "août", "aout", "agosto", "ago", "augustus", "sierpień", "sierpnia", "sierpien", "августа", "август"},
	{"september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set", "setembro", "wrzesień", "września", "wrzesien", "wrzesnia", "сентября", "сентябрь"},
	{"october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "październik", "października", "pazdziernik", "pazdziernika", "paź", "октября", "октябрь"},
	{"november", "nov", "novembre", "noviembre", "novembro", "listopad", "listopada", "lis", "ноября", "ноябрь"},
	{"december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro", "grudzień", "grudnia", "grudzien", "gru", "декабря", "декабрь"},
}

// reClock reads a time of day following a date: " - 09:40", ", 9.40 Uhr",
// "T09:40:00+09:00", " at 9:40 pm EST". It runs once per date found, so it
// stays a regexp, compiled on first use.
var reClock = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^[\s,|·•(]*(?:[-–—@T]|at|um|à|a las|às|alle|om|o|kl\.?|к)?\s*(\d{1,2})[:h.](\d\d)(?::(\d\d)(?:\.\d+)?)?\s*(a\.?m\.?|p\.?m\.?)?\s*(?:uhr|h\b)?\s*(Z\b|[+-]\d\d:?\d\d\b|(?:UTC|GMT)\s*(?:[+-]\d{1,2}(?::?\d\d)?)?|[A-Z]{3,4}\b)?`)
})

// zoneAbbrevs are the zone abbreviations sites print after a time, with their
// offsets in hours. Ambiguous ones (IST, CST in China) take the commoner use.
var zoneAbbrevs = map[string]float64{
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "WET": 0, "WEST": 1, "EET": 2, "EEST": 3, "BST": 1,
	"KST": 9, "JST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11, "IST": 5.5, "MSK": 3,
}

// dateMatch is one date found in a string: where it is and what it says.
type dateMatch struct {
	start, end int
	t          time.Time
}

// findDate returns the leftmost date in s, with the time of day that follows
// it if any. A date without a zone is in tz, or in noZone when tz is nil.
func findDate(s string, tz *time.Location) (dateMatch, bool) {
	if tz == nil {
		tz = noZone
	}
	best := dateMatch{start: -1}
	// Every shape has a four-digit year; most text has none, and the
	// month-name patterns are costly.
	if !hasYear(s) {
		return best, false
	}
	// The shapes in order; a later one wins only by starting further left.
	for _, match := range []shapeMatcher{matchYMD, matchDMY, matchDMonY, matchMonDY, matchCJK} {
		scanShape(s, match, 4, func(h dateHit) bool {
			if best.start >= 0 && h.start >= best.start {
				return false
			}
			if !h.ok || !validDate(h.y, h.mo, h.d) {
				return true
			}
			start, end := trimDateMatch(s, h.start, h.end)
			best = dateMatch{start: start, end: end, t: time.Date(h.y, time.Month(h.mo), h.d, 0, 0, 0, 0, tz)}
			return false
		})
	}
	if best.start < 0 {
		return best, false
	}
	best.t, best.end = addClock(best.t, s, best.end)
	return best, true
}

// hasYear reports whether s holds a four-digit number starting 19 or 20.
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		if run == 4 && (s[i-4:i-2] == "19" || s[i-4:i-2] == "20") {
			return true
		}
		run = 0
	}
	return run == 4 && (s[len(s)-4:len(s)-2] == "19" || s[len(s)-4:len(s)-2] == "20")
}

// addClock reads a time of day (and zone) right after a date ending at end.
func addClock(day time.Time, s string, end int) (time.Time, int) {
	m := reClock().FindStringSubmatchIndex(s[end:])
	if m == nil {
		return day, end
	}
	rest := s[end:]
	h, mi := groupInt(rest, m, 2), groupInt(rest, m, 4)
	sec := 0
	if m[6] >= 0 {
		sec = groupInt(rest, m, 6)
	}
	if m[8] >= 0 {
		pm := strings.HasPrefix(strings.ToLower(rest[m[8]:m[9]]), "p")
		if h > 12 || h == 0 {
			return day, end
		}
		if pm && h < 12 {
			h += 12
		} else if !pm && h == 12 {
			h = 0
		}
	}
	if h > 23 || mi > 59 || sec > 59 {
		return day, end
	}
	loc := day.Location()
	clockEnd := m[1]
	if m[10] >= 0 {
		if z, ok := parseZone(rest[m[10]:m[11]]); ok {
			loc = z
		} else {
			// An unknown capitalised word is not a zone: keep the clock only.
			clockEnd = m[10]
		}
	}
	y, mo, d := day.Date()
	return time.Date(y, mo, d, h, mi, sec, 0, loc), end + len(strings.TrimRightFunc(rest[:clockEnd], unicode.IsSpace))
}

// parseZone reads "Z", "+09:00", "+0900", "GMT+9", "UTC" or a known abbreviation.
func parseZone(z string) (*time.Location, bool) {
	z = strings.TrimSpace(z)
	up := strings.ToUpper(z)
	if up == "Z" || up == "UTC" || up == "GMT" {
		return time.UTC, true
	}
	if h, ok := zoneAbbrevs[up]; ok {
		return time.FixedZone(up, int(h*3600)), true
	}
	up = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(up, "UTC"), "GMT"))
	if len(up) < 2 || (up[0] != '+' && up[0] != '-') {
		return nil, false
	}
	sign := 1
	if up[0] == '-' {
		sign = -1
	}
	digits := strings.ReplaceAll(up[1:], ":", "")
	var h, mi int
	switch len(digits) {
	case 1, 2:
		h, _ = strconv.Atoi(digits)
	case 3, 4:
		h, _ = strconv.Atoi(digits[:len(digits)-2])
		mi, _ = strconv.Atoi(digits[len(digits)-2:])
	default:
		return nil, false
	}
	if h > 14 || mi > 59 {
		return nil, false
	}
	off := sign * (h*3600 + mi*60)
	if off == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", off), true
}

// groupInt reads submatch group g (its index pair starts at m[g]) as a number.
func groupInt(s string, m []int, g int) int {
	if m[g] < 0 {
		return 0
	}
	n, _ := strconv.Atoi(s[m[g]:m[g+1]])
	return n
}

// validDate rejects impossible days and years far from now: a year in a page
// is a date only when it is a plausible publication year.
func validDate(y, mo, d int) bool {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1995 || y > time.Now().Year()+1 {
		return false
	}
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC).Day() == d
}

// trimDateMatch narrows a regexp match to the date itself, dropping the
// boundary characters the patterns consume on either side.
func trimDateMatch(s string, start, end int) (int, int) {
	for start < end {
		r, n := utf8.DecodeRuneInString(s[start:])
		if unicode.IsDigit(r) || unicode.IsLetter(r) {
			break
		}
		start += n
	}
	for end > start {
		r, n := utf8.DecodeLastRuneInString(s[:end])
		if unicode.IsDigit(r) || unicode.IsLetter(r) {
			break
		}
		end -= n
	}
	return start, end
}

// valueLayouts are the machine date forms of meta tags and JSON-LD, tried
// before the looser text parser.
var valueLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -0700 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	time.RFC850,
	time.ANSIC,
	time.UnixDate,
	"20060102T150405Z0700",
	"20060102",
}

// parseDateValue reads a machine date value. Values without a zone are in tz
// (noZone when nil); a zone the value gives is kept.
func parseDateValue(v string, tz *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 200 {
		return time.Time{}, false
	}
	if tz == nil {
		tz = noZone
	}
	for _, layout := range valueLayouts {
		t, err := time.ParseInLocation(layout, v, tz)
		if err != nil {
			continue
		}
		if !validDate(t.Year(), int(t.Month()), t.Day()) || !notFuture(t) {
			return time.Time{}, false
		}
		return keepPageZone(t), true
	}
	if m, ok := findDate(v, tz); ok && notFuture(m.t) {
		return m.t, true
	}
	return time.Time{}, false
}

// noZone is the zone of a date that the page printed without one when no
// site rule gave one: its wall-clock reading is what the page said, but it
// is no instant. Its offset of one second is one no page gives, so that
// the parser never takes a value's own "+00:00" or "Z" for it, and small
// enough not to move a date across a day. Page reports such a date with
// Article.ZoneUnknown.
var noZone = time.FixedZone("", 1)

// keepPageZone replaces a named zone that Go invented while parsing (an
// abbreviation it does not know, given offset 0) by nothing: the offset is
// what the page said.
func keepPageZone(t time.Time) time.Time {
	name, off := t.Zone()
	if t.Location() == time.UTC || t.Location() == time.Local {
		return t
	}
	if name != "" && off == 0 {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	return t
}

// notFuture rejects dates more than two days ahead: event dates and
// expiry dates, not publication.
func notFuture(t time.Time) bool {
	return t.Before(time.Now().Add(48 * time.Hour))
}

// datelineMark reports whether rest, what follows a date that opens a line,
// begins with what sets a dateline off from its sentence: a dash, an
// opening quote or bracket, or a separator ("·", "|") before the page's
// other fields.
func datelineMark(rest string) bool {
	rest = strings.TrimLeft(rest, " \u00a0")
	for _, p := range []string{"–", "—", "- ", "„", "“", "\"", "«", "»", "(", "/", "·", "•", "|"} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

// Kinds of date line, by their label.
const (
	dateUnknown = iota
	datePublished
	dateUpdated
)

// dateLabels are the words around a date on a date line; they do not count as
// the line's other content. The value says what the label makes the date.
var dateLabels = map[string]int{
	"published": datePublished, "posted": datePublished, "publish": datePublished, "created": datePublished, "released": datePublished,
	"veröffentlicht": datePublished, "publiziert": datePublished, "erstellt": datePublished, "erschienen": datePublished, "geschrieben": datePublished,
	"publié": datePublished, "publie": datePublished, "publicado": datePublished, "publicada": datePublished, "pubblicato": datePublished,
	"gepubliceerd": datePublished, "geplaatst": datePublished, "opublikowano": datePublished, "opublikowany": datePublished, "dodano": datePublished,
	"입력": datePublished, "기사입력": datePublished, "등록": datePublished, "발행": datePublished, "发布": datePublished, "發佈": datePublished, "発行": datePublished, "公開": datePublished, "投稿": datePublished, "опубликовано": datePublished,
	"updated": dateUpdated, "update": dateUpdated, "modified": dateUpdated, "edited": dateUpdated, "revised": dateUpdated,
	"aktualisiert": dateUpdated, "geändert": dateUpdated, "stand": dateUpdated, "zuletzt": dateUpdated, "actualizado": dateUpdated, "actualizada": dateUpdated,
	"modifié": dateUpdated, "aggiornato": dateUpdated, "bijgewerkt": dateUpdated, "atualizado": dateUpdated, "aktualizacja": dateUpdated, "zaktualizowano": dateUpdated,
	"수정": dateUpdated, "更新": dateUpdated, "обновлено": dateUpdated,
	"date": dateUnknown, "datum": dateUnknown, "fecha": dateUnknown, "data": dateUnknown, "on": dateUnknown, "at": dateUnknown, "am": dateUnknown, "um": dateUnknown,
	"uhr": dateUnknown, "le": dateUnknown, "à": dateUnknown, "el": dateUnknown, "a": dateUnknown, "las": dateUnknown, "il": dateUnknown, "alle": dateUnknown, "em": dateUnknown,
	"às": dateUnknown, "op": dateUnknown, "om": dateUnknown, "dnia": dateUnknown, "o": dateUnknown, "godz": dateUnknown, "last": dateUnknown, "first": dateUnknown,
	"by": dateUnknown, "von": dateUnknown, "par": dateUnknown, "por": dateUnknown, "autor": dateUnknown, "author": dateUnknown,
	"time": dateUnknown, "mis": dateUpdated, "jour": dateUnknown, "mise": dateUnknown, "de": dateUnknown, "del": dateUnknown, "der": dateUnknown, "the": dateUnknown,
	"heute": dateUnknown, "today": dateUnknown, "ago": dateUnknown, "min": dateUnknown, "read": dateUnknown, "lesezeit": dateUnknown, "minuten": dateUnknown, "minutes": dateUnknown,
	"monday": dateUnknown, "tuesday": dateUnknown, "wednesday": dateUnknown, "thursday": dateUnknown, "friday": dateUnknown, "saturday": dateUnknown, "sunday": dateUnknown,
	"mon": dateUnknown, "tue": dateUnknown, "wed": dateUnknown, "thu": dateUnknown, "fri": dateUnknown, "sat": dateUnknown, "sun": dateUnknown,
	"montag": dateUnknown, "dienstag": dateUnknown, "mittwoch": dateUnknown, "donnerstag": dateUnknown, "freitag": dateUnknown, "samstag": dateUnknown, "sonntag": dateUnknown, "sonnabend": dateUnknown,
	"lundi": dateUnknown, "mardi": dateUnknown, "mercredi": dateUnknown, "jeudi": dateUnknown, "vendredi": dateUnknown, "samedi": dateUnknown, "dimanche": dateUnknown,
	"lunes": dateUnknown, "martes": dateUnknown, "miércoles": dateUnknown, "jueves": dateUnknown, "viernes": dateUnknown, "sábado": dateUnknown, "domingo": dateUnknown,
	"lunedì": dateUnknown, "martedì": dateUnknown, "mercoledì": dateUnknown, "giovedì": dateUnknown, "venerdì": dateUnknown, "sabato": dateUnknown, "domenica": dateUnknown,
	"maandag": dateUnknown, "dinsdag": dateUnknown, "woensdag": dateUnknown, "donderdag": dateUnknown, "vrijdag": dateUnknown, "zaterdag": dateUnknown, "zondag": dateUnknown,
	"poniedziałek": dateUnknown, "wtorek": dateUnknown, "środa": dateUnknown, "czwartek": dateUnknown, "piątek": dateUnknown, "sobota": dateUnknown, "niedziela": dateUnknown,
}

// weekdays are the day names among dateLabels: they stand before a date
// without labelling it.
var weekdays = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
		montag dienstag mittwoch donnerstag freitag samstag sonntag sonnabend lundi mardi mercredi jeudi vendredi samedi dimanche
		lunes martes miércoles jueves viernes sábado domingo lunedì martedì mercoledì giovedì venerdì sabato domenica
		maandag dinsdag woensdag donderdag vrijdag zaterdag zondag poniedziałek wtorek środa czwartek piątek sobota niedziela`) {
		m[w] = true
	}
	return m
}()

// maxDateLine is the longest line (in runes) that can be a date line.
const maxDateLine = 120

// dateLine reports whether line is essentially a date, perhaps with a label
// ("Published : June 24, 2015 - 09:40", "Stand: 24.06.2015, 10:00 Uhr"), and
// returns it. Dates without a zone are in tz (UTC when nil).
func dateLine(line string, tz *time.Location) (time.Time, bool) {
	d, ok := parseDateLine(line, tz)
	return d.t, ok && d.others <= maxDateLineWords
}

// maxDateLineWords is how many words other than labels a date line may have:
// a name (a byline sharing the line) may stand beside the date, a sentence
// may not.
const maxDateLineWords = 3

// lineDate is a date found on a short line, with what surrounds it.
type lineDate struct {
	t        time.Time
	kind     int  // what the label made of it: dateUnknown, datePublished, dateUpdated
	others   int  // words on the line that are not labels or numbers
	labelled bool // a label word stands right before the date ("Datum: 24.06.2015")
}

// parseDateLine finds the date of a short line and describes the line.
func parseDateLine(line string, tz *time.Location) (lineDate, bool) {
	line = strings.TrimSpace(line)
	if line == "" || utf8.RuneCountInString(line) > maxDateLine || copyrightLine(line) {
		return lineDate{}, false
	}
	m, ok := findDate(line, tz)
	if !ok || !notFuture(m.t) {
		return lineDate{}, false
	}
	d := lineDate{t: m.t}
	before := strings.FieldsFunc(line[:m.start], notDateWord)
	if n := len(before); n > 0 {
		w := strings.ToLower(before[n-1])
		k, known := dateLabels[w]
		d.labelled = known && (k != dateUnknown || n == 1 && !weekdays[w])
	}
	// A news dateline: the date opens the article's first sentence, set
	// off by a dash, a quote or a bold run ("01.02.2022 – Der Minister
	// sagte ..."). The date is as good as labelled.
	d.labelled = d.labelled || m.start == 0 && datelineMark(line[m.end:])
	for _, w := range append(before, strings.FieldsFunc(line[m.end:], notDateWord)...) {
		k, known := dateLabels[strings.ToLower(w)]
		switch {
		case known && d.kind == dateUnknown:
			d.kind = k
		case !known && strings.TrimFunc(w, unicode.IsDigit) != "":
			d.others++
		}
	}
	return d, true
}

func notDateWord(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

func copyrightLine(s string) bool {
	return strings.Contains(s, "©") || strings.Contains(strings.ToLower(s), "copyright")
}
