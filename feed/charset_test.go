package feed

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
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

	"herald/internal/charset"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestDecodeXML(t *testing.T) {
	const title = "Заголовок"
	doc := func(decl string) string {
		return decl + `<rss version="2.0"><channel><title>` + title + `</title></channel></rss>`
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		charset     string // the encoding decodeXML should choose
		text        string // must appear in the output
		warning     string // a substring of a warning, if one is expected
	}{
		{"utf-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, doc(`<?xml version="1.0"?>`)...), "", "utf-8", title, ""},
		{"utf-16le BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), doc(`<?xml version="1.0" encoding="utf-16"?>`)), "", "utf-16le", title, ""},
		{"utf-16be BOM", encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), doc(`<?xml version="1.0"?>`)), "text/xml; charset=iso-8859-1", "utf-16be", title, ""},
		{"utf-16le no BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), doc(`<?xml version="1.0" encoding="utf-16"?>`)), "", "utf-16le", title, ""},
		{"utf-16be no BOM", encode(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), doc(`<?xml version="1.0"?>`)), "", "utf-16be", title, ""},
		{"utf-32le BOM", encode(t, utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), doc(`<?xml version="1.0"?>`)), "", "utf-32le", title, ""},
		{"utf-32be no BOM", encode(t, utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), doc(`<?xml version="1.0"?>`)), "", "utf-32be", title, ""},
		{"prolog koi8-r", encode(t, charmap.KOI8R, doc(`<?xml version="1.0" encoding="koi8-r"?>`)), "", "koi8-r", title, ""},
		{"header beats prolog", encode(t, charmap.Windows1251, doc(`<?xml version="1.0" encoding="koi8-r"?>`)), "application/rss+xml; charset=windows-1251", "windows-1251", title, ""},
		{"text/html charset applies", encode(t, charmap.Windows1251, doc(`<?xml version="1.0"?>`)), "text/html; charset=windows-1251", "windows-1251", title, ""},
		{"non-xml type charset ignored", encode(t, charmap.KOI8R, doc(`<?xml version="1.0" encoding="koi8-r"?>`)), "application/octet-stream; charset=windows-1251", "koi8-r", title, ""},
		{"IBM855 via IANA", encode(t, charmap.CodePage855, doc(`<?xml version="1.0" encoding="IBM855"?>`)), "", "ibm855", title, ""},
		{"MacCyrillic alias", encode(t, charmap.MacintoshCyrillic, doc(`<?xml version="1.0" encoding="MacCyrillic"?>`)), "", "x-mac-cyrillic", title, ""},
		{"IBM866", encode(t, charmap.CodePage866, doc(`<?xml version="1.0" encoding="IBM866"?>`)), "", "ibm866", title, ""},
		{"TIS-620 is windows-874", encode(t, charmap.Windows874, `<?xml version="1.0" encoding="TIS-620"?><rss><channel><title>ข่าว “ใหม่”</title></channel></rss>`), "", "windows-874", "ข่าว “ใหม่”", ""},
		{"EUC-KR", encode(t, korean.EUCKR, `<?xml version="1.0" encoding="euc-kr"?><rss><title>한국어 뉴스</title></rss>`), "", "euc-kr", "한국어 뉴스", ""},
		{"x-windows-949 label", encode(t, korean.EUCKR, `<?xml version="1.0" encoding="x-windows-949"?><rss><title>똠방각하</title></rss>`), "", "euc-kr", "똠방각하", ""},
		{"malformed header charset", encode(t, charmap.Windows1251, doc(``)), "text/xml; charset=windows-1251 junk", "windows-1251", title, ""},
		{"CP949 label", encode(t, korean.EUCKR, `<?xml version="1.0" encoding="cp949"?><rss><title>똠방각하</title></rss>`), "", "euc-kr", "똠방각하", ""},
		{"Shift_JIS", encode(t, japanese.ShiftJIS, `<?xml version="1.0" encoding="Shift_JIS"?><rss><title>日本語のニュース</title></rss>`), "", "shift_jis", "日本語のニュース", ""},
		{"EUC-JP", encode(t, japanese.EUCJP, `<?xml version="1.0" encoding="EUC-JP"?><rss><title>日本語のニュース</title></rss>`), "", "euc-jp", "日本語のニュース", ""},
		{"GB2312 is GBK", encode(t, simplifiedchinese.GBK, `<?xml version="1.0" encoding="gb2312"?><rss><title>中文新闻</title></rss>`), "", "gbk", "中文新闻", ""},
		{"GB18030", encode(t, simplifiedchinese.GB18030, `<?xml version="1.0" encoding="GB18030"?><rss><title>中文新闻</title></rss>`), "", "gb18030", "中文新闻", ""},
		{"Big5", encode(t, traditionalchinese.Big5, `<?xml version="1.0" encoding="big5"?><rss><title>中文新聞</title></rss>`), "", "big5", "中文新聞", ""},
		{"ISO-8859-2", encode(t, charmap.ISO8859_2, `<?xml version="1.0" encoding="iso-8859-2"?><rss><title>Árvíztűrő</title></rss>`), "", "iso-8859-2", "Árvíztűrő", ""},
		{"bogus label falls through to UTF-8", []byte(doc(`<?xml version="1.0" encoding="x-no-such"?>`)), "", "utf-8", title, `unknown charset "x-no-such"`},
		{"bogus header label, prolog used", encode(t, charmap.KOI8R, doc(`<?xml version="1.0" encoding="koi8-r"?>`)), "text/xml; charset=bogus", "koi8-r", title, `unknown charset "bogus"`},
		{"undeclared legacy bytes", encode(t, charmap.Windows1252, `<rss><title>Café “quoted”</title></rss>`), "", "windows-1252", "Café “quoted”", "no charset declared; decoded as windows-1252"},
		{"declared latin-1 but UTF-8 bytes", []byte(`<?xml version="1.0" encoding="iso-8859-1"?><rss><title>Café</title></rss>`), "", "utf-8", "Café", "bytes are UTF-8"},
		{"declared UTF-8 but legacy bytes", encode(t, charmap.Windows1251, doc(`<?xml version="1.0" encoding="utf-8"?>`)), "", "windows-1252", "", "does not fit"},
		{"UTF-8 with one stray byte", []byte("<rss><title>Caf\xc3\xa9 \xff ok</title></rss>"), "", "utf-8", "Café \uFFFD ok", "invalid UTF-8"},
		{"header charset quoted", encode(t, charmap.Windows1251, doc(``)), `text/xml; charset="windows-1251"`, "windows-1251", title, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, name, warnings := decodeXML(tt.body, tt.contentType)
			if name != tt.charset {
				t.Errorf("charset %q, want %q (warnings %q)", name, tt.charset, warnings)
			}
			if !utf8.Valid(out) {
				t.Errorf("output is not UTF-8")
			}
			if !bytes.Contains(out, []byte(tt.text)) {
				t.Errorf("output %q lacks %q", out, tt.text)
			}
			got := strings.Join(warnings, "\n")
			if tt.warning == "" && got != "" || !strings.Contains(got, tt.warning) {
				t.Errorf("warnings %q, want %q", warnings, tt.warning)
			}
		})
	}
}

