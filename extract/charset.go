package extract

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"

	"herald/internal/charset"
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
	if enc, name, n := charset.BOM(b); enc != nil {
		return charset.Decode(enc, b[n:]), name
	}
	_, header := charset.ContentType(contentType)
	label := header
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
	if isWide(name) {
		// A <meta> cannot honestly declare UTF-16 or UTF-32: the bytes that
		// carry it are ASCII. Only a header can, and then the BOM usually
		// says so too.
		if label == header && !looksASCII(b) {
			return charset.Decode(enc, b), name
		}
		return utf8Fallback(b)
	}
	if hasMultibyteUTF8(b) && utf8.Valid(b) {
		return b, "utf-8"
	}
	out := charset.Decode(enc, b)
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
	good, bad := charset.UTF8Counts(b)
	if bad > good {
		return charset.Decode(charmap.Windows1252, b), "windows-1252"
	}
	return charset.ValidUTF8(b), "utf-8"
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

// lookup is charset.Lookup, except that every GBK label decodes as GB18030,
// the superset that real pages need. (Feeds keep WHATWG's GBK decoder.)
func lookup(label string) (encoding.Encoding, string) {
	enc, name := charset.Lookup(label)
	if name == "gbk" {
		return simplifiedchinese.GB18030, "gb18030"
	}
	return enc, name
}

// isWide says whether a charset spends two or four bytes on ASCII, so that
// a declaration in the document could not have been read to find it.
func isWide(name string) bool {
	return strings.HasPrefix(name, "utf-16") || strings.HasPrefix(name, "utf-32")
}

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
