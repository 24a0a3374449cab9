package extract

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// prescanLen is how far a <meta charset> is looked for first, as browsers do.
// A declaration further in is still honoured, but only after the bytes have
// failed to be valid UTF-8 (the sniff).
const (
	prescanLen = 1024
	lateScan   = 64 << 10
)

// The declaration patterns are compiled on first use, not at init: a process
// that reads one page should pay only for what it runs.
var (
	metaCharsetRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.()+-]+)`)
	})
	xmlDeclRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^\s*<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_:.()+-]+)`)
	})
)

// decode returns the page as UTF-8 and the name of the charset it was read
// as. The order is the one browsers use (BOM, Content-Type, an early <meta>),
// except that a declaration the bytes contradict loses: pages are often saved
// or served as UTF-8 under a stale legacy label, and the reverse happens too.
func decode(b []byte, contentType string) ([]byte, string) {
	if enc, name, n := bomEncoding(b); enc != nil {
		return convert(enc, b[n:]), name
	}
	label := contentTypeCharset(contentType)
	if label == "" {
		label = metaCharset(b[:min(len(b), prescanLen)])
	}
	if label == "" {
		if utf8.Valid(b) {
			return b, "utf-8"
		}
		label = metaCharset(b[:min(len(b), lateScan)])
	}
	enc, name := lookup(label)
	if enc == nil {
		return utf8Fallback(b)
	}
	if name == "utf-8" {
		return utf8Fallback(b)
	}
	if isUTF16(name) {
		// A <meta> cannot honestly declare UTF-16: the bytes that carry it are
		// ASCII. Only a header can, and then the BOM usually says so too.
		if label == contentTypeCharset(contentType) && !looksASCII(b) {
			return convert(enc, b), name
		}
		return utf8Fallback(b)
	}
	if hasMultibyteUTF8(b) && utf8.Valid(b) {
		return b, "utf-8"
	}
	out := convert(enc, b)
	if replacementRatio(out) > 0.02 && utf8.Valid(b) {
		return b, "utf-8"
	}
	return out, name
}

// utf8Fallback reads b as UTF-8, unless it is mostly not UTF-8 at all, in
// which case it is taken as windows-1252 (what browsers assume for Western
// pages with no or a wrong declaration).
func utf8Fallback(b []byte) ([]byte, string) {
	if utf8.Valid(b) {
		return b, "utf-8"
	}
	good, bad := utf8Counts(b)
	if bad > good {
		enc, name := lookup("windows-1252")
		return convert(enc, b), name
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD")), "utf-8"
}

func bomEncoding(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return encoding.Nop, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	}
	return nil, "", 0
}

func contentTypeCharset(ct string) string {
	if ct == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// A malformed header may still carry a usable charset parameter.
		if _, after, ok := strings.Cut(strings.ToLower(ct), "charset="); ok {
			if f := strings.Fields(after); len(f) > 0 {
				return strings.Trim(f[0], `"';`)
			}
		}
		return ""
	}
	return params["charset"]
}

func metaCharset(b []byte) string {
	if m := xmlDeclRe().FindSubmatch(b); m != nil {
		return string(m[1])
	}
	if m := metaCharsetRe().FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

// lookup maps a charset label to an encoding and its canonical name: WHATWG
// labels first (what browsers accept), then IANA's registry for the rest.
// The GB family decodes as GB18030, the superset that real pages need.
func lookup(label string) (encoding.Encoding, string) {
	label = strings.ToLower(strings.TrimSpace(label))
	if label == "" {
		return nil, ""
	}
	switch label {
	case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "csgb2312", "gb_2312-80", "ms936", "windows-936":
		return simplifiedchinese.GB18030, "gb18030"
	case "cp949", "uhc", "x-windows-949", "ms949":
		label = "euc-kr"
	case "x-sjis", "ms932", "cp932", "sjis", "shift-jis":
		label = "shift_jis"
	}
	if enc, err := htmlindex.Get(label); err == nil {
		name, _ := htmlindex.Name(enc)
		return enc, name
	}
	if enc, err := ianaindex.IANA.Encoding(label); err == nil && enc != nil {
		name, _ := ianaindex.IANA.Name(enc)
		return enc, strings.ToLower(name)
	}
	return nil, ""
}

func convert(enc encoding.Encoding, b []byte) []byte {
	if enc == encoding.Nop {
		return bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		// x/text decoders replace bad input rather than fail; an error here
		// means a broken decoder state, so keep what the bytes say as UTF-8.
		return bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return bytes.ToValidUTF8(out, []byte("\uFFFD"))
}

func isUTF16(name string) bool { return strings.HasPrefix(name, "utf-16") }

func looksASCII(b []byte) bool {
	n := min(len(b), 512)
	for _, c := range b[:n] {
		if c == 0 {
			return false
		}
	}
	return true
}

// hasMultibyteUTF8 reports whether b holds at least one multi-byte UTF-8
// sequence: pure ASCII is valid UTF-8 but says nothing about the charset.
func hasMultibyteUTF8(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// utf8Counts counts the valid multi-byte sequences and the invalid bytes of b.
func utf8Counts(b []byte) (good, bad int) {
	for len(b) > 0 {
		if b[0] < 0x80 {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			bad++
			b = b[1:]
			continue
		}
		good++
		b = b[n:]
	}
	return good, bad
}

func replacementRatio(b []byte) float64 {
	var nonASCII, repl int
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		if r < 0x80 {
			continue
		}
		nonASCII++
		if r == utf8.RuneError {
			repl++
		}
	}
	if nonASCII == 0 {
		return 0
	}
	return float64(repl) / float64(nonASCII)
}