var (
	headerLine = regexp.MustCompile(`(?m)^\s*Header:\s*Content-type:\s*(.*)$`)
	expectLine = regexp.MustCompile(`(?m)^\s*Expect:\s*(.*)$`)
	expectEnc  = regexp.MustCompile(`encoding == '([^']+)'`)
)

// TestFeedparserHeaders serves each feedparser encoding case with the
// Content-Type its Header: line gives and checks the charset chosen.
// feedparser follows RFC 3023 in taking a text/* type without charset as
// US-ASCII; Herald reads the declaration instead, as browsers do, so those
// cases are skipped.
func TestFeedparserHeaders(t *testing.T) {
	needCorpus(t)
	files, _ := filepath.Glob(filepath.Join(corpusDir, "feedparser/encoding/*.xml"))
	checked := 0
	for _, path := range files {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		hm := headerLine.FindSubmatch(body)
		em := expectLine.FindSubmatch(body)
		if hm == nil || em == nil {
			continue
		}
		ct, expect := strings.TrimSpace(string(hm[1])), string(em[1])
		name := filepath.Base(path)
		if strings.HasPrefix(expect, "not bozo") {
			if _, err := ParseAt(body, ct, "http://example.org/", corpusNow); err != nil {
				t.Errorf("%s (Content-Type %s): %v", name, ct, err)
			}
		}
		if m := expectEnc.FindStringSubmatch(expect); m != nil {
			if httpCharset(ct) == "" && strings.HasPrefix(strings.ToLower(ct), "text/") {
				continue
			}
			_, wantName := charset.Lookup(m[1])
			if wantName == "gb18030" {
				wantName = "gbk" // WHATWG decodes GBK labels with the GB18030 decoder
			}
			if _, got, _ := decodeXML(body, ct); got != wantName {
				t.Errorf("%s (Content-Type %s): charset %q, want %q (%s)", name, ct, got, wantName, m[1])
			}
			checked++
		}
		if strings.Contains(expect, `\xa3\u201ctest.\u201d`) {
			doc, err := ParseAt(body, ct, "", corpusNow)
			if err != nil || len(doc.Entries) == 0 || doc.Entries[0].Summary != "This is a £“test.”" {
				t.Errorf("%s: %v %+v", name, err, doc)
			}
			checked++
		}
	}
	t.Logf("checked %d feedparser Content-Type cases", checked)
	if checked < 25 {
		t.Errorf("only %d cases checked", checked)
	}
}

