package feed

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// zoneOffsets are the named zones real feeds print, in seconds east of UTC.
// Go's time.Parse accepts any abbreviation but gives it offset 0 unless the
// machine's own zone uses it, so "09:40 KST" would silently become UTC.
var zoneOffsets = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
	"AST": -4 * 3600, "ADT": -3 * 3600, "NST": -3*3600 - 1800, "NDT": -2*3600 - 1800,
	"BRT": -3 * 3600, "ART": -3 * 3600,
	"BST": 1 * 3600, "WEST": 1 * 3600, "CET": 1 * 3600, "MET": 1 * 3600,
	"CEST": 2 * 3600, "MEST": 2 * 3600, "EET": 2 * 3600, "EEST": 3 * 3600,
	"MSK": 3 * 3600, "IST": 5*3600 + 1800, "ICT": 7 * 3600, "WIB": 7 * 3600,
	"HKT": 8 * 3600, "SGT": 8 * 3600, "AWST": 8 * 3600, "PHT": 8 * 3600,
	"KST": 9 * 3600, "JST": 9 * 3600, "ACST": 9*3600 + 1800, "ACDT": 10*3600 + 1800,
	"AEST": 10 * 3600, "AEDT": 11 * 3600, "NZST": 12 * 3600, "NZDT": 13 * 3600,
}

// zonedLayouts are tried against a date whose zone, if any, has been
// rewritten as a numeric offset and whose day name has been removed.
var zonedLayouts = []string{
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 06 15:04:05 -0700",
	"2 Jan 06 15:04 -0700",
	"2 January 2006 15:04:05 -0700",
	"2 January 2006 15:04 -0700",
	"Jan 2 2006 15:04:05 -0700",
	"Jan 2 15:04:05 -0700 2006",
	"January 2 2006 15:04:05 -0700",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04 -0700",
	"2006-01-02T15:04:05 -0700",
	"2006/01/02 15:04:05 -0700",
	"02.01.2006 15:04:05 -0700",
	"01/02/2006 15:04:05 -0700",
}

// plainLayouts have no zone; the time is taken as UTC.
var plainLayouts = []string{
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"2 Jan 06 15:04:05",
	"2 Jan 2006",
	"2 January 2006 15:04:05",
	"2 January 2006",
	"Jan 2 2006 15:04:05",
	"Jan 2 15:04:05 2006",
	"Jan 2 2006",
	"January 2 2006",
	"January 2 2006 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"02.01.2006 15:04:05",
	"02.01.2006 15:04",
	"02.01.2006",
	"01/02/2006 15:04:05",
	"01/02/2006",
	"20060102",
}

var (
	// numericZone matches an offset token: "+0900", "+09:00", "-5", "GMT+9",
	// "UTC-05:00".
	numericZone = regexp.MustCompile(`^(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$`)
	// cjkDate matches dates such as "2015년 6월 24일" and "2015年6月24日".
	cjkDate = regexp.MustCompile(`(\d{2,4})\s*[년年]\s*(\d{1,2})\s*[월月]\s*(\d{1,2})\s*[일日号號]?`)
	cjkTime = regexp.MustCompile(`(\d{1,2})\s*[:시時时点點]\s*(?:(\d{1,2})\s*[:분分]?\s*(?:(\d{1,2}))?)?`)
	days    = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

// parseDate reads the date formats feeds use. It keeps the zone the feed
// gave, as a fixed offset; a date without a zone is taken as UTC.
func parseDate(s string) (time.Time, bool) {
	s = foldSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return fixZone(t), true
	}
	if !isASCII(s) {
		if m := cjkDate.FindStringSubmatchIndex(s); m != nil {
			return parseCJK(s, m)
		}
	}
	s, zoned := normaliseZone(dropDayName(strings.ReplaceAll(s, ",", " ")))
	layouts := plainLayouts
	if zoned {
		layouts = zonedLayouts
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return fixZone(t), true
		}
	}
	return time.Time{}, false
}

