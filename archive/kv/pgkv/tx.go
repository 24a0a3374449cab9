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
	err      error // sticky: the first failed read or flush
}

var _ kv.Tx = (*tx)(nil)

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

// queue adds a write to be sent with the next read or at commit.
func (t *tx) queue(sql string, args ...any) {
	t.pending.Queue(sql, args...)
	if t.pending.Len() >= maxPending {
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
}

var _ kv.Bucket = (*bucket)(nil)

func (b *bucket) Get(key []byte) []byte {
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
	if err != nil || !found {
		return nil
	}
	if v == nil {
		v = []byte{} // present and empty is not absent
	}
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
	b.tx.queue(`INSERT INTO kv (bucket, key, value) VALUES ($1, $2, $3)
		ON CONFLICT (bucket, key) DO UPDATE SET value = excluded.value`,
		b.name, clone(key), clone(value))
	return nil
}

func (b *bucket) Delete(key []byte) error {
	if err := b.writable(); err != nil {
		return err
	}
	b.tx.queue(`DELETE FROM kv WHERE bucket = $1 AND key = $2`, b.name, clone(key))
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
