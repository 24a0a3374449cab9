package extract

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// The printed date shapes are matched by hand rather than by regular
// expressions: the month-name alternations made regexps that cost a
// millisecond to compile in every process and were slow to run on every
// short line of a page. Each scanner below reads one shape with the
// preferences of a backtracking regexp (leftmost start, the first
// alternative that lets the rest match), so that the dates found are those
// the patterns in the comments describe.

// dateHit is one match of a date shape: [start, end) includes the boundary
// characters around the date, as a regexp match would.
type dateHit struct {
	start, end int
	y, mo, d   int
	ok         bool // the shape's own check (same separators, a known month)
}

// shapeMatcher tries a shape at exactly position i of s.
type shapeMatcher func(s string, i int) (dateHit, bool)

// scanShape calls yield with the successive non-overlapping matches of a
// shape in s, at most max of them, until yield returns false.
func scanShape(s string, match shapeMatcher, max int, yield func(dateHit) bool) {
	pos := 0
	for n := 0; n < max; n++ {
		hit, found := dateHit{}, false
		for i := pos; i < len(s); {
			if hit, found = match(s, i); found {
				break
			}
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
		}
		if !found || !yield(hit) {
			return
		}
		pos = hit.end
	}
}

// digitRun returns the end of the run of ASCII digits starting at i.
func digitRun(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// isRESpace is the regexp class \s: ASCII white space only.
func isRESpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r'
}

func skipSpace(s string, i int) int {
	for i < len(s) && isRESpace(s[i]) {
		i++
	}
	return i
}

// num12 reads a number of one or two digits at i ({1,2} followed by a
// non-digit: in every shape a longer run cannot match).
func num12(s string, i int) (n, end int, ok bool) {
	end = digitRun(s, i)
	if end == i || end-i > 2 {
		return 0, i, false
	}
	return atoiDigits(s[i:end]), end, true
}

// year reads (?:19|20)\d\d at i, followed by no further digit when
// bounded is set.
func year(s string, i int, bounded bool) (y, end int, ok bool) {
	if i+4 > len(s) || !(s[i:i+2] == "19" || s[i:i+2] == "20") || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
		return 0, i, false
	}
	if bounded && i+4 < len(s) && isDigit(s[i+4]) {
		return 0, i, false
	}
	return atoiDigits(s[i : i+4]), i + 4, true
}

