package pgsearch

import (
	"strconv"
	"strings"

	"herald/search"
)

// PostgreSQL's limits on a tsvector: positions above maxPosition are
// clamped to it, a lexeme keeps at most maxPositions of them, a lexeme is
// shorter than 2 KB, and a vector shorter than 1 MB. An article's terms
// past maxVectorBytes of the vector's text are left out.
const (
	maxPosition    = 16383
	maxPositions   = 256
	maxLexemeBytes = 2046
	maxVectorBytes = 900_000
)

// fieldGap separates the positions of two fields, so that a phrase never
// runs from the end of one into the start of the next.
const fieldGap = 8

// vector builds a tsvector's text, field after field, each term at its
// position and with its field's weight.
type vector struct {
	order []string            // lexemes, first seen first
	at    map[string][]string // lexeme -> positions with weight ("12A")
	size  int                 // bytes of text so far, roughly
	next  int                 // the position before the next field's first
}

// add adds text's terms with weight (A, B, C or D).
func (v *vector) add(text string, weight byte) {
	if v.at == nil {
		v.at = map[string][]string{}
	}
	last := 0
	for _, t := range search.IndexTokens(text) {
		last = t.Position
		if len(t.Term) >= maxLexemeBytes || v.size >= maxVectorBytes {
			continue
		}
		ps, seen := v.at[t.Term]
		if !seen {
			v.order = append(v.order, t.Term)
			v.size += len(t.Term) + 4
		}
		if len(ps) >= maxPositions {
			continue
		}
		p := strconv.Itoa(min(v.next+t.Position, maxPosition)) + string(weight)
		v.at[t.Term] = append(ps, p)
		v.size += len(p) + 1
	}
	v.next = min(v.next+last+fieldGap, maxPosition)
}

// String is the vector in tsvector's input syntax ('term':1A,5A 'x':9B).
func (v *vector) String() string {
	var b strings.Builder
	b.Grow(v.size)
	for i, lex := range v.order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(lex))
		b.WriteByte(':')
		b.WriteString(strings.Join(v.at[lex], ","))
	}
	return b.String()
}

// quote quotes a lexeme for tsvector and tsquery input: in single quotes,
// with quotes and backslashes doubled.
func quote(lex string) string {
	lex = strings.ReplaceAll(lex, `\`, `\\`)
	return "'" + strings.ReplaceAll(lex, "'", "''") + "'"
}

// docVector is an article's doc column: the short fields first, so that a
// long text's clamped positions never reach them.
func docVector(d search.Document) string {
	var v vector
	v.add(d.Title, weightTitle)
	v.add(d.Byline, weightByline)
	v.add(d.Summary, weightSummary)
	v.add(d.Text, weightText)
	return v.String()
}

// siteVector is an article's site column, its site name's words.
func siteVector(d search.Document) string {
	var v vector
	v.add(d.SiteName, 'D')
	return v.String()
}

// The weight of each text field in doc: title: and byline: match theirs
// alone.
const (
	weightTitle   = 'A'
	weightText    = 'B'
	weightSummary = 'C'
	weightByline  = 'D'
)

// weights are ts_rank's weights of D, C, B and A: as in the bleve index, a
// word of the title counts twice one of the text, a word of the byline or
// summary half.
const weights = `'{0.25, 0.25, 0.5, 1}'`
