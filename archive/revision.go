package archive

import (
	"slices"
	"strings"

	"herald"
)

// Revisions: when the same entry (feed and key) brings a changed text, the
// article's previous title and text are kept as a revision. What the
// content hash ignores (white space, punctuation, case) is no change; nor
// is a change to the page's furniture: a text whose substantial paragraphs
// (furnitureWords words or more) are the same, in the same order, as
// before, whatever its short lines say ("Updated 5 minutes ago", "Share",
// a view count). Tracking parameters never reach the text.
const (
	// maxRevisions bounds an article's history: the oldest revision goes.
	maxRevisions   = 5
	furnitureWords = 8
)

// addRevision returns old's revisions with old itself appended as the
// newest, at most maxRevisions of them.
func addRevision(old *herald.Article) []herald.Revision {
	seen := old.Updated
	if seen.IsZero() && len(old.Sources) > 0 {
		seen = old.Sources[0].Seen
	}
	revs := append(slices.Clone(old.Revisions), herald.Revision{Seen: seen, Title: old.Title, Text: old.Text})
	if len(revs) > maxRevisions {
		revs = revs[len(revs)-maxRevisions:]
	}
	return revs
}

// furnitureOnly reports whether two texts differ only in their short
// paragraphs (a text with no long one, a teaser, is all substance).
func furnitureOnly(a, b string) bool {
	sa := substance(a)
	return len(sa) > 0 && slices.Equal(sa, substance(b))
}

// substance is a text's normalised paragraphs of furnitureWords words or
// more.
func substance(text string) []string {
	var out []string
	for _, p := range strings.Split(text, "\n") {
		if n := herald.NormalizeText(p); strings.Count(n, " ")+1 >= furnitureWords {
			out = append(out, n)
		}
	}
	return out
}

// cleanRevisions bounds an incoming article's revisions as its own fields
// are bounded.
func cleanRevisions(a *herald.Article) {
	if len(a.Revisions) > maxRevisions {
		a.Revisions = a.Revisions[len(a.Revisions)-maxRevisions:]
	}
	a.Revisions = slices.Clone(a.Revisions)
	for i := range a.Revisions {
		r := &a.Revisions[i]
		r.Title, r.Text = herald.Clip(r.Title, maxTitle), herald.Clip(r.Text, maxText)
		r.Seen = canonicalTime(r.Seen)
	}
	if len(a.Revisions) == 0 {
		a.Revisions = nil
	}
}
