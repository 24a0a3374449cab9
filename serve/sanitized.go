package serve

import (
	"herald"
	"herald/internal/memo"
)

// sanitizedItems and sanitizedBytes bound the memo of sanitised HTML: a few
// pages of every format and filter readers poll. Articles' HTML runs to a
// few KB, but may reach megabytes: then the bytes bound it. Sanitising is
// most of a render (about 80 µs an article), and after an archive change a
// page is rendered again with nearly all the same articles.
const (
	sanitizedItems = 2048
	sanitizedBytes = 32 << 20
)

func newSanitizedMemo() *memo.Memo[string] {
	return memo.New[string](sanitizedItems).WithBytes(sanitizedBytes, func(s string) int { return len(s) })
}

// sanitizedHTML is contentHTML through the memo of sanitised HTML, which is
// keyed by article and by the HTML itself.
func sanitizedHTML(m *memo.Memo[string], a *herald.Article) string {
	if a.HTML == "" {
		return contentHTML(a)
	}
	s, _ := m.String(a.ID, a.HTML, func() (string, error) { return contentHTML(a), nil })
	return s
}
