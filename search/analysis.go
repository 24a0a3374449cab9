package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names of the token filters below in bleve's registry.
const (
	filterSplitCJK     = "herald_split_cjk"
	filterBigramsIndex = "herald_bigrams_index"
	filterBigramsQuery = "herald_bigrams_query"
	filterPairs        = "herald_pairs"
)

func init() {
	for name, f := range map[string]analysis.TokenFilter{
		filterSplitCJK:     splitCJK{},
		filterBigramsIndex: bigrams{unigrams: true},
		filterBigramsQuery: bigrams{},
		filterPairs:        pairs{},
	} {
		err := registry.RegisterTokenFilter(name, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
			return f, nil
		})
		if err != nil {
			panic(err)
		}
	}
}

// splitCJK splits a word that mixes CJK characters with others ("KH디지털2",
// a byline; "iPhone용"), and a run of Katakana the tokenizer keeps whole
// ("クリスマス"), into its CJK characters, one token each as the tokenizer
// gives Han, and the rest: otherwise the bigram filter never sees the
// Korean in a byline, and a Katakana word is found only whole.
type splitCJK struct{}

func (splitCJK) Filter(in analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream
	for i, tok := range in {
		if !needsSplit(tok) {
			if out != nil {
				out = append(out, tok)
			}
			continue
		}
		if out == nil {
			out = append(make(analysis.TokenStream, 0, len(in)+8), in[:i]...)
		}
		out = appendSplit(out, tok)
	}
	if out == nil {
		return in
	}
	return out
}

// needsSplit says whether tok is more than one CJK character: a word of
// mixed scripts, or a run the tokenizer kept whole (Katakana words are).
func needsSplit(tok *analysis.Token) bool {
	if tok.Type == analysis.Ideographic {
		return utf8.RuneCount(tok.Term) > 1
	}
	return hasCJK(tok.Term)
}

// appendSplit appends tok's CJK characters one a token and its other runs
// whole; every character of an ideographic token counts as CJK.
func appendSplit(out analysis.TokenStream, tok *analysis.Token) analysis.TokenStream {
	term := tok.Term
	for start := 0; start < len(term); {
		r, size := utf8.DecodeRune(term[start:])
		if isCJK(r) || tok.Type == analysis.Ideographic {
			out = append(out, &analysis.Token{
				Term: term[start : start+size], Start: tok.Start + start, End: tok.Start + start + size,
				Position: tok.Position, Type: analysis.Ideographic,
			})
			start += size
			continue
		}
		end := start + size
		for end < len(term) {
			r, size := utf8.DecodeRune(term[end:])
			if isCJK(r) {
				break
			}
			end += size
		}
		out = append(out, &analysis.Token{
			Term: term[start:end], Start: tok.Start + start, End: tok.Start + end,
			Position: tok.Position, Type: tok.Type, KeyWord: tok.KeyWord,
		})
		start = end
	}
	return out
}

func hasCJK(b []byte) bool {
	for _, r := range string(b) {
		if isCJK(r) {
			return true
		}
	}
	return false
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana)
}

// bigrams turns each run of adjacent CJK characters into its overlapping
// pairs, as bleve's cjk_bigram does, and a lone character into itself;
// other tokens pass. With unigrams (for indexing) every character of a run
// is kept too, at the position of a pair it is in, so that a query of one
// Han character finds it; positions advance exactly as without them, so
// that a query's pairs and words line up with the indexed ones in phrases
// (bleve's filter with output_unigram shifts the word after a run).
type bigrams struct{ unigrams bool }

func (f bigrams) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in)+len(in)/2)
	pos := 1
	for i := 0; i < len(in); {
		if in[i].Type != analysis.Ideographic {
			tok := in[i]
			tok.Position = pos
			out = append(out, tok)
			pos++
			i++
			continue
		}
		j := i + 1
		for j < len(in) && in[j].Type == analysis.Ideographic && in[j].Start == in[j-1].End {
			j++
		}
		out = f.appendRun(out, in[i:j], pos)
		pos += max(1, j-i-1)
		i = j
	}
	return out
}

// appendRun appends the tokens of one run of CJK characters, the first at
// position pos.
func (f bigrams) appendRun(out analysis.TokenStream, run analysis.TokenStream, pos int) analysis.TokenStream {
	if len(run) == 1 {
		tok := *run[0]
		tok.Position, tok.Type = pos, analysis.Single
		return append(out, &tok)
	}
	for k := 0; k+1 < len(run); k++ {
		a, b := run[k], run[k+1]
		if f.unigrams {
			out = append(out, &analysis.Token{Term: a.Term, Start: a.Start, End: a.End, Position: pos + k, Type: analysis.Single})
		}
		term := make([]byte, 0, len(a.Term)+len(b.Term))
		out = append(out, &analysis.Token{
			Term: append(append(term, a.Term...), b.Term...), Start: a.Start, End: b.End,
			Position: pos + k, Type: analysis.Double,
		})
	}
	if f.unigrams {
		last := run[len(run)-1]
		out = append(out, &analysis.Token{Term: last.Term, Start: last.Start, End: last.End, Position: pos + len(run) - 2, Type: analysis.Single})
	}
	return out
}

// pairs adds to a stream, after its tokens, one token for each two words
// next to each other ("central bank"), at the first one's position. A
// phrase is then matched through its pairs, terms far rarer than its words,
// instead of by reading the positions of every article that holds all its
// words: a phrase of common words read those of tens of thousands.
type pairs struct{}

func (pairs) Filter(in analysis.TokenStream) analysis.TokenStream {
	w := words(in)
	for i := 0; i+1 < len(w); i++ {
		a, b := w[i], w[i+1]
		if b.Position != a.Position+1 || len(a.Term)+len(b.Term) >= maxPairBytes {
			continue
		}
		in = append(in, &analysis.Token{
			Term: pairTerm(a.Term, b.Term), Start: a.Start, End: b.End,
			Position: a.Position, Type: analysis.Shingle,
		})
	}
	return in
}

// maxPairBytes bounds a pair's term: a "word" of thousands of digits is
// indexed, but not twice over. A phrase with a longer pair is matched by
// its words' positions instead.
const maxPairBytes = 128

func pairTerm(a, b []byte) []byte {
	t := make([]byte, 0, len(a)+1+len(b))
	return append(append(append(t, a...), ' '), b...)
}

// words are the tokens of a stream a query's words line up with: where an
// indexed run of CJK characters has a character and a pair of characters
// at one position, the pair.
func words(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in))
	for _, tok := range in {
		if n := len(out); n > 0 && out[n-1].Position == tok.Position {
			if tok.Type == analysis.Double {
				out[n-1] = tok
			}
			continue
		}
		out = append(out, tok)
	}
	return out
}

// phrasePairs are the pair terms that match a phrase of the words toks
// (a query's analysis: one token a position), in order; ok is false when
// one of them is too long to have been indexed.
func phrasePairs(toks analysis.TokenStream) (terms []string, ok bool) {
	for i := 0; i+1 < len(toks); i++ {
		a, b := toks[i].Term, toks[i+1].Term
		if len(a)+len(b) >= maxPairBytes {
			return nil, false
		}
		terms = append(terms, string(pairTerm(a, b)))
	}
	return terms, true
}
