package feed

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"herald/internal/charset"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF} // skipped by the feed-type sniff and the JSON reader
	bomUTF32BE = []byte{0x00, 0x00, 0xFE, 0xFF}
	bomUTF32LE = []byte{0xFF, 0xFE, 0x00, 0x00}
)

// sniffUnicode recognises the Unicode encodings that announce themselves: by
// a byte order mark, or by the zero bytes around the "<" that opens the
// document (XML 1.0 appendix F). It returns the encoding, its name and the
// length of the mark to skip. XML, unlike HTML, knows UTF-32, so its marks
// are looked for before the UTF-16 one they begin with.
func sniffUnicode(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, bomUTF32LE):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 4
	case bytes.HasPrefix(b, bomUTF32BE):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 4
	}
	if enc, name, n := charset.BOM(b); enc != nil {
		return enc, name, n
	}
	if len(b) < 4 {
		return nil, "", 0
	}
	switch {
	case b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0:
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 0
	case b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 0
	case b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 0
	case b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 0
	}
	return nil, "", 0
}

// httpCharset returns the charset parameter of a Content-Type, when the media
// type is one whose charset applies to an XML document: an XML type or any
// text/* (RFC 7303, as Universal Feed Parser reads it).
func httpCharset(contentType string) string {
	mt, cs := charset.ContentType(contentType)
	xmlish := strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+xml") ||
		mt == "application/xml" || mt == "application/xml-dtd" || mt == "application/xml-external-parsed-entity"
	if !xmlish {
		return ""
	}
	return cs
}

var prologEncoding = regexp.MustCompile(`^\s*<\?[^>]*?encoding\s*=\s*["']?([A-Za-z0-9._:()\-]+)`)

// declaredEncoding returns the encoding= of the XML declaration, if the
// document starts with one (or with a broken variant such as "<?phpxml").
func declaredEncoding(b []byte) string {
	head := b[:min(len(b), 512)]
	if !bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("<?")) {
		return ""
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return ""
	}
	m := prologEncoding.FindSubmatch(head[:end])
	if m == nil {
		return ""
	}
	return string(m[1])
}

// decodeXML converts an XML document's bytes to UTF-8. The order of
// authority is: a byte order mark or the UTF-16/32 byte pattern, the HTTP
// charset, the XML declaration, valid UTF-8, and finally windows-1252. A
// declared charset that the bytes do not fit is passed over with a warning.
// The returned bytes may still carry the declaration's encoding=; the caller
// removes the declaration.
func decodeXML(b []byte, contentType string) (out []byte, name string, warnings []string) {
	if enc, name, n := sniffUnicode(b); enc != nil {
		return charset.Decode(enc, b[n:]), name, nil
	}

	type candidate struct{ label, from string }
	var cands []candidate
	if cs := httpCharset(contentType); cs != "" {
		cands = append(cands, candidate{cs, "HTTP Content-Type"})
	}
	if cs := declaredEncoding(b); cs != "" {
		cands = append(cands, candidate{cs, "XML declaration"})
	}
	for _, c := range cands {
		enc, name := charset.Lookup(c.label)
		if enc == nil {
			warnings = append(warnings, fmt.Sprintf("unknown charset %q in %s; ignored", c.label, c.from))
			continue
		}
		if isSingleByte(name) && looksUTF8(b) {
			// Bytes that are valid, non-ASCII UTF-8 are almost never
			// legacy single-byte text: the label is a server default.
			warnings = append(warnings, fmt.Sprintf("%s says %s but the bytes are UTF-8; decoded as UTF-8", c.from, c.label))
			return b, "utf-8", warnings
		}
		out, bad := decodeCounting(enc, name, b)
		if acceptable(bad, out) {
			if bad > 0 {
				warnings = append(warnings, fmt.Sprintf("%d invalid byte sequences for %s replaced", bad, name))
			}
			return out, name, warnings
		}
		warnings = append(warnings, fmt.Sprintf("%s charset %s does not fit the bytes; ignored", c.from, c.label))
	}
	if utf8.Valid(b) {
		return b, "utf-8", warnings
	}
	if out, bad := decodeCounting(unicode.UTF8, "utf-8", b); looksUTF8(b) && acceptable(bad, out) {
		warnings = append(warnings, fmt.Sprintf("%d invalid UTF-8 sequences replaced", bad))
		return out, "utf-8", warnings
	}
	out, _ = charmap.Windows1252.NewDecoder().Bytes(b)
	if len(cands) == 0 {
		warnings = append(warnings, "no charset declared; decoded as windows-1252")
	} else {
		warnings = append(warnings, "decoded as windows-1252")
	}
	return out, "windows-1252", warnings
}

// decodeCounting decodes b and counts the byte sequences that were not valid
// in the encoding (each became U+FFFD).
func decodeCounting(enc encoding.Encoding, name string, b []byte) ([]byte, int) {
	if name == "utf-8" {
		_, bad := charset.UTF8Counts(b)
		return charset.ValidUTF8(b), bad
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return nil, len(b)
	}
	// The decoders write U+FFFD for what they cannot map; a real U+FFFD in
	// a legacy charset is impossible, so every one is a bad sequence.
	return out, bytes.Count(out, []byte("\uFFFD"))
}

// acceptable says whether a decoding with bad replaced sequences is still the
// right one: a stray byte or a character cut at the end of a truncated
// download should not send a whole feed to the wrong charset.
func acceptable(bad int, out []byte) bool {
	if bad == 0 {
		return true
	}
	nonASCII := 0
	for _, c := range out {
		if c >= 0x80 {
			nonASCII++
		}
	}
	return bad <= 3 || bad*100 <= nonASCII
}

// looksUTF8 reports whether b holds multi-byte UTF-8 sequences and few
// invalid ones. Legacy text is almost never valid multi-byte UTF-8 by
// accident, so even one good sequence among a couple of bad ones counts.
func looksUTF8(b []byte) bool {
	good, bad := charset.UTF8Counts(b)
	return good > 0 && bad <= max(good/50, 2)
}

// isSingleByte says whether a charset (by its charset.Lookup name) maps each
// byte to one character, so that any byte string decodes "cleanly".
func isSingleByte(name string) bool {
	switch name {
	case "utf-8", "utf-16be", "utf-16le", "utf-32be", "utf-32le", "shift_jis", "euc-jp",
		"iso-2022-jp", "euc-kr", "gbk", "gb18030", "big5", "replacement":
		return false
	}
	return !strings.HasPrefix(name, "utf-")
}

// validUTF8 is kept for the JSON Feed reader, which takes its bytes as UTF-8.
func validUTF8(b []byte) []byte { return charset.ValidUTF8(b) }
