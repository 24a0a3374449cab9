package feed

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// aliases names the encodings of labels that neither the WHATWG nor the IANA
// registry knows but that real feeds declare.
var aliases = map[string]string{
	"maccyrillic":     "x-mac-cyrillic",
	"mac-cyrillic":    "x-mac-cyrillic",
	"x-mac-ukrainian": "x-mac-cyrillic",
	"tis620":          "windows-874",
	"tis-620":         "windows-874",
	"iso-8859-11":     "windows-874",
	"cp949":           "euc-kr",
	"ms949":           "euc-kr",
	"uhc":             "euc-kr",
	"cp932":           "shift_jis",
	"ms932":           "shift_jis",
	"sjis":            "shift_jis",
	"x-sjis":          "shift_jis",
	"cp936":           "gbk",
	"euc-cn":          "gbk",
	"cp950":           "big5",
	"big-5":           "big5",
	"cp1251":          "windows-1251",
	"cp1252":          "windows-1252",
	"utf8":            "utf-8",
	"ucs-2":           "utf-16",
	"ucs2":            "utf-16",
}

// lookupCharset finds the encoding for a charset label: WHATWG first (what
// browsers do, and it maps ISO-8859-1 to windows-1252 and TIS-620 to
// windows-874 as publishers mean them), then the IANA registry (IBM855 and
// other code pages), then the alias table. It returns a nil encoding for an
// unknown label.
func lookupCharset(label string) (encoding.Encoding, string) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return nil, ""
	}
	if alias, ok := aliases[label]; ok {
		label = alias
	}
	if enc, name := charset.Lookup(label); enc != nil {
		return enc, name
	}
	if enc, err := ianaindex.IANA.Encoding(label); err == nil && enc != nil {
		name, err := ianaindex.IANA.Name(enc)
		if err != nil {
			name = label
		}
		return enc, strings.ToLower(name)
	}
	switch label {
	case "utf-32", "ucs-4", "utf-32be":
		return utf32.UTF32(utf32.BigEndian, utf32.UseBOM), "utf-32be"
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le"
	}
	return nil, ""
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16BE = []byte{0xFE, 0xFF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF32BE = []byte{0x00, 0x00, 0xFE, 0xFF}
	bomUTF32LE = []byte{0xFF, 0xFE, 0x00, 0x00}
)

// sniffUnicode recognises the Unicode encodings that announce themselves: by
// a byte order mark, or by the zero bytes around the "<" that opens the
// document (XML 1.0 appendix F). It returns the encoding, its name and the
// length of the mark to skip.
func sniffUnicode(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, bomUTF32LE):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 4
	case bytes.HasPrefix(b, bomUTF32BE):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 4
	case bytes.HasPrefix(b, bomUTF8):
		return unicode.UTF8, "utf-8", 3
	case bytes.HasPrefix(b, bomUTF16LE):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	case bytes.HasPrefix(b, bomUTF16BE):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
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
	if contentType == "" {
		return ""
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		// A malformed header still often carries a usable charset.
		mt, _, _ = strings.Cut(strings.ToLower(contentType), ";")
		mt = strings.TrimSpace(mt)
		params = map[string]string{}
		if _, cs, ok := strings.Cut(strings.ToLower(contentType), "charset="); ok {
			cs, _, _ = strings.Cut(cs, ";")
			params["charset"] = strings.Trim(strings.TrimSpace(cs), `"'`)
		}
	}
	xmlish := strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+xml") ||
		mt == "application/xml" || mt == "application/xml-dtd" || mt == "application/xml-external-parsed-entity"
	if !xmlish {
		return ""
	}
	return params["charset"]
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
		if name == "utf-8" {
			return validUTF8(b[n:]), name, nil
		}
		out, _ := enc.NewDecoder().Bytes(b[n:])
		return out, name, nil
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
		enc, name := lookupCharset(c.label)
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
		bad := 0
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				bad++
			}
			i += n
		}
		return validUTF8(b), bad
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
	good, bad := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			good++
		}
		i += n
	}
	return good > 0 && bad <= max(good/50, 2)
}

// isSingleByte says whether a charset (by its lookupCharset name) maps each
// byte to one character, so that any byte string decodes "cleanly".
func isSingleByte(name string) bool {
	switch name {
	case "utf-8", "utf-16be", "utf-16le", "utf-32be", "utf-32le", "shift_jis", "euc-jp",
		"iso-2022-jp", "euc-kr", "gbk", "gb18030", "big5", "replacement":
		return false
	}
	return !strings.HasPrefix(name, "utf-")
}

func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}
