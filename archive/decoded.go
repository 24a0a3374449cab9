package archive

import (
	"slices"

	"herald"
	"herald/internal/memo"
)

// decodedItems and decodedBytes bound the memo of decoded articles that
// Recent keeps: a few pages of the feeds readers poll. Decoding JSON is most
// of what a page of the merged feed costs to render, and after each archive
// change the same pages are rendered again, with nearly all the same
// articles. A full-text article decodes to a few KB, but a feed may send a
// megabyte an article: the bytes bound the memo then.
const (
	decodedItems = 512
	decodedBytes = 32 << 20
)

// newDecodedMemo makes the memo of decoded articles.
func newDecodedMemo() *memo.Memo[*herald.Article] {
	return memo.New[*herald.Article](decodedItems).WithBytes(decodedBytes, articleBytes)
}

// decodedArticle returns the article stored as rec under id, decoded afresh
// or from m, which is keyed by id and the record itself. The caller gets
// its own copy to change as it likes.
func decodedArticle(m *memo.Memo[*herald.Article], id string, rec []byte) (herald.Article, error) {
	a, err := m.Bytes(id, rec, func() (*herald.Article, error) { return decodeRecord(rec) })
	if err != nil {
		return herald.Article{}, err
	}
	cp := *a
	cp.Tags, cp.Sources = slices.Clone(a.Tags), slices.Clone(a.Sources)
	return cp, nil
}
