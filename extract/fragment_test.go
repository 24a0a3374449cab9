package extract

import "testing"

// The plain-text shortcut gives exactly what parsing and sanitising give.
func TestFragmentPlainTextShortcut(t *testing.T) {
	for _, s := range []string{
		"", " ", "Hello  world.\n\nSecond paragraph.", "  a teaser with ' and \" quotes ",
		"tabs\tand\nnewlines", "한국어 요약입니다.", "emoji 🎉 end", "trailing\n",
	} {
		if !plainText(s) {
			t.Errorf("%q: not taken as plain text", s)
		}
		checkShortcut(t, s)
	}
	for _, s := range []string{"a <b>c</b>", "AT&amp;T", "x\r\ny", "a\u00a0b", "a\x00b", "\xff"} {
		if plainText(s) {
			t.Errorf("%q: taken as plain text", s)
		}
	}
}

func checkShortcut(t *testing.T, s string) {
	t.Helper()
	text, h := Fragment(s, "https://example.com/")
	wantText, wantHTML := parseFragment(s, "https://example.com/")
	if text != wantText || h != wantHTML {
		t.Errorf("%q: shortcut gives (%q, %q), parsing gives (%q, %q)", s, text, h, wantText, wantHTML)
	}
}

func FuzzFragmentShortcut(f *testing.F) {
	for _, s := range []string{"plain text", "a  b\n\nc", "quote ' \" here"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if plainText(s) {
			checkShortcut(t, s)
		}
	})
}
