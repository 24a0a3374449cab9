package search

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fields a query may name: "title:word", "feed:name" and so on. A clause
// with no field matches the title, text, summary and byline.
const (
	FieldTitle  = "title"
	FieldFeed   = "feed"
	FieldSite   = "site"
	FieldByline = "byline"
	FieldTag    = "tag"
)

var knownFields = []string{FieldTitle, FieldFeed, FieldSite, FieldByline, FieldTag}

// Limits of a query, so that one request cannot ask the index for
// unbounded work.
const (
	MaxQueryBytes = 512
	MaxClauses    = 32
)

// ErrQuery is wrapped by every error ParseQuery returns: the query, not the
// index, is at fault (a 400, exit status 2).
var ErrQuery = errors.New("bad search query")

// Query is a parsed search: every clause that is not Not must match, and
// none that is Not may.
type Query struct {
	Clauses []Clause
}

// Clause is one word or quoted phrase of a query.
type Clause struct {
	// Field is one of the Field constants, or "" for the article's text
	// fields.
	Field string
	// Text is the word, or the phrase's words, as the user wrote them.
	Text string
	// Phrase says Text was quoted.
	Phrase bool
	// Not says the clause was excluded with a leading "-".
	Not bool
}

// String writes q back in the syntax ParseQuery reads, normalised.
func (q Query) String() string {
	parts := make([]string, len(q.Clauses))
	for i, c := range q.Clauses {
		var b strings.Builder
		if c.Not {
			b.WriteByte('-')
		}
		if c.Field != "" {
			b.WriteString(c.Field + ":")
		}
		if c.Phrase {
			b.WriteString(`"` + c.Text + `"`)
		} else {
			b.WriteString(c.Text)
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, " ")
}

// Words are the texts of the clauses that must match in the article's text
// fields (no field, or title:), for showing where they matched.
func (q Query) Words() []string {
	var out []string
	for _, c := range q.Clauses {
		if !c.Not && (c.Field == "" || c.Field == FieldTitle || c.Field == FieldByline) {
			out = append(out, c.Text)
		}
	}
	return out
}

// ParseQuery reads a query: words, "quoted phrases", -exclusions and
// field:word or field:"a phrase" for the fields title, feed, site, byline and
// tag. Every error wraps ErrQuery and says what to change.
func ParseQuery(s string) (Query, error) {
	bad := func(format string, args ...any) (Query, error) {
		return Query{}, fmt.Errorf("%w: %s", ErrQuery, fmt.Sprintf(format, args...))
	}
	switch {
	case !utf8.ValidString(s):
		return bad("not UTF-8")
	case len(s) > MaxQueryBytes:
		return bad("longer than %d bytes", MaxQueryBytes)
	}
	var q Query
	rest := s
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			break
		}
		c, tail, err := parseClause(rest)
		if err != nil {
			return bad("%v", err)
		}
		q.Clauses = append(q.Clauses, c)
		rest = tail
	}
	if len(q.Clauses) == 0 {
		return bad("empty: give a word or a \"phrase\" to find")
	}
	if len(q.Clauses) > MaxClauses {
		return bad("more than %d words and phrases", MaxClauses)
	}
	for _, c := range q.Clauses {
		if !c.Not {
			return q, nil
		}
	}
	return bad("only exclusions: give a word or a \"phrase\" to find, not only -words")
}

// parseClause reads one clause from the front of s (which starts with no
// space) and returns the rest.
func parseClause(s string) (Clause, string, error) {
	var c Clause
	if strings.HasPrefix(s, "-") {
		c.Not = true
		s = s[1:]
		if s == "" || startsWithSpace(s) {
			return c, "", errors.New(`"-" stands alone: write -word to exclude a word`)
		}
	}
	if name, tail, ok := fieldPrefix(s); ok {
		if !isKnownField(name) {
			return c, "", fmt.Errorf("unknown field %q (known: %s; quote a phrase to search for a colon)", name+":", strings.Join(knownFields, ", "))
		}
		c.Field = name
		s = tail
		if s == "" || startsWithSpace(s) {
			return c, "", fmt.Errorf("%q is followed by nothing: write %s:word", name+":", name)
		}
	}
	if strings.HasPrefix(s, `"`) {
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return c, "", errors.New(`a phrase's quote is not closed: add the closing "`)
		}
		c.Phrase = true
		c.Text = strings.Join(strings.Fields(s[1:1+end]), " ")
		if c.Text == "" {
			return c, "", errors.New(`empty phrase ""`)
		}
		return c, s[2+end:], nil
	}
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		end = len(s)
	}
	c.Text = s[:end]
	if strings.Contains(c.Text, `"`) {
		return c, "", fmt.Errorf("stray quote in %q: quote whole phrases, \"like this\"", c.Text)
	}
	return c, s[end:], nil
}

// fieldPrefix splits "name:rest" when name is lower-case ASCII letters.
func fieldPrefix(s string) (name, rest string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return "", "", false
	}
	for _, r := range s[:i] {
		if r < 'a' || r > 'z' {
			return "", "", false
		}
	}
	return s[:i], s[i+1:], true
}

func isKnownField(name string) bool {
	for _, f := range knownFields {
		if f == name {
			return true
		}
	}
	return false
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}
