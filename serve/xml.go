package serve

import (
	"bufio"
	"time"
	"unicode/utf8"
)

// xmlWriter writes the XML formats by hand: the documents are small and
// fixed in shape, and writing them directly lets every string pass through
// one place that makes it well-formed.
type xmlWriter struct {
	w   *bufio.Writer
	err error // the first write error; later writes are skipped
}

func (x *xmlWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// text writes s as character data or attribute value: escaped, with
// invalid UTF-8 replaced and the characters XML 1.0 forbids dropped.
func (x *xmlWriter) text(s string) {
	if x.err != nil {
		return
	}
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		esc := ""
		switch {
		case r == utf8.RuneError && size == 1:
			esc = "\uFFFD"
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '"':
			esc = "&quot;"
		case r == '\'':
			esc = "&#39;"
		case r == '\r':
			// A literal CR would be normalised away by the parser.
			esc = "&#xD;"
		case !xmlChar(r):
			esc = "" // dropped
		default:
			i += size
			continue
		}
		x.raw(s[start:i])
		x.raw(esc)
		i += size
		start = i
	}
	x.raw(s[start:])
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// elem writes <name>text</name>.
func (x *xmlWriter) elem(name, s string) {
	x.raw("<" + name + ">")
	x.text(s)
	x.raw("</" + name + ">")
}

// attr writes ` name="value"`.
func (x *xmlWriter) attr(name, value string) {
	x.raw(" " + name + `="`)
	x.text(value)
	x.raw(`"`)
}

func (x *xmlWriter) flush() error {
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}

// rfc3339 formats t for Atom and JSON Feed.
func rfc3339(t time.Time) string { return t.Format(time.RFC3339) }
