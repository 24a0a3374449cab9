package herald

import (
	"strings"
	"unicode/utf8"
)

// Clip shortens s to at most max bytes, on a rune boundary, marking the cut
// with an ellipsis. The feed parser and the archive's import clip fields to
// the same limits, so that an exported and imported article is what ingest
// would have kept.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const mark = "…"
	cut := max - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + mark
}
