package pgkv_test

import (
	"context"
	"encoding/binary"
	"sync/atomic"
	"testing"

	"herald/archive/kv"
	"herald/archive/kv/pgkv"
	"herald/internal/pgtest"
)

// benchEngine opens an engine counting its round trips, with bucket b
// holding n keys, and resets the count.
func benchEngine(b *testing.B, n int) (kv.Engine, *atomic.Int64) {
	var trips atomic.Int64
	e, err := pgkv.OpenCounting(context.Background(), pgtest.DB(b), &trips)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	err = e.Update(func(tx kv.Tx) error {
		bk, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		for i := range n {
			if err := bk.Put(key(i), make([]byte, 200)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	trips.Store(0)
	b.ResetTimer()
	return e, &trips
}

func key(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }

func report(b *testing.B, trips *atomic.Int64) {
	b.ReportMetric(float64(trips.Load())/float64(b.N), "trips/op")
}

func run(b *testing.B, e kv.Engine, write bool, fn func(i int, bk kv.Bucket) error) {
	for i := 0; b.Loop(); i++ {
		tx := e.View
		if write {
			tx = e.Update
		}
		if err := tx(func(tx kv.Tx) error { return fn(i, tx.Bucket([]byte("b"))) }); err != nil {
			b.Fatal(err)
		}
	}
}

// A View reading one key.
func BenchmarkViewGet(b *testing.B) {
	e, trips := benchEngine(b, 1000)
	run(b, e, false, func(i int, bk kv.Bucket) error {
		if bk.Get(key(i%1000)) == nil {
			b.Fatal("missing")
		}
		return nil
	})
	report(b, trips)
}

// An Update writing one key.
func BenchmarkUpdatePut(b *testing.B) {
	e, trips := benchEngine(b, 0)
	run(b, e, true, func(i int, bk kv.Bucket) error { return bk.Put(key(i%1000), make([]byte, 200)) })
	report(b, trips)
}

// An Update reading a key, then writing it: the archive's usual shape.
func BenchmarkUpdateGetPut(b *testing.B) {
	e, trips := benchEngine(b, 1000)
	run(b, e, true, func(i int, bk kv.Bucket) error {
		v := bk.Get(key(i % 1000))
		return bk.Put(key(i%1000), v)
	})
	report(b, trips)
}

// An Update writing ten keys and a sequence: pipelined, one round trip
// with the commit.
func BenchmarkUpdate10Puts(b *testing.B) {
	e, trips := benchEngine(b, 0)
	run(b, e, true, func(i int, bk kv.Bucket) error {
		for j := range 10 {
			if err := bk.Put(key(10*i+j), make([]byte, 200)); err != nil {
				return err
			}
		}
		_, err := bk.NextSequence()
		return err
	})
	report(b, trips)
}

// A View walking 1,000 keys with a cursor.
func BenchmarkViewScan1000(b *testing.B) {
	e, trips := benchEngine(b, 1000)
	run(b, e, false, func(i int, bk kv.Bucket) error {
		n := 0
		c := bk.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		if n != 1000 {
			b.Fatalf("scanned %d", n)
		}
		return nil
	})
	report(b, trips)
}

// ForEach over 1,000 keys.
func BenchmarkViewForEach1000(b *testing.B) {
	e, trips := benchEngine(b, 1000)
	run(b, e, false, func(i int, bk kv.Bucket) error {
		n := 0
		err := bk.ForEach(func(_, _ []byte) error { n++; return nil })
		if n != 1000 {
			b.Fatalf("walked %d", n)
		}
		return err
	})
	report(b, trips)
}
