package herald

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The implementations below are NormalizeText, ContentHash and
// HashIdentifies written plainly, without the ASCII fast path: NFC, then
// letters, digits and marks folded rune by rune. Archives store
// ContentHash values, so the current functions must give exactly their
// results for every input. (Before archive version 5, marks separated
// words and there was no NFC; the upgrade rehashes.)

func refWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

func refNormalizeText(text string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFC.String(text) {
		if refWordRune(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		space = true
	}
	return b.String()
}

func refContentHash(text string) string {
	sum := sha256.Sum256([]byte(refNormalizeText(text)))
	return hex.EncodeToString(sum[:])
}

func refHashIdentifies(text string) bool {
	n := 0
	for _, r := range norm.NFC.String(text) {
		if refWordRune(r) {
			n++
			if n >= 200 {
				return true
			}
		}
	}
	return false
}

var normalizeInputs = []string{
	"",
	" ",
	"Hello, World!",
	"  leading and trailing  ",
	"ALL CAPS 123 and_under-score",
	"tabs\tand\nnew\r\nlines\x00nul\x7fdel",
	"Ünïcödé Straße ÉCOLE",
	"Σίσυφος ΟΔΥΣΣΕΥΣ",          // Greek, final sigma
	"İstanbul ıi KELVIN \u212a", // dotted I, Kelvin sign lowers to ASCII k
	"日本語のテキスト、句読点。全角１２３", // CJK and full-width digits
	"Arabic ٠١٢٣ digits, Devanagari १२३",
	"emoji 😀 between 🎉words",
	"invalid \xff\xfe bytes \xc3 cut \xe2\x82",
	"\xed\xa0\x80 surrogate half",
	"mixed\u00a0nbsp\u2003em space\u200bzero width",
	"combining e\u0301 accents",
	"a" + strings.Repeat("b", 300),
	strings.Repeat("word ", 60),
	strings.Repeat("é", 250),
	strings.Repeat("x,", 199),
	strings.Repeat("x,", 200),
	strings.Repeat("Paragraph of a news story with ordinary words in it. ", 50),
}

func TestNormalizeMatchesReference(t *testing.T) {
	for _, in := range normalizeInputs {
		if got, want := NormalizeText(in), refNormalizeText(in); got != want {
			t.Errorf("NormalizeText(%q) = %q, want %q", in, got, want)
		}
		if got, want := ContentHash(in), refContentHash(in); got != want {
			t.Errorf("ContentHash(%q) = %s, want %s", in, got, want)
		}
		if got, want := HashIdentifies(in), refHashIdentifies(in); got != want {
			t.Errorf("HashIdentifies(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestContentHashStable pins hashes that archives already hold.
func TestContentHashStable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"Hello, World!", refContentHash("hello world")},
		{"Ünïcödé Straße", refContentHash("ünïcödé straße")},
	}
	for _, tt := range tests {
		if got := ContentHash(tt.in); got != tt.want {
			t.Errorf("ContentHash(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzNormalizeMatchesReference(f *testing.F) {
	for _, in := range normalizeInputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := NormalizeText(in), refNormalizeText(in); got != want {
			t.Fatalf("NormalizeText(%q) = %q, want %q", in, got, want)
		}
		if got, want := ContentHash(in), refContentHash(in); got != want {
			t.Fatalf("ContentHash(%q) = %s, want %s", in, got, want)
		}
		if got, want := HashIdentifies(in), refHashIdentifies(in); got != want {
			t.Fatalf("HashIdentifies(%q) = %v, want %v", in, got, want)
		}
	})
}

func BenchmarkContentHash(b *testing.B) {
	text := strings.Repeat("Paragraph of a news story with ordinary words in it. ", 60)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		ContentHash(text)
	}
}

// BenchmarkContentHashReference is the implementation before the ASCII
// fast path, for comparison.
func BenchmarkContentHashReference(b *testing.B) {
	text := strings.Repeat("Paragraph of a news story with ordinary words in it. ", 60)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		refContentHash(text)
	}
}
