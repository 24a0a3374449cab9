package feed

import (
	"bytes"
	"fmt"
)

// MaxEntries is how many entries Parse keeps of one document. A feed of
// 100,000 items costs gofeed several hundred megabytes to parse; no real
// feed needs more than a few hundred, so the rest is dropped with a warning.
// Feeds list their newest entries first, so the first ones are kept.
const MaxEntries = 5000

// Bounds on one entry's fields, in bytes, so that a hostile feed (a 1 MB
// title) cannot bloat every output that shows it. Content is HTML and gets
// the largest share; an article page is bounded by max_body anyway.
const (
	maxTitle   = 2 << 10
	maxSummary = 64 << 10
	maxContent = 1 << 20
	maxByline  = 512
)

// capItems cuts an XML feed after its first max items, closing the elements
// still open there, so that gofeed never sees the rest. It returns the
// document (unchanged when it has max items or fewer, or cannot be cut
// cleanly) and how many items it had (0 when it plainly has fewer than max).
func capItems(text []byte, max int) ([]byte, int) {
	// Every item ends with "</"; counting those is much cheaper than the
	// regexp and settles the common case.
	if bytes.Count(text, []byte("</")) <= max {
		return text, 0
	}
	ends := itemEnd.FindAllIndex(text, -1)
	if len(ends) <= max {
		return text, len(ends)
	}
	cut, ok := cutAfterLast(itemEnd, text, ends[max-1][1])
	if !ok {
		return text, len(ends)
	}
	return cut, len(ends)
}

func keptWarning(kept, total int) string {
	return fmt.Sprintf("kept %d of %d entries", kept, total)
}
