package config

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The YAML parser names the line where the construct it was reading began
// (the list or mapping), not the line that broke it, and says what went
// wrong in the words of its grammar. syntaxLine and plainSyntax turn that
// into the line to look at and a sentence a user can act on.

// syntaxLine finds the line that breaks the document: the first line whose
// addition makes a prefix of the document fail with the same message as
// the whole. The parse of a prefix that ends before the broken line
// succeeds, or fails for another reason (an unclosed quote), so a binary
// search over prefixes needs a handful of parses even for a long file.
func syntaxLine(data []byte, msg string) int {
	ends := lineEnds(data)
	fails := func(n int) bool { // the first n lines fail as the whole does
		var doc yaml.Node
		err := yaml.Unmarshal(data[:ends[n-1]], &doc)
		return err != nil && problem(err.Error()) == msg
	}
	lo, hi := 0, len(ends) // invariant: lo lines do not fail as the whole, hi lines do
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// lineEnds gives, for each line, the offset just past its end.
func lineEnds(data []byte) []int {
	var ends []int
	for off := 0; off < len(data); {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			ends = append(ends, len(data))
			break
		}
		off += i + 1
		ends = append(ends, off)
	}
	if len(ends) == 0 {
		ends = []int{0}
	}
	return ends
}

// problem strips a parser error to its message.
func problem(s string) string {
	if m := yamlLineRE.FindStringSubmatch(s); m != nil {
		return m[2]
	}
	return strings.TrimPrefix(s, "yaml: ")
}

// plainSyntax says what the parser's message means for the given line.
func plainSyntax(msg, line string) string {
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
	if strings.Contains(indent, "\t") {
		return "a tab indents this line; YAML allows only spaces for indentation"
	}
	switch msg {
	case "did not find expected key":
		return "this line's indentation does not match the keys above it (or a value needs quotes)"
	case "did not find expected '-' indicator":
		return "this line's indentation does not match the list items above it"
	case "mapping values are not allowed in this context":
		return "a \"key:\" where none can start: indent the line as the keys above it, or quote the value"
	case "could not find expected ':'":
		return "this line is neither \"key: value\" nor a list item (is a ':' missing?)"
	case "found character that cannot start any token":
		return "a value starts with a character YAML reserves (such as @, ` or %); put the value in quotes"
	case "did not find expected ',' or ']'":
		return "a [ list on this line is never closed with ]"
	case "did not find expected ',' or '}'":
		return "a { mapping on this line is never closed with }"
	case "did not find expected node content":
		return "a value is missing here (is a [ or { left open?)"
	case "found unexpected end of stream":
		return "a quoted value opened on this line is never closed"
	}
	return msg
}