// dropDayName removes a leading day name ("Wed", "Wednesday"), which
// publishers often get wrong for the date and which adds nothing.
func dropDayName(s string) string {
	s = foldSpace(s)
	word, rest, ok := strings.Cut(s, " ")
	if !ok || len(word) < 3 {
		return s
	}
	prefix := strings.ToLower(word[:3])
	for _, d := range days {
		if prefix == d && isLetters(word) {
			return rest
		}
	}
	return s
}

// normaliseZone rewrites a trailing zone (named or numeric, with a
// parenthesised name after it dropped) as "-0700" form and reports whether
// the date has one. RFC 3339's "Z" and attached offsets are split off too.
func normaliseZone(s string) (string, bool) {
	fields := strings.Fields(s)
	if n := len(fields); n > 1 && strings.HasPrefix(fields[n-1], "(") {
		fields = fields[:n-1]
	}
	if len(fields) == 0 {
		return s, false
	}
	last := fields[len(fields)-1]
	if z, ok := zoneToken(last); ok {
		fields[len(fields)-1] = z
		return strings.Join(fields, " "), true
	}
	// Unix date(1) style puts the zone before the year: "... 09:40:00 KST 2015".
	if n := len(fields); n > 2 && len(last) == 4 && isDigits(last) {
		if z, ok := zoneToken(fields[n-2]); ok {
			fields[n-2] = z
			return strings.Join(fields, " "), true
		}
	}
	// A zone glued to an ISO time: "2015-06-24T09:40:00+0900", "...00Z".
	if i := strings.LastIndexAny(last, "+-Z"); i > 0 && strings.Contains(last[:i], ":") {
		if z, ok := zoneToken(last[i:]); ok {
			fields[len(fields)-1] = last[:i]
			return strings.Join(append(fields, z), " "), true
		}
	}
	return strings.Join(fields, " "), false
}

func zoneToken(tok string) (string, bool) {
	if off, ok := zoneOffsets[strings.ToUpper(tok)]; ok {
		return formatOffset(off), true
	}
	m := numericZone.FindStringSubmatch(strings.ToUpper(tok))
	if m == nil {
		return "", false
	}
	h, _ := strconv.Atoi(m[2])
	mins := 0
	if m[3] != "" {
		mins, _ = strconv.Atoi(m[3])
	}
	if h > 14 || mins > 59 {
		return "", false
	}
	off := h*3600 + mins*60
	if m[1] == "-" {
		off = -off
	}
	return formatOffset(off), true
}

func formatOffset(off int) string {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	return string(sign) + twoDigits(off/3600) + twoDigits(off%3600/60)
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// parseCJK reads Korean, Japanese and Chinese dates: the year-month-day
// match m, then an optional time with an afternoon marker (오후, 午後, 下午).
func parseCJK(s string, m []int) (time.Time, bool) {
	year, _ := strconv.Atoi(s[m[2]:m[3]])
	month, _ := strconv.Atoi(s[m[4]:m[5]])
	day, _ := strconv.Atoi(s[m[6]:m[7]])
	if year < 100 {
		year += 2000
	}
	rest := s[m[1]:]
	hour, minute, sec := 0, 0, 0
	if t := cjkTime.FindStringSubmatch(rest); t != nil {
		hour, _ = strconv.Atoi(t[1])
		minute, _ = strconv.Atoi(t[2])
		sec, _ = strconv.Atoi(t[3])
		pm := strings.Contains(rest, "오후") || strings.Contains(rest, "午後") ||
			strings.Contains(rest, "下午") || strings.Contains(strings.ToUpper(rest), "PM")
		if pm && hour < 12 {
			hour += 12
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	loc := time.UTC
	if _, zoned := normaliseZone(rest); zoned {
		fields := strings.Fields(rest)
		if z, ok := zoneToken(fields[len(fields)-1]); ok {
			t, _ := time.Parse("-0700", z)
			_, off := t.Zone()
			loc = time.FixedZone("", off)
		}
	}
	return fixZone(time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)), true
}

// fixZone gives t a fixed zone with its offset, so that the result does not
// depend on the machine's local zone (time.Parse borrows it when the offsets
// agree).
func fixZone(t time.Time) time.Time {
	_, off := t.Zone()
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", off))
}

func isLetters(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
