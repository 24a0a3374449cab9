package serve

import (
	"hash/maphash"
	"sync"

	"herald"
)

// sanitizedCache keeps the sanitised HTML of recently served articles.
// Sanitising is most of a render (about 80 µs an article), and after an
// archive change a page is rendered again with nearly all the same
// articles. Entries are keyed by article and by a hash of the HTML itself,
// so that changed HTML is never served from the cache.
type sanitizedCache struct {
	mu    sync.Mutex
	seed  maphash.Seed
	max   int
	items map[sanitizedKey]string
}

type sanitizedKey struct {
	id  string
	sum uint64
}

// sanitizedItems bounds the cache: a few pages of every format and filter
// readers poll. Articles' HTML runs to a few KB, so a few MB at most.
const sanitizedItems = 2048

func newSanitizedCache(max int) *sanitizedCache {
	return &sanitizedCache{seed: maphash.MakeSeed(), max: max, items: map[sanitizedKey]string{}}
}

// contentHTML is the package's contentHTML, through the cache.
func (c *sanitizedCache) contentHTML(a *herald.Article) string {
	if a.HTML == "" || c.max <= 0 {
		return contentHTML(a)
	}
	k := sanitizedKey{a.ID, maphash.String(c.seed, a.HTML)}
	c.mu.Lock()
	s, ok := c.items[k]
	c.mu.Unlock()
	if ok {
		return s
	}
	s = contentHTML(a)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.max {
		// Start afresh rather than track use: the pages served next refill
		// it within one render each.
		clear(c.items)
	}
	c.items[k] = s
	return s
}
