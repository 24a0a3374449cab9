// Package boltkv is the kv engine over one bbolt file: a thin adapter that
// adds no copies and no allocations to bbolt's own calls. What only a bbolt
// file has (backup by copying pages, bbolt's page check, fill percents,
// page statistics) stays reachable through Raw, RawTx and RawBucket.
package boltkv

import (
	"bytes"
	"errors"

	"herald/archive/kv"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Engine is an open bbolt file as a kv.Engine.
type Engine struct{ db *bolt.DB }

var _ kv.Engine = (*Engine)(nil)

// New wraps db; closing the Engine closes db.
func New(db *bolt.DB) *Engine { return &Engine{db: db} }

// DB is the bbolt file under the engine.
func (e *Engine) DB() *bolt.DB { return e.db }

// View runs fn in a read-only transaction.
func (e *Engine) View(fn func(kv.Tx) error) error {
	return e.db.View(func(t *bolt.Tx) error { return fn((*tx)(t)) })
}

// Update runs fn in a write transaction, committed when fn returns nil.
func (e *Engine) Update(fn func(kv.Tx) error) error {
	return e.db.Update(func(t *bolt.Tx) error { return fn((*tx)(t)) })
}

// Close closes the file.
func (e *Engine) Close() error { return e.db.Close() }

// Raw returns the bbolt file under e, or nil when e is another engine.
func Raw(e kv.Engine) *bolt.DB {
	if b, ok := e.(*Engine); ok {
		return b.db
	}
	return nil
}

// RawTx returns the bbolt transaction under t, or nil when t belongs to
// another engine.
func RawTx(t kv.Tx) *bolt.Tx {
	if b, ok := t.(*tx); ok {
		return (*bolt.Tx)(b)
	}
	return nil
}

// RawBucket returns the bbolt bucket under b, or nil when b belongs to
// another engine.
func RawBucket(b kv.Bucket) *bolt.Bucket {
	if bb, ok := b.(*bucket); ok {
		return (*bolt.Bucket)(bb)
	}
	return nil
}

// The transaction and bucket types are bbolt's own under other names:
// converting a pointer costs nothing, where a wrapping struct would cost an
// allocation for every bucket a transaction opens.
type (
	tx     bolt.Tx
	bucket bolt.Bucket
)

func (t *tx) raw() *bolt.Tx { return (*bolt.Tx)(t) }

// Bucket returns a nil interface, not a nil *bucket, for a missing bucket:
// callers compare it with nil.
func (t *tx) Bucket(name []byte) kv.Bucket {
	if b := t.raw().Bucket(name); b != nil {
		return (*bucket)(b)
	}
	return nil
}

func (t *tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	b, err := t.raw().CreateBucketIfNotExists(name)
	if err != nil {
		return nil, mapErr(err)
	}
	return (*bucket)(b), nil
}

func (t *tx) DeleteBucket(name []byte) error { return mapErr(t.raw().DeleteBucket(name)) }

func (t *tx) Writable() bool { return t.raw().Writable() }

func (b *bucket) raw() *bolt.Bucket { return (*bolt.Bucket)(b) }

func (b *bucket) Get(key []byte) []byte       { return b.raw().Get(key) }
func (b *bucket) Put(key, value []byte) error { return mapErr(b.raw().Put(key, value)) }
func (b *bucket) Delete(key []byte) error     { return mapErr(b.raw().Delete(key)) }
func (b *bucket) Cursor() kv.Cursor           { return &cursor{c: b.raw().Cursor()} }

func (b *bucket) ForEach(fn func(k, v []byte) error) error { return b.raw().ForEach(fn) }

func (b *bucket) NextSequence() (uint64, error) {
	n, err := b.raw().NextSequence()
	return n, mapErr(err)
}

func (b *bucket) Sequence() uint64 { return b.raw().Sequence() }

func (b *bucket) SetSequence(n uint64) error { return mapErr(b.raw().SetSequence(n)) }

// cursor keeps the key it is on: after bbolt's Cursor.Delete the next key
// slides into the deleted one's place and bbolt's Next skips it, where
// kv's contract is that Next lands on it.
type cursor struct {
	c *bolt.Cursor
	k []byte
	// next is where Next lands after a Delete, when held.
	next, nextV []byte
	held        bool
}

func (c *cursor) at(k, v []byte) ([]byte, []byte) {
	c.k, c.held = k, false
	return k, v
}

func (c *cursor) First() (k, v []byte)           { return c.at(c.c.First()) }
func (c *cursor) Last() (k, v []byte)            { return c.at(c.c.Last()) }
func (c *cursor) Seek(seek []byte) (k, v []byte) { return c.at(c.c.Seek(seek)) }
func (c *cursor) Prev() (k, v []byte)            { return c.at(c.c.Prev()) }

func (c *cursor) Next() (k, v []byte) {
	if c.held {
		return c.at(c.next, c.nextV)
	}
	return c.at(c.c.Next())
}

func (c *cursor) Delete() error {
	if c.k == nil {
		return nil // past either end: bbolt deletes nothing either
	}
	k := bytes.Clone(c.k)
	if err := c.c.Delete(); err != nil {
		return mapErr(err)
	}
	// Seek lands on the key after the deleted one, and Prev from there on
	// the key before it, as the contract wants of both.
	c.next, c.nextV = c.c.Seek(k)
	c.held = true
	return nil
}

// mapErr turns bbolt's errors that kv names into kv's, so the archive
// tests one error whatever the engine.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrBucketNotFound):
		return kv.ErrBucketNotFound
	case errors.Is(err, berrors.ErrTxNotWritable):
		return kv.ErrTxNotWritable
	}
	return err
}
