package serve

import (
	"container/list"
	"context"
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
// count and by bytes, and makes each body once however many ask for it at
// the same time. Keys carry the archive's change counter, so a change makes
// old entries unreachable and they age out.
type renderCache struct {
	mu       sync.Mutex
	maxItems int
	maxBytes int
	bytes    int
	order    *list.List // of *rendered, most recent first
	items    map[string]*list.Element
	// inflight holds the renders under way, by key: a key is in items or
	// in inflight, never both.
	inflight map[string]*renderCall
}

// renderCall is one render under way; done is closed when rd and err are
// set.
type renderCall struct {
	done chan struct{}
	rd   *rendered
	err  error
}

func newRenderCache(maxItems, maxBytes int) *renderCache {
	return &renderCache{
		maxItems: maxItems,
		maxBytes: maxBytes,
		order:    list.New(),
		items:    map[string]*list.Element{},
		inflight: map[string]*renderCall{},
	}
}

// do returns the body cached under key, else the one a render under way
// for key gives, else it calls render and shares its result with everyone
// who asked meanwhile: concurrent requests for one page cost one render and
// one body in memory. A caller whose ctx ends stops waiting; the render
// goes on for the others.
func (c *renderCache) do(ctx context.Context, key string, render func() (*rendered, error)) (*rendered, error) {
	c.mu.Lock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*rendered), nil
	}
	if call, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.rd, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &renderCall{done: make(chan struct{})}
	c.inflight[key] = call
	c.mu.Unlock()

	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		if call.err == nil {
			c.putLocked(call.rd)
		}
		c.mu.Unlock()
		close(call.done)
	}()
	call.rd, call.err = render()
	return call.rd, call.err
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
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(r)
}

func (c *renderCache) putLocked(r *rendered) {
	if c.maxItems <= 0 || len(r.body) > c.maxBytes/4 {
		return
	}
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
