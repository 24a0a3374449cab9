package extract

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// The scanners replaced these regexps; they stay here as the reference the
// scanners must agree with.
var refShapes = sync1(func() []*regexp.Regexp {
	var ns []string
	for _, ms := range monthLists {
		ns = append(ns, ms...)
	}
	slices.SortFunc(ns, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	for i, n := range ns {
		ns[i] = regexp.QuoteMeta(n)
	}
	months := strings.Join(ns, "|")
	return []*regexp.Regexp{
		regexp.MustCompile(`(?:^|[^\d])((?:19|20)\d\d)([-/]|\.\s?)(\d{1,2})([-/]|\.\s?)(\d{1,2})(?:[^\d]|$)`),
		regexp.MustCompile(`(?:^|[^\d.])(\d{1,2})([./-])\s?(\d{1,2})[./-]\s?((?:19|20)\d\d)(?:[^\d]|$)`),
		regexp.MustCompile(`(?i)(?:^|[^\d])(\d{1,2})(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+|of\s+)?(` + months + `)\.?,?\s*(?:de\s+|del\s+)?((?:19|20)\d\d)(?:[^\d]|$)`),
		regexp.MustCompile(`(?i)(?:^|[^\pL])(` + months + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\.?,?\s+((?:19|20)\d\d)(?:[^\d]|$)`),
		regexp.MustCompile(`((?:19|20)\d\d)\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]`),
	}
})

func sync1[T any](f func() T) func() T {
	var v T
	var done bool
	return func() T {
		if !done {
			v, done = f(), true
		}
		return v
	}
}

// refHits are the matches of shape k's regexp in s, as dateHits.
func refHits(s string, k int) []dateHit {
	var out []dateHit
	for _, m := range refShapes()[k].FindAllStringSubmatchIndex(s, 4) {
		h := dateHit{start: m[0], end: m[1], ok: true}
		switch k {
		case 0:
			h.y, h.mo, h.d = groupInt(s, m, 2), groupInt(s, m, 6), groupInt(s, m, 10)
			h.ok = strings.TrimSpace(s[m[4]:m[5]]) == strings.TrimSpace(s[m[8]:m[9]])
		case 1:
			h.d, h.mo, h.y = groupInt(s, m, 2), groupInt(s, m, 6), groupInt(s, m, 8)
			if s[m[4]:m[5]] == "/" && h.mo > 12 && h.d <= 12 {
				h.d, h.mo = h.mo, h.d
			}
		case 2:
			h.mo = int(monthOf(s[m[4]:m[5]]))
			h.y, h.d, h.ok = groupInt(s, m, 6), groupInt(s, m, 2), h.mo != 0
		case 3:
			h.mo = int(monthOf(s[m[2]:m[3]]))
			h.y, h.d, h.ok = groupInt(s, m, 6), groupInt(s, m, 4), h.mo != 0
		case 4:
			h.y, h.mo, h.d = groupInt(s, m, 2), groupInt(s, m, 4), groupInt(s, m, 6)
		}
		out = append(out, h)
	}
	return out
}

var shapeMatchers = []shapeMatcher{matchYMD, matchDMY, matchDMonY, matchMonDY, matchCJK}

// checkShapes fails when a scanner and its regexp disagree on s.
func checkShapes(t *testing.T, s string) {
	t.Helper()
	for k, match := range shapeMatchers {
		var got []dateHit
		scanShape(s, match, 4, func(h dateHit) bool { got = append(got, h); return true })
		if want := refHits(s, k); !slices.Equal(got, want) {
			t.Errorf("shape %d on %q:\n got %+v\nwant %+v", k, s, got, want)
		}
	}
}

func TestDateShapesAgreeWithRegexps(t *testing.T) {
	for _, s := range []string{
		"", "2015", "Published : June 24, 2015 - 09:40", "2015.06.24 09:40", "24 June 2015", "2015年6月24日",
		"2015년 6월 24일", "2015. 6. 24.", "2015/06-24", "24.06.2015", "24/06/2015", "06/24/2015", "1.2.2015.3.4.2016",
		"24th June, 2015", "24 de junio de 2015", "1er mai 2015", "5 sept 2015", "Jun. 24th 2015", "juni 24, 2015",
		"1styczeń 2015", "24 JUNI 2015", "12 dec 2015", "3 Okt 2015", "4 oKt 2015", "4 oſt 2015", "x24 June 2015",
		"123 June 2015", "June 123, 2015", "June 24, 20155", "2015-06-24T09:40:00Z", "2015-13-45 and 2016-01-02",
		"24 junde 2015", "24 marde 2015", "24 mar del 2015", "24º de marzo de 2015", "24° Mai 2015", "Mai 4. 2015",
		"am 24.06.2015, 10:00 Uhr", "Stand: 24.06.2015", "1 2 3 4 5 2015-1-1 2015-1-2 2015-1-3 2015-1-4 2015-1-5",
		"31.02.2015 30.02.2015 29.02.2016", "\xff24 June 2015", "June\u034524, 2015", "\u0345June 24, 2015",
		"24 января 2015", "24 Января 2015 г.", "1 października 2015", "2015 年 06 月 24 日", "32015年6月24日",
	} {
		checkShapes(t, s)
	}
}

// TestDateShapesOnCorpus compares scanners and regexps on every short line
// of a sample of the corpus pages.
func TestDateShapesOnCorpus(t *testing.T) {
	pages := corpusSample(t, 8)
	for _, p := range pages {
		root, err := html.Parse(bytes.NewReader(p.html))
		if err != nil {
			t.Fatal(err)
		}
		lines := readLines(indexPage(goquery.NewDocumentFromNode(root)).bodies, nil)
		for _, l := range lines.lines {
			if hasYear(l.text) {
				checkShapes(t, l.text)
			}
		}
	}
}

func FuzzDateShapes(f *testing.F) {
	for _, s := range []string{"Published : June 24, 2015 - 09:40", "2015.06.24", "24. Juni 2015", "2015年6月24日", "24/06/2015", "1st of May 2015"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 {
			return
		}
		checkShapes(t, s)
	})
}

func TestFoldRESpace(t *testing.T) {
	re := regexp.MustCompile(`\s+`)
	for _, s := range []string{"", " ", "a", "a b", "  a\t\n b  ", "By\u00a0 John\r\nSmith", "x\fy\vz", "naïve  text "} {
		if got, want := foldRESpace(s), re.ReplaceAllString(s, " "); got != want {
			t.Errorf("foldRESpace(%q) = %q, want %q", s, got, want)
		}
	}
}

// corpusYearLines are the short lines with a year of a sample of the corpus.
func corpusYearLines(tb testing.TB) []string {
	var out []string
	for _, p := range corpusSample(tb, 8) {
		root, err := html.Parse(bytes.NewReader(p.html))
		if err != nil {
			tb.Fatal(err)
		}
		for _, l := range readLines(indexPage(goquery.NewDocumentFromNode(root)).bodies, nil).lines {
			if hasYear(l.text) {
				out = append(out, l.text)
			}
		}
	}
	return out
}

func BenchmarkDateShapes(b *testing.B) {
	lines := corpusYearLines(b)
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			for _, l := range lines {
				for _, m := range shapeMatchers {
					scanShape(l, m, 4, func(dateHit) bool { return true })
				}
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			for _, l := range lines {
				for k := range refShapes() {
					refHits(l, k)
				}
			}
		}
	})
}

func TestSkipHints(t *testing.T) {
	for _, c := range []struct {
		v    string
		want int
	}{
		{"", 0},
		{"related-posts", hintSkip},
		{"commentList", hintSkip},
		{"layoutWithSidebar", hintAside},
		{"COMMENTS", hintSkip},
		{"post-body content", 0},
		{"recommendationsrecommendations", 0},
		{"KOMMENTARE widget", hintSkip | hintAside},
		{"disqus_thread reply", hintSkip},
		{"Ωmega footer", hintAside},
	} {
		if got := skipHints(c.v); got != c.want {
			t.Errorf("skipHints(%q) = %b, want %b", c.v, got, c.want)
		}
	}
}
