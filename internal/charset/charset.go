// Package charset holds what feeds and HTML pages share in finding a
// document's character encoding: charset labels, the Content-Type charset
// parameter, byte order marks, and decoding to UTF-8. Which of these a
// document's bytes are trusted over is the caller's policy: XML and HTML differ.
package charset

import (
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode/utf32"
)

// aliases names the encodings of labels that neither the WHATWG nor the IANA
// registry knows but that real feeds and pages declare.
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
	"x-windows-949":   "euc-kr",
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

// Lookup finds the encoding for a charset label and its canonical lower-case
// name. WHATWG labels come first, as browsers read them: ISO-8859-1 is
// windows-1252 and TIS-620 windows-874, as publishers mean them. The IANA
// registry then adds code pages such as IBM855, and the alias table the
// labels in neither. UTF-32, which WHATWG dropped, is still known. Quotes and
// spaces around the label are ignored. An unknown label gives a nil encoding
// and an empty name.
func Lookup(label string) (encoding.Encoding, string) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return nil, ""
	}
	if alias, ok := aliases[label]; ok {
		label = alias
	}
	if enc, err := htmlindex.Get(label); err == nil {
		name, _ := htmlindex.Name(enc)
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
