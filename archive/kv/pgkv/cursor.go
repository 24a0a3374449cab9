package pgkv

import (
	"github.com/jackc/pgx/v5"

	"herald/archive/kv"
)

// Page sizes: a cursor's first read is small (a Seek is often followed by
// one or two steps), and each further read in a walk doubles, so a full
// scan takes few round trips without holding a large bucket in memory.
const (
	firstPage = 16
	maxPage   = 1024
	walkPage  = 256 // ForEach's first page: it will walk the bucket
)

// cursor walks a bucket a page at a time. The page is kept in ascending
// order, whichever way it was read; i is the position in it. Like bbolt's,
// a cursor is not told of writes made after it read its page, except its
// own Delete.
type cursor struct {
	b          *bucket
	keys, vals [][]byte
	i          int
	size       int // the last page's size
	firstSize  int // First's page size, when larger than firstPage
	// The page reaches the bucket's first or last key: a short page, or
	// one read from that end. No need to ask past it.
	hasFirst, hasLast bool
	state             state
	deletedKey        []byte // the key deleted from the page at i, in state deleted
}

type state int

const (
	unpositioned state = iota
	on                 // on keys[i]
	deleted            // keys[i] was deleted: the page holds its successor at i
	offStart           // walked before the first key: Next lands on it
	offEnd             // walked past the last key: Prev lands on it
)

var _ kv.Cursor = (*cursor)(nil)

func (c *cursor) First() ([]byte, []byte) {
	return c.fetch(nil, false, true, max(c.firstSize, firstPage))
}

func (c *cursor) Last() ([]byte, []byte) { return c.fetch(nil, false, false, firstPage) }

func (c *cursor) Seek(seek []byte) ([]byte, []byte) {
	return c.fetch(clone(seek), true, true, firstPage)
}

func (c *cursor) Next() ([]byte, []byte) {
	switch c.state {
	case unpositioned, offStart:
		return c.First()
	case offEnd:
		return nil, nil
	case deleted:
		if c.i < len(c.keys) {
			c.state = on
			return c.at()
		}
		if c.hasLast {
			c.state = offEnd
			return nil, nil
		}
		return c.fetch(c.deletedKey, false, true, c.grow())
	}
	if c.i+1 < len(c.keys) {
		c.i++
		return c.at()
	}
	if c.hasLast {
		c.state = offEnd
		return nil, nil
	}
	return c.fetch(c.keys[c.i], false, true, c.grow())
}

func (c *cursor) Prev() ([]byte, []byte) {
	switch c.state {
	case unpositioned, offEnd:
		return c.Last()
	case offStart:
		return nil, nil
	case deleted:
		if c.i > 0 {
			c.i--
			c.state = on
			return c.at()
		}
		if c.hasFirst {
			c.state = offStart
			return nil, nil
		}
		return c.fetch(c.deletedKey, false, false, c.grow())
	}
	if c.i > 0 {
		c.i--
		return c.at()
	}
	if c.hasFirst {
		c.state = offStart
		return nil, nil
	}
	return c.fetch(c.keys[c.i], false, false, c.grow())
}

// Delete deletes the key the cursor is on. The page drops it, so Next and
// Prev go on from its neighbours.
func (c *cursor) Delete() error {
	if err := c.b.writable(); err != nil {
		return err
	}
	if c.state != on {
		return nil
	}
	k := c.keys[c.i]
	if err := c.b.Delete(k); err != nil {
		return err
	}
	c.deletedKey = k
	c.keys = append(c.keys[:c.i], c.keys[c.i+1:]...)
	c.vals = append(c.vals[:c.i], c.vals[c.i+1:]...)
	c.state = deleted
	return nil
}

func (c *cursor) at() ([]byte, []byte) { return c.keys[c.i], c.vals[c.i] }

func (c *cursor) grow() int { return min(max(2*c.size, firstPage), maxPage) }

const (
	selFirst = `SELECT key, value FROM kv WHERE bucket = $1 ORDER BY key LIMIT $2`
	selLast  = `SELECT key, value FROM kv WHERE bucket = $1 ORDER BY key DESC LIMIT $2`
	selAtOr  = `SELECT key, value FROM kv WHERE bucket = $1 AND key >= $3 ORDER BY key LIMIT $2`
	selAfter = `SELECT key, value FROM kv WHERE bucket = $1 AND key > $3 ORDER BY key LIMIT $2`
	selUnder = `SELECT key, value FROM kv WHERE bucket = $1 AND key < $3 ORDER BY key DESC LIMIT $2`
)

// fetch reads a page and lands on its first key going forward, its last
// going back. from bounds it (nil: the bucket's end); inclusive only for
// Seek.
func (c *cursor) fetch(from []byte, inclusive, forward bool, size int) ([]byte, []byte) {
	sql, args := selFirst, []any{c.b.name, size}
	switch {
	case from == nil && !forward:
		sql = selLast
	case from != nil && forward && inclusive:
		sql, args = selAtOr, append(args, from)
	case from != nil && forward:
		sql, args = selAfter, append(args, from)
	case from != nil:
		sql, args = selUnder, append(args, from)
	}
	var keys, vals [][]byte
	c.b.tx.flush(func(b *pgx.Batch) {
		b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var k, v []byte
				if err := rows.Scan(&k, &v); err != nil {
					return err
				}
				if v == nil {
					v = []byte{}
				}
				keys, vals = append(keys, k), append(vals, v)
			}
			return rows.Err()
		})
	})
	c.size = size
	if len(keys) == 0 { // or the read failed, which the tx keeps
		c.state, c.keys, c.vals = offEnd, nil, nil
		if !forward {
			c.state = offStart
		}
		return nil, nil
	}
	if !forward {
		reverse(keys)
		reverse(vals)
	}
	c.keys, c.vals, c.state, c.i = keys, vals, on, 0
	short := len(keys) < size
	c.hasFirst, c.hasLast = from == nil && forward, short
	if !forward {
		c.i = len(keys) - 1
		c.hasFirst, c.hasLast = short, from == nil
	}
	return c.at()
}

func reverse(s [][]byte) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}
