package archive

import (
	"hash/maphash"
	"slices"
	"sync"

	"herald"
)

// decodedCache keeps recently listed articles decoded. Decoding JSON is
// most of what a page of the merged feed costs to render, and after each
// archive change the same pages are rendered again, with nearly all the
// same articles. Entries are keyed by id and by a hash of the stored
// record, so that a changed article is never served from it.
type decodedCache struct {
	mu    sync.Mutex
	seed  maphash.Seed
	max   int
	items map[decodedKey]*herald.Article
}

type decodedKey struct {
	id  string
	sum uint64
}

// decodedItems bounds the cache: a few pages of the feeds readers poll.
// A full-text article decodes to a few KB, so a couple of MB at most.
const decodedItems = 512

func newDecodedCache(max int) *decodedCache {
	return &decodedCache{seed: maphash.MakeSeed(), max: max, items: map[decodedKey]*herald.Article{}}
}

// article returns the article stored as rec under id, decoded afresh or
// from the cache. The caller gets its own copy to change as it likes.
func (c *decodedCache) article(id string, rec []byte) (herald.Article, error) {
	k := decodedKey{id, maphash.Bytes(c.seed, rec)}
	c.mu.Lock()
	a, ok := c.items[k]
	c.mu.Unlock()
	if !ok {
		var err error
		if a, err = decodeRecord(rec); err != nil {
			return herald.Article{}, err
		}
		c.mu.Lock()
		if len(c.items) >= c.max {
			// Start afresh rather than track use: the pages rendered
			// next refill it within one render each.
			clear(c.items)
		}
		if c.max > 0 {
			c.items[k] = a
		}
		c.mu.Unlock()
	}
	cp := *a
	cp.Tags, cp.Sources = slices.Clone(a.Tags), slices.Clone(a.Sources)
	return cp, nil
}
