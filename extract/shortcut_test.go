package extract

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The hand-written shortcuts must give what the plain code they replace
// gives, on every input: these tests hold each one against its reference.

var shortcutSamples = []string{
	"", " ", "By Jane Doe", "By  Jane\tDoe ", "John Smith on", "John Smith  ON  ", "Smith ,", "Smith,",
	"Jane Doe | Updated 10:40", "Jane Doe - Aktualisiert am 3.4.", "jane@example.com", "@jane Doe",
	"Photo: AP", "Fotos: dpa", "Read also: the other story", "Lesen Sie auch： mehr", "Image/AP",
	"Posted on June 24, 2015", "by the way, what?", "\u00a0 lead \u2003 text\u200b\u00ad x\u00a0",
	"a\u3000b", "bad \xff\xfe utf-8 \xc3", "KELVIN \u212a", "poſted", "hİdden", "İmage credit",
	"Sr. Reporter Stand", "Écrit par Jean", "VERÖFFENTLICHT VON Hans",
	"Publié le 3 mai", "Publiéx", "Von Hans\nMüller", "Bylines", "by", "Posted on " + strings.Repeat("x", 75),
	"Posted on " + strings.Repeat("x", 73), "TEXT: Hans ſchmidt", "Aktualiſiert 3 Uhr",
}

func TestCutDanglingWord(t *testing.T) {
	re := bylineRE().danglingWord
	for _, s := range shortcutSamples {
		if got, want := cutDanglingWord(s), re.ReplaceAllString(s, ""); got != want {
			t.Errorf("cutDanglingWord(%q) = %q, want %q", s, got, want)
		}
	}
}

// checkPrefilters fails when a prefilter turns down a line its regexp
// matches.
func checkPrefilters(t *testing.T, s string) {
	t.Helper()
	re := bylineRE()
	for _, c := range []struct {
		name   string
		pass   bool
		re     *regexp.Regexp
		result bool
	}{
		{"readAlso", readAlsoLine(s), readAlso(), false},
		{"creditLine", creditLineMatch(s), creditLine(), false},
		{"tailLabel", tailLabelMatch(s), tailLabel(), false},
		{"updatedTail", !isASCII(s) || containsFoldAny(s, updatedWords), re.updatedTail, false},
		{"credit", !isASCII(s) || containsFoldAny(s, creditWords), re.credit, false},
		{"email", strings.IndexByte(s, '@') >= 0, re.email, false},
		{"handle", strings.IndexByte(s, '@') >= 0, re.handle, false},
	} {
		if !c.pass && c.re.MatchString(s) {
			t.Errorf("%s: %q matches but the prefilter turns it down", c.name, s)
		}
	}
	if got, want := cutDanglingWord(s), re.danglingWord.ReplaceAllString(s, ""); got != want {
		t.Errorf("cutDanglingWord(%q) = %q, want %q", s, got, want)
	}
	if got, want := headLineMatch(s), headLineRef.MatchString(s); got != want {
		t.Errorf("headLineMatch(%q) = %v, want %v", s, got, want)
	}
}

// headLineRef is the pattern headLineMatch replaces.
var headLineRef = regexp.MustCompile(`(?i)^(?:updated|last updated|published|posted|posted on|veröffentlicht|aktualisiert|stand|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|by|von|par|por|door|di|autor|author|written by|text|foto|photo|image|bild|quelle|source)\b[^.!?]{0,80}$`)

func TestPrefilters(t *testing.T) {
	for _, s := range shortcutSamples {
		checkPrefilters(t, s)
	}
}

// referenceCollapse is collapse the plain way.
func referenceCollapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad' {
			continue
		}
		if r != '\u00a0' && isSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return strings.Trim(b.String(), " \u00a0")
}

func checkFolding(t *testing.T, s string) {
	t.Helper()
	if got, want := collapse(s), referenceCollapse(s); got != want {
		t.Errorf("collapse(%q) = %q, want %q", s, got, want)
	}
	if got, want := foldMetaSpace(s), strings.Join(strings.Fields(s), " "); got != want {
		t.Errorf("foldMetaSpace(%q) = %q, want %q", s, got, want)
	}
	if got, want := skipHints(s), referenceSkipHints(s); got != want {
		t.Errorf("skipHints(%q) = %b, want %b", s, got, want)
	}
	if got, want := hasPrefixBytes([]byte(strings.ToLower(s)), "by"), strings.HasPrefix(strings.ToLower(s), "by"); got != want {
		t.Errorf("hasPrefixBytes(%q) = %v", s, got)
	}
	gotRest, gotOK := cutByLabel(s)
	wantRest, wantOK := referenceCutByLabel(s)
	if gotRest != wantRest || gotOK != wantOK {
		t.Errorf("cutByLabel(%q) = %q, %v, want %q, %v", s, gotRest, gotOK, wantRest, wantOK)
	}
}

func referenceSkipHints(v string) int {
	h := 0
	start := -1
	var prev rune
	for i, r := range v {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		hump := unicode.IsUpper(r) && unicode.IsLower(prev)
		if start >= 0 && (!word || hump) {
			h |= skipWordHints(v[start:i])
			start = -1
		}
		if word && start < 0 {
			start = i
		}
		prev = r
	}
	if start >= 0 {
		h |= skipWordHints(v[start:])
	}
	return h
}

func referenceCutByLabel(s string) (string, bool) {
	lower := strings.ToLower(s)
	for _, l := range byLabels {
		if !strings.HasPrefix(lower, l) {
			continue
		}
		rest := s[len(l):]
		if !strings.HasSuffix(l, ":") {
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

func TestFolding(t *testing.T) {
	for _, s := range append(shortcutSamples, "commentList", "relatedPosts sideBar", "x-footer_widget2", "ÜberSidebar") {
		checkFolding(t, s)
	}
}

func FuzzShortcuts(f *testing.F) {
	for _, s := range shortcutSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 300 {
			return
		}
		checkPrefilters(t, s)
		checkFolding(t, s)
	})
}