// chardetLabel maps a chardet/ folder to the charset its files are in.
func chardetLabel(folder string) string {
	for _, lang := range []string{"-bulgarian", "-russian", "-hungarian", "-greek", "-hebrew"} {
		folder = strings.TrimSuffix(folder, lang)
	}
	return folder
}

// TestChardet checks that every real legacy-charset capture decodes in its
// true charset and gives titles free of replacement characters.
func TestChardet(t *testing.T) {
	needCorpus(t)
	dirs, _ := filepath.Glob(filepath.Join(corpusDir, "chardet/*"))
	files := 0
	for _, dir := range dirs {
		_, want := charset.Lookup(chardetLabel(filepath.Base(dir)))
		paths, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
		for _, path := range paths {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files++
			name := strings.TrimPrefix(path, corpusDir+"/")
			if _, got, _ := decodeXML(body, ""); got != want {
				t.Errorf("%s: decoded as %q, want %q", name, got, want)
			}
			doc, err := ParseAt(body, "", "", corpusNow)
			if err != nil {
				t.Logf("%s: %v", name, err) // truncated copies; TestCorpusExpected judges them
				continue
			}
			bad, runes := 0, 0
			for _, e := range doc.Entries {
				bad += strings.Count(e.Title, "\uFFFD")
				runes += utf8.RuneCountInString(e.Title)
			}
			if bad > 1 && bad*100 > runes {
				t.Errorf("%s: %d of %d title characters are U+FFFD", name, bad, runes)
			}
		}
	}
	if files < 150 {
		t.Errorf("only %d chardet files found", files)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="koi8-r"?><rss/>`), "")
	f.Add([]byte{0xFF, 0xFE, '<', 0, '?', 0}, "text/xml")
	f.Add([]byte{0, 0, 0, '<'}, "")
	f.Add([]byte("<rss>\xff\xfe</rss>"), "text/html; charset=euc-kr")
	f.Add([]byte(`<?xml encoding='IBM855'?>`), `application/xml; charset="x-mac-cyrillic"`)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		out, name, _ := decodeXML(body, contentType)
		if name == "" {
			t.Errorf("no charset name")
		}
		if !utf8.Valid(out) {
			t.Errorf("output is not valid UTF-8")
		}
	})
}
