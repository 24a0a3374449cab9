package pgkv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"herald/archive/kv"
)

// MaxKeySize is the longest key pgkv stores: a btree entry must fit a
// third of a page (2,704 bytes), bucket name included. bbolt allows
// 32,768; the archive's keys stay under 1,100 (index.go's maxKeyPart).
const MaxKeySize = 2048

// maxKnown bounds the bytes of keys and values a transaction keeps of
// what it read and wrote, so that a large import's memory does not grow
// with it; past it, Gets of keys not yet kept are round trips again.
const maxKnown = 32 << 20

// maxPending bounds the writes queued before they are sent unasked, so a
// large import does not hold them all in memory.
const maxPending = 1000

// tx is one transaction on one connection. The bucket list and the
// sequences are read at begin (one small table) and kept here: in a
// writable tx no one else can change them, as the archive lock is held; in
// a read-only one the snapshot does not move. Writes are queued and sent
// before the next read or at commit, in the same round trip.
type tx struct {
	engine   *Engine
	conn     *pgxpool.Conn
	writable bool
	buckets  map[string]*bucket
	pending  pgx.Batch
	writes   writes // puts and deletes queued after pending
	err      error  // sticky: the first failed read or flush
	known    int    // bytes of keys and values the buckets keep (bucket.known)
}

var (
	_ kv.Tx         = (*tx)(nil)
	_ kv.Prefetcher = (*tx)(nil)
)

func (t *tx) Writable() bool { return t.writable }

// Bucket returns the named bucket, or nil when it does not exist. A nil
// *bucket must not escape as a non-nil kv.Bucket.
func (t *tx) Bucket(name []byte) kv.Bucket {
	if b := t.buckets[string(name)]; b != nil {
		return b
	}
	return nil
}

func (t *tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if !t.writable {
		return nil, kv.ErrTxNotWritable
	}
	if b := t.buckets[string(name)]; b != nil {
		return b, nil
	}
	if len(name) == 0 || !utf8.Valid(name) || containsNUL(name) {
		return nil, fmt.Errorf("pgkv: bucket name %q: not a non-empty UTF-8 text without NUL", name)
	}
	b := &bucket{tx: t, name: string(name)}
	t.queue(`INSERT INTO kv_seq (bucket, n) VALUES ($1, 0)`, b.name)
	t.buckets[b.name] = b
	return b, nil
}

func (t *tx) DeleteBucket(name []byte) error {
	if !t.writable {
		return kv.ErrTxNotWritable
	}
	b := t.buckets[string(name)]
	if b == nil {
		return kv.ErrBucketNotFound
	}
	t.queue(`DELETE FROM kv WHERE bucket = $1`, b.name)
	t.queue(`DELETE FROM kv_seq WHERE bucket = $1`, b.name)
	delete(t.buckets, b.name)
	b.deleted = true
	return nil
}

func containsNUL(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}

// queue adds a statement to be sent with the next read or at commit,
// after the puts and deletes before it.
func (t *tx) queue(sql string, args ...any) {
	t.writes.queueInto(&t.pending)
	t.pending.Queue(sql, args...)
	t.flushIfFull()
}

// flushIfFull sends what is queued once it is much.
func (t *tx) flushIfFull() {
	if t.pending.Len()+t.writes.len() >= maxPending {
		t.flush(nil)
	}
}

