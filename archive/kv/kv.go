// Package kv is the storage the archive keeps its buckets in: ordered byte
// keys in named buckets, read and written in transactions, the shape of
// bbolt's API. Engines implement it: bbolt's file (boltkv), PostgreSQL's
// tables (pgkv); the archive's rules are written once, against it.
package kv

import "errors"

// Engine runs transactions. View's transactions only read; Update's write,
// one at a time over the whole archive (for a shared engine, one at a time
// over every process using it), and commit when fn returns nil.
//
// A Get or cursor step that fails inside a transaction (a lost connection)
// returns nil and makes the transaction fail: View and Update return that
// error even when fn returns nil, and Update then commits nothing. So a
// decision made on a failed read never reaches the archive.
type Engine interface {
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
	Close() error
}

// Tx is one transaction. Its buckets, and the slices they return, are valid
// only until fn returns.
type Tx interface {
	// Bucket returns the named bucket, or nil when it does not exist.
	Bucket(name []byte) Bucket
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	DeleteBucket(name []byte) error
	Writable() bool
}

// Bucket is a named, ordered set of keys. Keys are compared bytewise.
type Bucket interface {
	// Get returns the value of key, or nil when it is absent. The slice must
	// not be changed, nor used after the transaction.
	Get(key []byte) []byte
	// Put stores value under key. The engine may keep the slices until
	// the transaction ends (bbolt does): the caller must not change them.
	Put(key, value []byte) error
	Delete(key []byte) error
	Cursor() Cursor
	// ForEach calls fn for every key in order; fn must not change the bucket.
	ForEach(fn func(k, v []byte) error) error
	// NextSequence increments the bucket's sequence and returns it.
	NextSequence() (uint64, error)
	Sequence() uint64
	SetSequence(n uint64) error
}

// Cursor walks a bucket's keys in order. Each method returns the key and
// value it lands on, or nil keys past either end.
type Cursor interface {
	First() (k, v []byte)
	Last() (k, v []byte)
	// Seek lands on the first key at or after seek.
	Seek(seek []byte) (k, v []byte)
	Next() (k, v []byte)
	Prev() (k, v []byte)
	// Delete removes the key the cursor is on; Next goes on after it.
	Delete() error
}

// ErrBucketNotFound is returned by DeleteBucket for a missing bucket.
var ErrBucketNotFound = errors.New("bucket not found")

// ErrTxNotWritable is returned by writes in a View transaction.
var ErrTxNotWritable = errors.New("transaction not writable")

// Keys are keys of one bucket.
type Keys struct {
	Bucket []byte
	Keys   [][]byte
}

// Prefetcher is a Tx whose reads are round trips to a server (pgkv):
// Prefetch reads the keys given, of any number of buckets, in one, and
// the transaction's Gets of them are then answered from memory. A failed
// read fails the transaction, as a failed Get does. An engine that reads
// its own memory (bbolt) has no need of it, and callers check for it.
type Prefetcher interface {
	Prefetch(keys ...Keys)
}
