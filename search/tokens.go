package search

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Token is one term of analysed text and its position among the text's
// words: what an engine other than the bleve index (PostgreSQL's text
// search) stores and matches, so that every engine finds the same words,
// Korean, Chinese and Japanese ones included.
type Token struct {
	Term     string
	Position int
}

// analyzers are the index's two analysers, made on first use.
var analyzers = sync.OnceValues(func() ([2]analysis.Analyzer, error) {
	m, err := indexMapping()
	if err != nil {
		return [2]analysis.Analyzer{}, err
	}
	return [2]analysis.Analyzer{m.AnalyzerNamed(analyzerIndex), m.AnalyzerNamed(analyzerQuery)}, nil
})

// IndexTokens analyses text as the index does, without the pairs of words
// (an engine with positions matches phrases by them): words, and for each
// run of CJK characters its characters and their overlapping pairs.
func IndexTokens(text string) []Token {
	return tokens(0, text, true)
}

// QueryTokens analyses a clause's text as a query is: words and CJK pairs,
// one a position, which line up with IndexTokens' positions; none when it
// has no letters or digits.
func QueryTokens(text string) []Token {
	return tokens(1, text, false)
}

func tokens(which int, text string, dropPairs bool) []Token {
	an, err := analyzers()
	if err != nil {
		// The mapping is built from constants: an error is a bug that
		// every test meets.
		panic(err)
	}
	stream := an[which].Analyze([]byte(text))
	out := make([]Token, 0, len(stream))
	for _, t := range stream {
		if dropPairs && t.Type == analysis.Shingle {
			continue
		}
		out = append(out, Token{Term: string(t.Term), Position: t.Position})
	}
	return out
}
