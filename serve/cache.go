package serve

import (
	"container/list"
	"sync"
	"time"
)

// rendered is a response body ready to send again, with its validators.
type rendered struct {
	key          string
	body         []byte
	contentType  string
	etag         string
	lastModified time.Time
}

// renderCache keeps the most recently used rendered bodies, bounded by
// count and by bytes. Keys carry the archive's change counter, so a change
// makes old entries unreachable and they age out.
type renderCache struct {
	mu       sync.Mutex
	maxItems int
	maxBytes int
	bytes    int
	order    *list.List // of *rendered, most recent first
	items    map[string]*list.Element
}

func newRenderCache(maxItems, maxBytes int) *renderCache {
	return &renderCache{
		maxItems: maxItems,
		maxBytes: maxBytes,
		order:    list.New(),
		items:    map[string]*list.Element{},
	}
}

func (c *renderCache) get(key string) (*rendered, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*rendered), true
}

// put stores r unless it alone would take more than a quarter of the
// budget: one huge page should not flush every other.
func (c *renderCache) put(r *rendered) {
	if c.maxItems <= 0 || len(r.body) > c.maxBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[r.key]; ok {
		c.remove(e)
	}
	c.items[r.key] = c.order.PushFront(r)
	c.bytes += len(r.body)
	for c.order.Len() > c.maxItems || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *renderCache) remove(e *list.Element) {
	r := c.order.Remove(e).(*rendered)
	delete(c.items, r.key)
	c.bytes -= len(r.body)
}

func (c *renderCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
