package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// sanitizeXML removes the characters XML 1.0 forbids (C0 controls other than
// tab, newline and return; U+FFFE and U+FFFF), which feeds copy in from
// word processors and databases and which make a strict parser stop. b must
// be UTF-8.
func sanitizeXML(b []byte) []byte {
	if !needsSanitizing(b) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if allowedXMLRune(r) {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

func needsSanitizing(b []byte) bool {
	for i, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return true
		}
		if c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF) {
			return true
		}
	}
	return false
}

func allowedXMLRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r == 0xFFFE || r == 0xFFFF:
		return false
	}
	return true
}

// breakPoint tokenizes doc as gofeed's decoder does (non-strict) and returns
// the byte offset and line of the first syntax error, or ok=false when the
// document tokenizes to the end.
func breakPoint(doc []byte) (offset int, err *xml.SyntaxError, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	for {
		_, terr := d.Token()
		if terr == nil {
			continue
		}
		if terr == io.EOF {
			return 0, nil, false
		}
		var se *xml.SyntaxError
		if !errors.As(terr, &se) {
			se = &xml.SyntaxError{Msg: terr.Error()}
		}
		return int(d.InputOffset()), se, true
	}
}

var (
	itemStart  = regexp.MustCompile(`(?i)<(?:[a-z0-9_.-]+:)?(?:item|entry)[\s/>]`)
	itemEnd    = regexp.MustCompile(`(?i)</(?:[a-z0-9_.-]+:)?(?:item|entry)\s*>`)
	elementEnd = regexp.MustCompile(`</[^<>]+>|/>`)
	// charRef matches numeric character references, which may name
	// characters XML forbids (&#26;).
	charRef = regexp.MustCompile(`&#(?:[0-9]{1,8}|[xX][0-9a-fA-F]{1,8});`)
	// strayLT matches a "<" that cannot open markup ("a < b", "<3").
	strayLT = regexp.MustCompile(`<([^A-Za-z_:/!?\x80-\x{10FFFF}]|$)`)
)

// repairMarkup removes character references to characters XML forbids and
// escapes "<" signs that open no markup. It returns the repaired document
// and the number of repairs.
func repairMarkup(doc []byte) ([]byte, int) {
	n := 0
	doc = charRef.ReplaceAllFunc(doc, func(ref []byte) []byte {
		num := string(ref[2 : len(ref)-1])
		base := 10
		if num[0] == 'x' || num[0] == 'X' {
			num, base = num[1:], 16
		}
		v, err := strconv.ParseInt(num, base, 32)
		if err == nil && v <= 0x10FFFF && allowedXMLRune(rune(v)) {
			return ref
		}
		n++
		return nil
	})
	doc = strayLT.ReplaceAllFunc(doc, func(m []byte) []byte {
		n++
		return append([]byte("&lt;"), m[1:]...)
	})
	return doc, n
}

func hasItems(doc []byte) bool {
	return itemStart.Match(doc)
}

// cutAfterLastItem returns doc up to the end of the last complete item or
// entry that ends before limit, with the elements still open there closed,
// so that the entries before a break can be read. It reports false when no
// item ends before limit.
func cutAfterLastItem(doc []byte, limit int) ([]byte, bool) {
	return cutAfterLast(itemEnd, doc, limit)
}

// cutAfterLastElement is cutAfterLastItem for any element: it keeps the
// complete parts of an item cut short.
func cutAfterLastElement(doc []byte, limit int) ([]byte, bool) {
	return cutAfterLast(elementEnd, doc, limit)
}

func cutAfterLast(re *regexp.Regexp, doc []byte, limit int) ([]byte, bool) {
	limit = min(limit, len(doc))
	locs := re.FindAllIndex(doc[:limit], -1)
	if len(locs) == 0 {
		return nil, false
	}
	end := locs[len(locs)-1][1]
	open, ok := openElements(doc[:end])
	if !ok {
		return nil, false
	}
	out := make([]byte, 0, end+64)
	out = append(out, doc[:end]...)
	for i := len(open) - 1; i >= 0; i-- {
		out = append(out, "</"...)
		out = append(out, open[i]...)
		out = append(out, '>')
	}
	return out, true
}

// openElements returns the qualified names of the elements open at the end
// of doc, outermost first.
func openElements(doc []byte) ([]string, bool) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	var stack []string
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return stack, true
		}
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, qualified(t.Name))
		case xml.EndElement:
			name := qualified(t.Name)
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == name {
					stack = stack[:i]
					break
				}
			}
		}
	}
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
