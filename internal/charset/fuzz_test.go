package charset

import (
	"testing"
	"unicode/utf8"
)

// FuzzDecode feeds hostile labels and bytes through the whole path a caller
// takes: the Content-Type, the label lookup, the BOM and the decoder.
func FuzzDecode(f *testing.F) {
	f.Add("text/html; charset=euc-kr", []byte("\xb1\xb9\xff"))
	f.Add(`text/xml; charset="utf-16"`, []byte("\xfe\xff\x00<\xd8"))
	f.Add("text/html; charset=utf-32", []byte("\x00\x00\x00<\x00\x11"))
	f.Add("application/xml; charset='x-mac-cyrillic' junk", []byte("\x8f\xf0"))
	f.Add("text/plain; charset=iso-2022-jp", []byte("\x1b$B\x1b"))
	f.Add("text/html; charset=\"", []byte("\xef\xbb\xbfok"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		mt, label := ContentType(header)
		if !utf8.ValidString(mt) && utf8.ValidString(header) {
			t.Errorf("media type %q from valid %q is not UTF-8", mt, header)
		}
		enc, name := Lookup(label)
		if (enc == nil) != (name == "") {
			t.Fatalf("Lookup(%q) = %v, %q", label, enc, name)
		}
		if benc, _, n := BOM(body); benc != nil {
			enc, body = benc, body[n:]
		}
		if enc == nil {
			return
		}
		if out := Decode(enc, body); !utf8.Valid(out) {
			t.Errorf("Decode as %s gave invalid UTF-8", name)
		}
		good, bad := UTF8Counts(body)
		if good < 0 || bad < 0 || good+bad > len(body) {
			t.Errorf("UTF8Counts = %d, %d for %d bytes", good, bad, len(body))
		}
	})
}
