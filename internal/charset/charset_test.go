package charset

import (
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		label, name string
		enc         encoding.Encoding // what the bytes must decode like; nil to skip
	}{
		{"UTF-8", "utf-8", unicode.UTF8},
		{" utf8 ", "utf-8", unicode.UTF8},
		{"ISO-8859-1", "windows-1252", charmap.Windows1252},
		{"us-ascii", "windows-1252", charmap.Windows1252},
		{"IBM855", "ibm855", charmap.CodePage855},
		{"cp866", "ibm866", charmap.CodePage866},
		{"MacCyrillic", "x-mac-cyrillic", charmap.MacintoshCyrillic},
		{"mac-cyrillic", "x-mac-cyrillic", charmap.MacintoshCyrillic},
		{"TIS-620", "windows-874", charmap.Windows874},
		{"tis620", "windows-874", charmap.Windows874},
		{"x-sjis", "shift_jis", japanese.ShiftJIS},
		{"CP932", "shift_jis", japanese.ShiftJIS},
		{"euc-kr", "euc-kr", korean.EUCKR},
		{"ks_c_5601-1987", "euc-kr", korean.EUCKR},
		{"cp949", "euc-kr", korean.EUCKR},
		{"x-windows-949", "euc-kr", korean.EUCKR},
		{"gb2312", "gbk", simplifiedchinese.GBK},
		{"cp936", "gbk", simplifiedchinese.GBK},
		{"GB18030", "gb18030", simplifiedchinese.GB18030},
		{"big-5", "big5", traditionalchinese.Big5},
		{"cp950", "big5", traditionalchinese.Big5},
		{"cp1251", "windows-1251", charmap.Windows1251},
		{"'koi8-r'", "koi8-r", charmap.KOI8R},
		{`"koi8-r"`, "koi8-r", charmap.KOI8R},
		{"ucs-2", "utf-16le", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)},
		{"utf-32", "utf-32be", utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)},
		{"UTF-32LE", "utf-32le", utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)},
		{"iso-2022-kr", "replacement", nil}, // WHATWG: decode as one U+FFFD
		{"nope", "", nil},
		{"", "", nil},
		{`""`, "", nil},
	}
	const sample = "Заголовок ข่าว 한국어 日本語 中文 Café €"
	for _, tt := range tests {
		enc, name := Lookup(tt.label)
		if name != tt.name {
			t.Errorf("Lookup(%q) = %q, want %q", tt.label, name, tt.name)
			continue
		}
		if (enc == nil) != (name == "") {
			t.Errorf("Lookup(%q): encoding %v with name %q", tt.label, enc, name)
		}
		if tt.enc == nil {
			continue
		}
		// Encode what the charset can hold, then check Lookup's encoding
		// reads it back as the reference encoding does.
		raw, err := encoding.ReplaceUnsupported(tt.enc.NewEncoder()).Bytes([]byte(sample))
		if err != nil {
			t.Fatalf("%s: encode: %v", tt.label, err)
		}
		want := Decode(tt.enc, raw)
		if got := Decode(enc, raw); string(got) != string(want) {
			t.Errorf("Lookup(%q) decodes %q, want %q", tt.label, got, want)
		}
	}
}

func TestContentType(t *testing.T) {
	tests := []struct{ header, mediaType, charset string }{
		{"", "", ""},
		{"text/html", "text/html", ""},
		{"text/html; charset=UTF-8", "text/html", "UTF-8"},
		{"Application/RSS+XML;charset=windows-1251", "application/rss+xml", "windows-1251"},
		{`text/xml; charset="windows-1251"`, "text/xml", "windows-1251"},
		{"text/xml; charset='koi8-r'", "text/xml", "'koi8-r'"}, // a valid token; Lookup drops the quotes
		// Malformed headers: the first word after charset=.
		{"text/html; charset=utf-8 foo", "text/html", "utf-8"},
		{"text/html; charset=utf-8;foo", "text/html", "utf-8"},
		{`text/html; charset="utf-8`, "text/html", "utf-8"},
		{`text/html; charset= "euc-kr" ; x`, "text/html", "euc-kr"},
		{"TEXT/HTML; charset=", "text/html", ""},
		{`text/html; charset="`, "text/html", ""},
		{"text/html; foo", "text/html", ""},
		{"; charset=gbk", "", "gbk"},
	}
	for _, tt := range tests {
		mt, cs := ContentType(tt.header)
		if mt != tt.mediaType || cs != tt.charset {
			t.Errorf("ContentType(%q) = %q, %q; want %q, %q", tt.header, mt, cs, tt.mediaType, tt.charset)
		}
	}
}