func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// endBoundary is (?:[^\d]|$) after a match ending at i: it consumes one
// rune that is not a digit. The caller has checked that s[i] is no digit.
func endBoundary(s string, i int) int {
	if i >= len(s) {
		return i
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return i + w
}

// startBoundary tries rest after (?:^|[^X]) at i, where notX says which
// rune may stand before the date.
func startBoundary(s string, i int, notX func(r rune) bool, rest func(k int) (dateHit, bool)) (dateHit, bool) {
	if i == 0 {
		if h, ok := rest(0); ok {
			return h, true
		}
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if !notX(r) {
		return dateHit{}, false
	}
	return rest(i + w)
}

func notDigitRune(r rune) bool      { return r < '0' || r > '9' }
func notDigitOrDotRune(r rune) bool { return notDigitRune(r) && r != '.' }

// notLetterRune is (?i)[^\pL]: folding puts into \pL the few marks whose
// case partners are letters (U+0345 folds to ι).
func notLetterRune(r rune) bool {
	if r < utf8.RuneSelf || unicode.IsLetter(r) {
		return !unicode.IsLetter(r)
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if unicode.IsLetter(f) {
			return false
		}
	}
	return true
}

// matchYMD: (?:^|[^\d])((?:19|20)\d\d)([-/]|\.\s?)(\d{1,2})([-/]|\.\s?)(\d{1,2})(?:[^\d]|$)
// 2015-06-24, 2015.06.24, 2015/6/24, 2015. 6. 24.
func matchYMD(s string, i int) (dateHit, bool) {
	return startBoundary(s, i, notDigitRune, func(k int) (dateHit, bool) {
		y, k, ok := year(s, k, false)
		if !ok {
			return dateHit{}, false
		}
		sep1, k, ok := ymdSep(s, k)
		if !ok {
			return dateHit{}, false
		}
		mo, k, ok := num12(s, k)
		if !ok {
			return dateHit{}, false
		}
		sep2, k, ok := ymdSep(s, k)
		if !ok {
			return dateHit{}, false
		}
		d, k, ok := num12(s, k)
		if !ok {
			return dateHit{}, false
		}
		// "2015/06/24" and "2015-06-24" need the same separator twice.
		return dateHit{start: i, end: endBoundary(s, k), y: y, mo: mo, d: d, ok: sep1 == sep2}, true
	})
}

// ymdSep reads ([-/]|\.\s?) and returns the separator without its space.
func ymdSep(s string, i int) (byte, int, bool) {
	if i >= len(s) {
		return 0, i, false
	}
	switch c := s[i]; c {
	case '-', '/':
		return c, i + 1, true
	case '.':
		if i+1 < len(s) && isRESpace(s[i+1]) {
			return c, i + 2, true
		}
		return c, i + 1, true
	}
	return 0, i, false
}

// matchDMY: (?:^|[^\d.])(\d{1,2})([./-])\s?(\d{1,2})[./-]\s?((?:19|20)\d\d)(?:[^\d]|$)
// 24.06.2015, 24/06/2015, 24-06-2015
func matchDMY(s string, i int) (dateHit, bool) {
	return startBoundary(s, i, notDigitOrDotRune, func(k int) (dateHit, bool) {
		d, k, ok := num12(s, k)
		if !ok || k >= len(s) || !isDMYSep(s[k]) {
			return dateHit{}, false
		}
		sep := s[k]
		k = optSpace(s, k+1)
		mo, k, ok := num12(s, k)
		if !ok || k >= len(s) || !isDMYSep(s[k]) {
			return dateHit{}, false
		}
		y, k, ok := year(s, optSpace(s, k+1), true)
		if !ok {
			return dateHit{}, false
		}
		// Slashes are the one place where month-first (US) is common.
		if sep == '/' && mo > 12 && d <= 12 {
			d, mo = mo, d
		}
		return dateHit{start: i, end: endBoundary(s, k), y: y, mo: mo, d: d, ok: true}, true
	})
}

func isDMYSep(c byte) bool { return c == '.' || c == '/' || c == '-' }

// optSpace is \s? before a digit.
func optSpace(s string, i int) int {
	if i < len(s) && isRESpace(s[i]) {
		return i + 1
	}
	return i
}

// matchCJK: ((?:19|20)\d\d)\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]
// 2015年6月24日, 2015년 6월 24일
func matchCJK(s string, i int) (dateHit, bool) {
	y, k, ok := year(s, i, false)
	if !ok {
		return dateHit{}, false
	}
	k, ok = cjkUnit(s, skipSpace(s, k), "年", "년")
	if !ok {
		return dateHit{}, false
	}
	mo, k, ok := num12(s, skipSpace(s, k))
	if !ok {
		return dateHit{}, false
	}
	k, ok = cjkUnit(s, skipSpace(s, k), "月", "월")
	if !ok {
		return dateHit{}, false
	}
	d, k, ok := num12(s, skipSpace(s, k))
	if !ok {
		return dateHit{}, false
	}
	k, ok = cjkUnit(s, skipSpace(s, k), "日", "일")
	if !ok {
		return dateHit{}, false
	}
	return dateHit{start: i, end: k, y: y, mo: mo, d: d, ok: true}, true
}

func cjkUnit(s string, i int, a, b string) (int, bool) {
	switch {
	case strings.HasPrefix(s[i:], a):
		return i + len(a), true
	case strings.HasPrefix(s[i:], b):
		return i + len(b), true
	}
	return i, false
}

// matchDMonY: (?i)(?:^|[^\d])(\d{1,2})(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+|of\s+)?(MONTH)\.?,?\s*(?:de\s+|del\s+)?((?:19|20)\d\d)(?:[^\d]|$)
// 24 June 2015, 24. Juni 2015, 24th June, 2015, 24 de junio de 2015
func matchDMonY(s string, i int) (dateHit, bool) {
	return startBoundary(s, i, notDigitRune, func(k int) (dateHit, bool) {
		d, k, ok := num12(s, k)
		if !ok {
			return dateHit{}, false
		}
		for _, suffix := range dayOrdinals {
			k1, ok := foldPrefix(s, k, suffix)
			if !ok {
				continue
			}
			if k1 < len(s) && s[k1] == '.' {
				k1++
			}
			k1 = skipSpace(s, k1)
			for _, of := range []string{"de", "of", ""} {
				k2, ok := foldWord(s, k1, of)
				if !ok {
					continue
				}
				if h, ok := monthThenYear(s, i, k2, d); ok {
					return h, true
				}
			}
		}
		return dateHit{}, false
	})
}

// dayOrdinals are the suffixes a day number may carry, "" (none) last.
var dayOrdinals = []string{"st", "nd", "rd", "th", "er", "º", "°", ""}

// foldWord reads w followed by \s+ at i; "" reads nothing.
func foldWord(s string, i int, w string) (int, bool) {
	if w == "" {
		return i, true
	}
	k, ok := foldPrefix(s, i, w)
	if !ok || k >= len(s) || !isRESpace(s[k]) {
		return i, false
	}
	return skipSpace(s, k), true
}

// monthThenYear reads (MONTH)\.?,?\s*(?:de\s+|del\s+)?((?:19|20)\d\d)(?:[^\d]|$) at i.
func monthThenYear(s string, start, i, d int) (dateHit, bool) {
	for _, name := range monthCandidates(s, i) {
		k, ok := foldPrefix(s, i, name)
		if !ok {
			continue
		}
		mo := monthOf(s[i:k])
		if k < len(s) && s[k] == '.' {
			k++
		}
		if k < len(s) && s[k] == ',' {
			k++
		}
		k = skipSpace(s, k)
		for _, de := range []string{"de", "del", ""} {
			k1, ok := foldWord(s, k, de)
			if !ok {
				continue
			}
			if y, k2, ok := year(s, k1, true); ok {
				return dateHit{start: start, end: endBoundary(s, k2), y: y, mo: int(mo), d: d, ok: mo != 0}, true
			}
		}
	}
	return dateHit{}, false
}

// matchMonDY: (?i)(?:^|[^\pL])(MONTH)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\.?,?\s+((?:19|20)\d\d)(?:[^\d]|$)
// June 24, 2015, Jun. 24th 2015
func matchMonDY(s string, i int) (dateHit, bool) {
	return startBoundary(s, i, notLetterRune, func(k int) (dateHit, bool) {
		for _, name := range monthCandidates(s, k) {
			k1, ok := foldPrefix(s, k, name)
			if !ok {
				continue
			}
			if h, ok := dayThenYear(s, i, k1, monthOf(s[k:k1])); ok {
				return h, true
			}
		}
		return dateHit{}, false
	})
}

// dayThenYear reads \.?\s+(\d{1,2})(?:st|nd|rd|th)?\.?,?\s+((?:19|20)\d\d)(?:[^\d]|$) at i.
func dayThenYear(s string, start, i int, mo time.Month) (dateHit, bool) {
	if i < len(s) && s[i] == '.' {
		i++
	}
	if i >= len(s) || !isRESpace(s[i]) {
		return dateHit{}, false
	}
	d, i, ok := num12(s, skipSpace(s, i))
	if !ok {
		return dateHit{}, false
	}
	for _, suffix := range []string{"st", "nd", "rd", "th", ""} {
		k, ok := foldPrefix(s, i, suffix)
		if !ok {
			continue
		}
		if k < len(s) && s[k] == '.' {
			k++
		}
		if k < len(s) && s[k] == ',' {
			k++
		}
		if k >= len(s) || !isRESpace(s[k]) {
			continue
		}
		if y, k, ok := year(s, skipSpace(s, k), true); ok {
			return dateHit{start: start, end: endBoundary(s, k), y: y, mo: int(mo), d: d, ok: mo != 0}, true
		}
	}
	return dateHit{}, false
}

// foldPrefix reports whether s at i starts with lit under simple case
// folding (as (?i) compares), and where the match ends.
func foldPrefix(s string, i int, lit string) (int, bool) {
	for _, want := range lit {
		if i >= len(s) {
			return i, false
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if !equalFold(r, want) {
			return i, false
		}
		i += w
	}
	return i, true
}

func equalFold(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return 'A' <= a && a <= 'Z' && a+'a'-'A' == b || 'A' <= b && b <= 'Z' && b+'a'-'A' == a
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// foldKey is the smallest rune of r's case-folding orbit: runes that are
// equal under folding share it.
func foldKey(r rune) rune {
	k := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		k = min(k, f)
	}
	return k
}

// monthTable is the month names indexed for the scanners, built on first
// use: most pages never print a month name.
type monthTable struct {
	byFirst map[rune][]string     // fold key of the first rune -> names, longest first
	month   map[string]time.Month // lower-case name -> month
}

var months = sync.OnceValue(func() *monthTable {
	t := &monthTable{byFirst: make(map[rune][]string), month: make(map[string]time.Month)}
	var names []string
	for i, ns := range monthLists {
		for _, n := range ns {
			t.month[n] = time.Month(i + 1)
			names = append(names, n)
		}
	}
	// Longest first, so that "juni" is not read as "jun".
	slices.SortStableFunc(names, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	for _, n := range names {
		r, _ := utf8.DecodeRuneInString(n)
		k := foldKey(r)
		t.byFirst[k] = append(t.byFirst[k], n)
	}
	return t
})

// monthCandidates returns the month names that may start at s[i:].
func monthCandidates(s string, i int) []string {
	if i >= len(s) {
		return nil
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if r < utf8.RuneSelf && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
		return nil
	}
	return months().byFirst[foldKey(r)]
}

// monthOf is the month a matched name stands for, 0 when its lower case is
// not a listed name (a fold the table does not hold).
func monthOf(name string) time.Month {
	return months().month[strings.ToLower(name)]
}
