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
}

type key struct {
	id  string
	sum uint64
}

// New returns a memo of at most max values; with max 0 it keeps nothing.
func New[V any](max int) *Memo[V] {
	return &Memo[V]{seed: maphash.MakeSeed(), max: max, items: map[key]V{}}
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
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.items) >= m.max {
		clear(m.items)
	}
	m.items[k] = v
	return v, nil
}

// Len is how many values the memo holds.
func (m *Memo[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}
