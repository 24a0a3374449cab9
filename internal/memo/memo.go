// Package memo keeps values made from content (an article decoded from its
// record, an article's HTML sanitised), so that what is served again and
// again is made once. Entries are keyed by the content's id and a hash of
// the content itself, so a changed content is never served from the memo.
package memo

import (
	"hash/maphash"
	"sync"
)

// Memo holds at most a given number of values. When full it starts afresh
// rather than track use: what is served next refills it at once.
type Memo[V any] struct {
	mu    sync.Mutex
	seed  maphash.Seed
	max   int
	items map[key]V
	// maxBytes, when size is set, bounds the sum of size over the values
	// kept, which is bytes.
	maxBytes, bytes int
	size            func(V) int
}

type key struct {
	id  string
	sum uint64
}

// New returns a memo of at most max values; with max 0 it keeps nothing.
func New[V any](max int) *Memo[V] {
	return &Memo[V]{seed: maphash.MakeSeed(), max: max, items: map[key]V{}}
}

// WithBytes bounds m by the bytes its values hold too, as size measures
// them: count alone bounds nothing when a value may be megabytes. A value
// of more than an eighth of maxBytes is never kept, so that one huge value
// does not push out all the others. It returns m.
func (m *Memo[V]) WithBytes(maxBytes int, size func(V) int) *Memo[V] {
	m.maxBytes, m.size = maxBytes, size
	return m
}

// Bytes returns the value made from content, known by id: the one kept, or
// make's, which it keeps unless make fails.
func (m *Memo[V]) Bytes(id string, content []byte, make func() (V, error)) (V, error) {
	return m.get(key{id, maphash.Bytes(m.seed, content)}, make)
}

// String is Bytes for content held in a string.
func (m *Memo[V]) String(id, content string, make func() (V, error)) (V, error) {
	return m.get(key{id, maphash.String(m.seed, content)}, make)
}

func (m *Memo[V]) get(k key, make func() (V, error)) (V, error) {
	m.mu.Lock()
	v, ok := m.items[k]
	m.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := make()
	if err != nil || m.max <= 0 {
		return v, err
	}
	n := 0
	if m.size != nil {
		if n = m.size(v); n > m.maxBytes/8 {
			return v, nil
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[k]; ok {
		return v, nil // made meanwhile by another caller, and counted
	}
	if len(m.items) >= m.max || (m.size != nil && m.bytes+n > m.maxBytes) {
		clear(m.items)
		m.bytes = 0
	}
	m.items[k] = v
	m.bytes += n
	return v, nil
}

// Len is how many values the memo holds.
func (m *Memo[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}
