package serve

import (
	"herald"
	"herald/internal/memo"
)

// sanitizedItems bounds the memo of sanitised HTML: a few pages of every
// format and filter readers poll. Articles' HTML runs to a few KB, so a
// few MB at most. Sanitising is most of a render (about 80 µs an article),
// and after an archive change a page is rendered again with nearly all the
// same articles.
const sanitizedItems = 2048

// sanitizedHTML is contentHTML through the memo of sanitised HTML, which is
// keyed by article and by the HTML itself.
func sanitizedHTML(m *memo.Memo[string], a *herald.Article) string {
	if a.HTML == "" {
		return contentHTML(a)
	}
	s, _ := m.String(a.ID, a.HTML, func() (string, error) { return contentHTML(a), nil })
	return s
}
