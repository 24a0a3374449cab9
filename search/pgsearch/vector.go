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

// vector builds a tsvector's text, each term at its position and with
// its field's weight.
type vector struct {
	order []string            // lexemes, first seen first
	at    map[string][]string // lexeme -> positions with weight ("12A")
	size  int                 // bytes of text so far, roughly
}

// vectors are an article's two vectors, built field after field: its
// words, and the pairs of adjacent words at the same positions.
type vectors struct {
	words, pairs vector
	next         int // the position before the next field's first
}

// add adds text's terms with weight (A, B, C or D).
func (vs *vectors) add(text string, weight byte) {
	last := 0
	for _, t := range search.IndexTokens(text) {
		last = max(last, t.Position)
		v := &vs.words
		if t.Pair {
			v = &vs.pairs
		}
		v.add(t.Term, min(vs.next+t.Position, maxPosition), weight)
	}
	vs.next = min(vs.next+last+fieldGap, maxPosition)
}

// add adds lex at pos with weight, within PostgreSQL's limits.
func (v *vector) add(lex string, pos int, weight byte) {
	if len(lex) >= maxLexemeBytes || v.size >= maxVectorBytes {
		return
	}
	if v.at == nil {
		v.at = map[string][]string{}
	}
	ps, seen := v.at[lex]
	if !seen {
		v.order = append(v.order, lex)
		v.size += len(lex) + 4
	}
	if len(ps) >= maxPositions {
		return
	}
	p := strconv.Itoa(pos) + string(weight)
	v.at[lex] = append(ps, p)
	v.size += len(p) + 1
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

// docVectors are an article's doc and pairs columns: the short fields
// first, so that a long text's clamped positions never reach them.
func docVectors(d search.Document) (doc, pairs string) {
	var vs vectors
	vs.add(d.Title, 'A')
	vs.add(d.Byline, 'D')
	vs.add(d.Summary, 'C')
	vs.add(d.Text, 'B')
	return vs.words.String(), vs.pairs.String()
}

// siteVector is an article's site column, its site name's words (a
// site's name is short: its phrases are matched by their positions).
func siteVector(d search.Document) string {
	var vs vectors
	vs.add(d.SiteName, 'D')
	return vs.words.String()
}

// weights are ts_rank's weights of D, C, B and A: as in the bleve index, a
// word of the title counts twice one of the text, a word of the byline or
// summary half.
const weights = `'{0.25, 0.25, 0.5, 1}'`