func TestBOM(t *testing.T) {
	tests := []struct {
		in   string
		name string
		n    int
		text string
	}{
		{"\xEF\xBB\xBFCaf\xC3\xA9", "utf-8", 3, "Café"},
		{"\xFE\xFF\x00C\x00\xE9", "utf-16be", 2, "Cé"},
		{"\xFF\xFEC\x00\xE9\x00", "utf-16le", 2, "Cé"},
		{"\xFF\xFE\x00\x00", "utf-16le", 2, "\x00"}, // UTF-32LE is the caller's to try first
		{"\xEF\xBB", "", 0, ""},
		{"<rss>", "", 0, ""},
		{"", "", 0, ""},
	}
	for _, tt := range tests {
		enc, name, n := BOM([]byte(tt.in))
		if name != tt.name || n != tt.n || (enc == nil) != (name == "") {
			t.Errorf("BOM(%q) = %v, %q, %d; want %q, %d", tt.in, enc, name, n, tt.name, tt.n)
			continue
		}
		if enc == nil {
			continue
		}
		if got := Decode(enc, []byte(tt.in[n:])); string(got) != tt.text {
			t.Errorf("BOM(%q) decodes %q, want %q", tt.in, got, tt.text)
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		enc  encoding.Encoding
		in   string
		want string
	}{
		{"utf-8 kept", unicode.UTF8, "Café", "Café"},
		{"utf-8 run of bad bytes is one U+FFFD", unicode.UTF8, "a\xff\xfeb", "a\uFFFDb"},
		{"utf-8 cut sequence", unicode.UTF8, "Caf\xc3", "Caf\uFFFD"},
		{"windows-1251", charmap.Windows1251, "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"},
		{"windows-1252 fills the C1 gaps", charmap.Windows1252, "\x80\x93x\x94", "€“x”"},
		{"euc-kr bad pair", korean.EUCKR, "\xc7\xd1\xff", "한\uFFFD"},
		{"utf-16le odd byte", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "a\x00b", "a\uFFFD"},
		{"utf-16be lone surrogate", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "\xd8\x00\x00a", "\uFFFDa"},
		{"utf-32be out of range", utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "\x00\x11\x00\x00\x00\x00\x00a", "\uFFFDa"},
		{"replacement", encoding.Replacement, "anything", "\uFFFD"},
		{"empty", charmap.KOI8R, "", ""},
	}
	for _, tt := range tests {
		if got := string(Decode(tt.enc, []byte(tt.in))); got != tt.want {
			t.Errorf("%s: Decode(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestValidUTF8KeepsValidInput(t *testing.T) {
	b := []byte("Grüße")
	if got := ValidUTF8(b); &got[0] != &b[0] {
		t.Error("ValidUTF8 copied valid input")
	}
}

func TestUTF8Counts(t *testing.T) {
	tests := []struct {
		in        string
		good, bad int
	}{
		{"", 0, 0},
		{"plain ascii", 0, 0},
		{"Café — 日本", 4, 0},
		{"Caf\xe9", 0, 1},
		{"\xc3\xa9\xff\xfe", 1, 2},
		{"\xe6\x97", 0, 2}, // a cut sequence counts byte by byte
		{"\xed\xa0\x80", 0, 3},
	}
	for _, tt := range tests {
		good, bad := UTF8Counts([]byte(tt.in))
		if good != tt.good || bad != tt.bad {
			t.Errorf("UTF8Counts(%q) = %d, %d; want %d, %d", tt.in, good, bad, tt.good, tt.bad)
		}
	}
}