// flush sends the queued writes and then read, if any, in one round trip.
// A failure is sticky.
func (t *tx) flush(read func(*pgx.Batch)) error {
	if t.err != nil {
		return t.err
	}
	ctx := context.Background()
	t.writes.queueInto(&t.pending)
	b := t.pending
	t.pending = pgx.Batch{}
	if read != nil {
		read(&b)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := t.conn.SendBatch(ctx, &b).Close(); err != nil {
		t.fail(err)
	}
	return t.err
}

// fail makes err the transaction's sticky error.
func (t *tx) fail(err error) {
	if t.err == nil {
		t.err = fmt.Errorf("pgkv: on %s: %w", t.engine.name, err)
	}
}

// commit sends the queued writes, the changed sequences and COMMIT in one
// round trip.
func (t *tx) commit(ctx context.Context) error {
	for _, b := range t.buckets {
		if b.seqChanged {
			t.pending.Queue(`UPDATE kv_seq SET n = $2 WHERE bucket = $1`, b.name, int64(b.seq))
		}
	}
	t.writes.queueInto(&t.pending)
	t.pending.Queue("COMMIT")
	b := t.pending
	t.pending = pgx.Batch{}
	return t.conn.SendBatch(ctx, &b).Close()
}

// rollback ends a failed transaction. If it cannot, the connection is
// released still in the transaction, and the pool closes it.
func (t *tx) rollback(ctx context.Context) {
	if !t.conn.Conn().IsClosed() {
		t.conn.Exec(ctx, "ROLLBACK")
	}
}

// bucket is one bucket of a transaction.
type bucket struct {
	tx         *tx
	name       string
	seq        uint64
	seqChanged bool
	deleted    bool
	// known holds values this transaction read or wrote, so that a Get of
	// them is no round trip: no one else changes them while it runs (a
	// writable tx holds the archive lock, a read-only one reads a
	// snapshot). Absent keys are kept too, as a nil value with ok false.
	known map[string]knownValue
}

type knownValue struct {
	v  []byte
	ok bool
}

// remember keeps key's value (ok false: absent). A key kept already is
// always updated, so that what is kept never goes stale; a new one only
// while the transaction keeps fewer than maxKnown bytes.
func (b *bucket) remember(key, v []byte, ok bool) {
	old, kept := b.known[string(key)]
	if !kept && b.tx.known >= maxKnown {
		return
	}
	if b.known == nil {
		b.known = map[string]knownValue{}
	}
	if !kept {
		b.tx.known += len(key)
	}
	b.tx.known += len(v) - len(old.v)
	b.known[string(key)] = knownValue{v: v, ok: ok}
}

// Prefetch reads the keys given in one round trip, with the writes queued.
func (t *tx) Prefetch(sets ...kv.Keys) {
	t.flush(func(batch *pgx.Batch) {
		for _, s := range sets {
			b := t.buckets[string(s.Bucket)]
			if b == nil {
				continue
			}
			want := make([][]byte, 0, len(s.Keys))
			for _, k := range s.Keys {
				if _, kept := b.known[string(k)]; !kept && len(k) > 0 {
					want = append(want, k)
				}
			}
			if len(want) == 0 {
				continue
			}
			// A lookup per key, as Get's: a join or key = ANY($2) gets a
			// plan that the first executions cache while the table is
			// small, and that scans the whole bucket once it is not.
			batch.Queue(`SELECT w.key, (SELECT value FROM kv WHERE kv.bucket = $1 AND kv.key = w.key)
				FROM unnest($2::bytea[]) AS w(key)`, b.name, want).Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var k, v []byte
					if err := rows.Scan(&k, &v); err != nil {
						return err
					}
					b.remember(k, v, v != nil) // value is NOT NULL: null is absent
				}
				return rows.Err()
			})
		}
	})
}

var _ kv.Bucket = (*bucket)(nil)

func (b *bucket) Get(key []byte) []byte {
	if b.deleted {
		return nil
	}
	if kept, ok := b.known[string(key)]; ok {
		if !kept.ok || b.tx.err != nil {
			return nil
		}
		return kept.v
	}
	var v []byte
	found := false
	err := b.tx.flush(func(batch *pgx.Batch) {
		batch.Queue(`SELECT value FROM kv WHERE bucket = $1 AND key = $2`, b.name, key).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				found = true
				return rows.Scan(&v)
			}
			return rows.Err()
		})
	})
	if err != nil {
		return nil
	}
	if !found {
		b.remember(key, nil, false)
		return nil
	}
	if v == nil {
		v = []byte{} // present and empty is not absent
	}
	b.remember(key, v, true)
	return v
}

func (b *bucket) Put(key, value []byte) error {
	if err := b.writable(); err != nil {
		return err
	}
	if len(key) == 0 {
		return errors.New("pgkv: key required")
	}
	if len(key) > MaxKeySize {
		return fmt.Errorf("pgkv: key of %d bytes is longer than %d", len(key), MaxKeySize)
	}
	if value == nil {
		value = []byte{}
	}
	// Copied: the batch is sent later, and the caller may reuse its slices.
	value = clone(value)
	b.tx.writes.put(b.name, key, value)
	b.remember(key, value, true)
	b.tx.flushIfFull()
	return nil
}

func (b *bucket) Delete(key []byte) error {
	if err := b.writable(); err != nil {
		return err
	}
	b.tx.writes.put(b.name, key, nil)
	b.remember(key, nil, false)
	b.tx.flushIfFull()
	return nil
}

func (b *bucket) writable() error {
	if !b.tx.writable {
		return kv.ErrTxNotWritable
	}
	if b.deleted {
		return kv.ErrBucketNotFound
	}
	return b.tx.err
}

func (b *bucket) Cursor() kv.Cursor { return &cursor{b: b} }

func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	c := &cursor{b: b, firstSize: walkPage}
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.tx.err
}

func (b *bucket) NextSequence() (uint64, error) {
	if err := b.writable(); err != nil {
		return 0, err
	}
	if b.seq >= math.MaxInt64 {
		return 0, fmt.Errorf("pgkv: bucket %s: sequence overflow", b.name)
	}
	b.seq++
	b.seqChanged = true
	return b.seq, nil
}

func (b *bucket) Sequence() uint64 { return b.seq }

func (b *bucket) SetSequence(n uint64) error {
	if err := b.writable(); err != nil {
		return err
	}
	if n > math.MaxInt64 {
		return fmt.Errorf("pgkv: bucket %s: sequence %d does not fit a bigint", b.name, n)
	}
	b.seq = n
	b.seqChanged = true
	return nil
}

func clone(b []byte) []byte { return append([]byte{}, b...) }
