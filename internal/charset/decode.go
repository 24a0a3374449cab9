package charset

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16BE = []byte{0xFE, 0xFF}
	bomUTF16LE = []byte{0xFF, 0xFE}
)

// BOM recognises the byte order marks of UTF-8 and UTF-16 at the start of b,
// the ones browsers honour. It returns the encoding, its name and the length
// of the mark to skip, or a nil encoding. UTF-32 marks are the caller's to
// look for first where it accepts UTF-32, since FF FE 00 00 also starts
// UTF-16LE.
func BOM(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		return unicode.UTF8, "utf-8", len(bomUTF8)
	case bytes.HasPrefix(b, bomUTF16BE):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", len(bomUTF16BE)
	case bytes.HasPrefix(b, bomUTF16LE):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", len(bomUTF16LE)
	}
	return nil, "", 0
}

// Decode converts b from enc to UTF-8. What cannot be decoded becomes
// U+FFFD, so the result is always valid UTF-8; UTF-8 input is only repaired,
// a run of bad bytes giving one U+FFFD.
func Decode(enc encoding.Encoding, b []byte) []byte {
	if enc == unicode.UTF8 {
		return ValidUTF8(b)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		// The x/text decoders replace bad input rather than fail; an error
		// means a broken decoder, so keep what the bytes say as UTF-8.
		return ValidUTF8(b)
	}
	return ValidUTF8(out)
}

// ValidUTF8 returns b, or a copy with each run of invalid bytes replaced by
// U+FFFD when b is not valid UTF-8.
func ValidUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

// UTF8Counts counts the valid multi-byte UTF-8 sequences and the invalid
// bytes of b. Legacy text is almost never valid multi-byte UTF-8 by accident,
// so the two counts weigh whether bytes are UTF-8 at all.
func UTF8Counts(b []byte) (good, bad int) {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			good++
		}
		b = b[n:]
	}
	return good, bad
}
