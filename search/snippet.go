package search

import (
	"slices"
	"strings"
	"unicode"
)

// Snippet is a short piece of an article's text around where a query's
// words are, with the matches marked.
type Snippet struct {
	Text string
	// Marks are the byte ranges [start, end) of Text that matched, in
	// order, not overlapping.
	Marks [][2]int
}

// Bracketed writes the snippet with each match between open and close.
func (s Snippet) Bracketed(open, close string) string {
	var b strings.Builder
	last := 0
	for _, m := range s.Marks {
		b.WriteString(s.Text[last:m[0]])
		b.WriteString(open + s.Text[m[0]:m[1]] + close)
		last = m[1]
	}
	b.WriteString(s.Text[last:])
	return b.String()
}

// MakeSnippet cuts from text the window of about width runes that holds
// the most of words (matched without regard to case, a phrase with any
// white space between its words), and marks every match in it. With no
// match, it is the text's start.
func MakeSnippet(text string, words []string, width int) Snippet {
	runes := []rune(strings.Join(strings.Fields(text), " "))
	folded := make([]rune, len(runes))
	for i, r := range runes {
		folded[i] = unicode.ToLower(r)
	}
	var matches []match
	for w, word := range words {
		pat := []rune(strings.Join(strings.Fields(word), " "))
		for i, r := range pat {
			pat[i] = unicode.ToLower(r)
		}
		if len(pat) == 0 {
			continue
		}
		for i := 0; i+len(pat) <= len(folded); i++ {
			if equalRunes(folded[i:i+len(pat)], pat) {
				matches = append(matches, match{i, i + len(pat), w})
				i += len(pat) - 1
			}
		}
	}
	slices.SortFunc(matches, func(a, b match) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	// The best window starts a little before the match that begins the
	// run with the most distinct words.
	start, best := 0, 0
	for i, m := range matches {
		distinct := map[int]bool{}
		for _, n := range matches[i:] {
			if n.start-m.start >= width*3/4 {
				break
			}
			distinct[n.word] = true
		}
		if len(distinct) > best {
			best, start = len(distinct), max(0, m.start-width/4)
		}
	}
	end := min(len(runes), start+width)
	start = wordStart(runes, start)
	var s Snippet
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	last := start
	for _, m := range matches {
		if m.start < last || m.end > end {
			continue
		}
		b.WriteString(string(runes[last:m.start]))
		at := b.Len()
		b.WriteString(string(runes[m.start:m.end]))
		s.Marks = append(s.Marks, [2]int{at, b.Len()})
		last = m.end
	}
	b.WriteString(string(runes[last:end]))
	if end < len(runes) {
		b.WriteString("…")
	}
	s.Text = b.String()
	return s
}

// match is where word number word of a query is in a text, in runes.
type match struct{ start, end, word int }

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wordStart moves i back to the start of the word it is in, a few runes at
// most.
func wordStart(r []rune, i int) int {
	for j := 0; j < 12 && i > 0 && !unicode.IsSpace(r[i-1]); j++ {
		i--
	}
	return i
}
