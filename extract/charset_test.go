package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const (
		ko = "한국어 기사 본문입니다. 국방부는 수요일 밝혔다."
		ja = "日本語の記事です。防衛省は水曜日に発表した。"
		zh = "中文新闻正文。国防部周三表示。"
		tw = "繁體中文新聞正文。國防部週三表示。"
		ru = "Русский текст статьи. Министерство обороны сообщило в среду."
		fr = "Café, déjà vu, « naïve » façade — œuvre à 5 €."
	)
	page := func(meta, body string) string {
		return "<html><head>" + meta + "<title>t</title></head><body><p>" + body + "</p></body></html>"
	}
	tests := []struct {
		name        string
		bytes       []byte
		contentType string
		want        string // text that must come out
		charset     string
	}{
		{"utf-8 undeclared", []byte(page("", ko)), "", ko, "utf-8"},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, page("", ja)...), "text/html; charset=iso-8859-1", ja, "utf-8"},
		{"euc-kr meta", encode(t, korean.EUCKR, page(`<meta charset="euc-kr">`, ko)), "", ko, "euc-kr"},
		{"cp949 label", encode(t, korean.EUCKR, page(`<meta http-equiv="Content-Type" content="text/html; charset=cp949">`, ko)), "", ko, "euc-kr"},
		{"shift_jis header", encode(t, japanese.ShiftJIS, page("", ja)), "text/html; charset=Shift_JIS", ja, "shift_jis"},
		{"euc-jp meta", encode(t, japanese.EUCJP, page(`<meta charset="EUC-JP">`, ja)), "", ja, "euc-jp"},
		{"iso-2022-jp meta", encode(t, japanese.ISO2022JP, page(`<meta charset="iso-2022-jp">`, ja)), "", ja, "iso-2022-jp"},
		{"gb2312 meta", encode(t, simplifiedchinese.GBK, page(`<meta charset="gb2312">`, zh)), "", zh, "gb18030"},
		{"gbk header", encode(t, simplifiedchinese.GBK, page("", zh)), "text/html;charset=GBK", zh, "gb18030"},
		{"gb18030 meta", encode(t, simplifiedchinese.GB18030, page(`<meta charset="gb18030">`, zh+"𠀀")), "", zh + "𠀀", "gb18030"},
		{"big5 meta", encode(t, traditionalchinese.Big5, page(`<meta charset="big5">`, tw)), "", tw, "big5"},
		{"windows-1251 meta", encode(t, charmap.Windows1251, page(`<meta charset="windows-1251">`, ru)), "", ru, "windows-1251"},
		{"koi8-r header", encode(t, charmap.KOI8R, page("", ru)), "text/html; charset=koi8-r", ru, "koi8-r"},
		{"windows-1252 meta", encode(t, charmap.Windows1252, page(`<meta charset="windows-1252">`, fr)), "", fr, "windows-1252"},
		{"iso-8859-1 is windows-1252", encode(t, charmap.Windows1252, page(`<meta charset="iso-8859-1">`, fr)), "", fr, "windows-1252"},
		{"undeclared latin", encode(t, charmap.Windows1252, page("", fr)), "", fr, "windows-1252"},
		{"gb2312 declared but utf-8", []byte(page(`<meta charset="gb2312">`, zh)), "", zh, "utf-8"},
		{"header says latin-1, bytes are utf-8", []byte(page("", fr)), "text/html; charset=ISO-8859-1", fr, "utf-8"},
		{"late meta after 1024 bytes", encode(t, charmap.Windows1251, "<html><head>"+strings.Repeat("<!-- filler -->", 100)+`<meta charset="windows-1251"></head><body>`+ru+"</body></html>"), "", ru, "windows-1251"},
		{"utf-16le bom", append([]byte{0xFF, 0xFE}, encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), page("", ko))...), "", ko, "utf-16le"},
		{"unknown label", []byte(page(`<meta charset="x-no-such-charset">`, ko)), "", ko, "utf-8"},
		{"ibm866 via iana", encode(t, charmap.CodePage866, page(`<meta charset="cp866">`, ru)), "", ru, "ibm866"},
		{"maccyrillic alias", encode(t, charmap.MacintoshCyrillic, page(`<meta charset="MacCyrillic">`, ru)), "", ru, "x-mac-cyrillic"},
		{"any gbk label is gb18030", encode(t, simplifiedchinese.GB18030, page(`<meta charset="chinese">`, zh+"𠀀")), "", zh + "𠀀", "gb18030"},
		{"header charset in single quotes", encode(t, charmap.Windows1251, page("", ru)), "text/html; charset='windows-1251'", ru, "windows-1251"},
		{"malformed header", encode(t, charmap.KOI8R, page("", ru)), "text/html; charset=koi8-r junk", ru, "koi8-r"},
		{"utf-32 meta is not believed", []byte(page(`<meta charset="utf-32">`, ko)), "", ko, "utf-8"},
		{"utf-32 header", encode(t, utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), page("", ko)), "text/html; charset=utf-32le", ko, "utf-32le"},
		{"utf-16 header without bom", encode(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), page("", ja)), "text/html; charset=utf-16be", ja, "utf-16be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, cs := decode(tt.bytes, tt.contentType)
			if !utf8.Valid(out) {
				t.Fatal("output is not UTF-8")
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("decoded text lacks %q: %.200q", tt.want, out)
			}
			if cs != tt.charset {
				t.Errorf("charset = %q, want %q", cs, tt.charset)
			}
		})
	}
}

func TestDecodeInvalidUTF8(t *testing.T) {
	// Declared UTF-8 with a few broken bytes: stays UTF-8, bad bytes replaced.
	b := []byte("<meta charset=utf-8><p>Grüße aus Köln \xff und mehr</p>")
	out, cs := decode(b, "")
	if cs != "utf-8" || !strings.Contains(string(out), "Grüße aus Köln \uFFFD und") {
		t.Errorf("got %q as %s", out, cs)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("<meta charset=euc-kr>\xb1\xb9"), "")
	f.Add([]byte("\xfe\xff\x00<"), "text/html; charset=utf-16")
	f.Add([]byte("<?xml version='1.0' encoding='shift_jis'?>\x82"), "")
	f.Add([]byte("plain"), "text/html; charset=\"")
	f.Fuzz(func(t *testing.T, b []byte, contentType string) {
		out, cs := decode(b, contentType)
		if !utf8.Valid(out) {
			t.Errorf("decode gave invalid UTF-8 (charset %s)", cs)
		}
		if cs == "" {
			t.Error("no charset name")
		}
	})
}
