package pgkv_test

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"

	"herald/archive/kv"
	"herald/archive/kv/pgkv"
	"herald/internal/pgtest"
)

// A prefetched key, present or absent, is read with no round trip, and
// what the transaction writes afterwards is what it reads back, and what
// commits.
func TestPrefetch(t *testing.T) {
	var trips atomic.Int64
	e, err := pgkv.OpenCounting(context.Background(), pgtest.DB(t), &trips)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	err = e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		for i := range 5 {
			if err := b.Put(key(i), []byte{byte('a' + i)}); err != nil {
				return err
			}
		}
		return b.Put(key(9), nil) // present and empty
	})
	if err != nil {
		t.Fatal(err)
	}
	expect := func(b kv.Bucket, i int, want []byte) {
		t.Helper()
		got := b.Get(key(i))
		if !bytes.Equal(got, want) || (got == nil) != (want == nil) {
			t.Errorf("key %d: %q, want %q", i, got, want)
		}
	}
	err = e.Update(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		tx.(kv.Prefetcher).Prefetch(kv.Keys{Bucket: []byte("b"), Keys: [][]byte{key(1), key(2), key(3), key(7), key(9)}},
			kv.Keys{Bucket: []byte("no such bucket"), Keys: [][]byte{key(1)}})
		before := trips.Load()
		expect(b, 1, []byte("b"))
		expect(b, 7, nil)
		expect(b, 9, []byte{})
		if n := trips.Load() - before; n != 0 {
			t.Errorf("%d round trips for prefetched keys, want none", n)
		}
		expect(b, 4, []byte("e")) // not prefetched: read, then kept
		before = trips.Load()
		expect(b, 4, []byte("e"))
		if n := trips.Load() - before; n != 0 {
			t.Errorf("%d round trips to read a key again, want none", n)
		}
		before = trips.Load()
		if err := b.Put(key(2), []byte("changed")); err != nil {
			return err
		}
		if err := b.Delete(key(3)); err != nil {
			return err
		}
		if err := b.Put(key(7), []byte("new")); err != nil {
			return err
		}
		expect(b, 2, []byte("changed"))
		expect(b, 3, nil)
		expect(b, 7, []byte("new"))
		if n := trips.Load() - before; n != 0 {
			t.Errorf("%d round trips to read back what the transaction wrote, want none", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.View(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		tx.(kv.Prefetcher).Prefetch(kv.Keys{Bucket: []byte("b"), Keys: [][]byte{key(2), key(3)}})
		expect(b, 2, []byte("changed"))
		expect(b, 3, nil)
		expect(b, 7, []byte("new"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A transaction that fails after prefetching commits nothing, and the next
// one reads the database, not what the failed one kept.
func TestPrefetchRolledBack(t *testing.T) {
	e := open(t, pgtest.DB(t))
	err := e.Update(func(tx kv.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte("b"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Update(func(tx kv.Tx) error {
		tx.(kv.Prefetcher).Prefetch(kv.Keys{Bucket: []byte("b"), Keys: [][]byte{key(1)}})
		tx.Bucket([]byte("b")).Put(key(1), []byte("x"))
		return context.Canceled
	})
	e.View(func(tx kv.Tx) error {
		if v := tx.Bucket([]byte("b")).Get(key(1)); v != nil {
			t.Errorf("a rolled back write is read: %q", v)
		}
		return nil
	})
}
