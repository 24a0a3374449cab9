// Package kvtest is the conformance suite of kv engines: what the archive's
// rules rely on, checked the same way against each engine. Only tests
// import it.
package kvtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"

	"herald/archive/kv"
)

// Open gives a test a fresh, empty engine, closed when the test ends.
type Open func(t *testing.T) kv.Engine

// Run runs the suite against the engines open makes.
func Run(t *testing.T, open Open) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, Open)
	}{
		{"Buckets", testBuckets},
		{"GetPutDelete", testGetPutDelete},
		{"FailedUpdateCommitsNothing", testFailedUpdate},
		{"ViewIsReadOnly", testViewReadOnly},
		{"Sequences", testSequences},
		{"CursorWalks", testCursorWalks},
		{"CursorDelete", testCursorDelete},
		{"CursorMatchesSortedMap", testCursorProperty},
		{"ViewSeesSnapshot", testViewSnapshot},
		{"UpdatesDoNotInterleave", testUpdatesSerialise},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open) })
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func update(t *testing.T, e kv.Engine, fn func(kv.Tx) error) {
	t.Helper()
	must(t, e.Update(fn))
}

func view(t *testing.T, e kv.Engine, fn func(kv.Tx) error) {
	t.Helper()
	must(t, e.View(fn))
}

func testBuckets(t *testing.T, open Open) {
	e := open(t)
	view(t, e, func(tx kv.Tx) error {
		if b := tx.Bucket([]byte("a")); b != nil {
			t.Error("a missing bucket is not nil")
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("a"))
		must(t, err)
		must(t, b.Put([]byte("k"), []byte("v")))
		again, err := tx.CreateBucketIfNotExists([]byte("a"))
		must(t, err)
		if got := again.Get([]byte("k")); string(got) != "v" {
			t.Errorf("a bucket created again lost its key: %q", got)
		}
		if err := tx.DeleteBucket([]byte("none")); !errors.Is(err, kv.ErrBucketNotFound) {
			t.Errorf("deleting a missing bucket: %v, want ErrBucketNotFound", err)
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("a"))
		_, err := b.NextSequence()
		must(t, err)
		must(t, tx.DeleteBucket([]byte("a")))
		if tx.Bucket([]byte("a")) != nil {
			t.Error("a deleted bucket is still there in its transaction")
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		if tx.Bucket([]byte("a")) != nil {
			t.Error("a deleted bucket is back")
		}
		b, err := tx.CreateBucketIfNotExists([]byte("a"))
		must(t, err)
		if k, _ := b.Cursor().First(); k != nil || b.Sequence() != 0 {
			t.Errorf("a bucket made again keeps key %q, sequence %d", k, b.Sequence())
		}
		return nil
	})
}

func testGetPutDelete(t *testing.T, open Open) {
	e := open(t)
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		must(t, err)
		must(t, b.Put([]byte("k"), []byte("one")))
		if got := b.Get([]byte("k")); string(got) != "one" {
			t.Errorf("read back in its transaction: %q", got)
		}
		must(t, b.Put([]byte("k"), []byte("two")))
		must(t, b.Put([]byte("gone"), []byte("x")))
		must(t, b.Delete([]byte("gone")))
		must(t, b.Delete([]byte("never")))
		must(t, b.Put([]byte("empty"), nil))
		if got := b.Get([]byte("gone")); got != nil {
			t.Errorf("a deleted key reads %q", got)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if got := b.Get([]byte("k")); string(got) != "two" {
			t.Errorf("k = %q, want two", got)
		}
		if got := b.Get([]byte("gone")); got != nil {
			t.Errorf("gone = %q", got)
		}
		if got := b.Get([]byte("empty")); got == nil || len(got) != 0 {
			t.Errorf("an empty value reads %v, want present and empty", got)
		}
		return nil
	})
}

func testFailedUpdate(t *testing.T, open Open) {
	e := open(t)
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		must(t, err)
		return b.Put([]byte("k"), []byte("kept"))
	})
	boom := errors.New("boom")
	err := e.Update(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		must(t, b.Put([]byte("k"), []byte("lost")))
		must(t, b.Put([]byte("new"), []byte("lost")))
		_, err := b.NextSequence()
		must(t, err)
		_, err = tx.CreateBucketIfNotExists([]byte("c"))
		must(t, err)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if got := b.Get([]byte("k")); string(got) != "kept" {
			t.Errorf("k = %q after a failed update", got)
		}
		if got := b.Get([]byte("new")); got != nil || b.Sequence() != 0 || tx.Bucket([]byte("c")) != nil {
			t.Errorf("a failed update left new=%q, sequence %d, bucket c %v", got, b.Sequence(), tx.Bucket([]byte("c")) != nil)
		}
		return nil
	})
}

func testViewReadOnly(t *testing.T, open Open) {
	e := open(t)
	update(t, e, func(tx kv.Tx) error {
		if !tx.Writable() {
			t.Error("an Update's tx is not writable")
		}
		_, err := tx.CreateBucketIfNotExists([]byte("b"))
		return err
	})
	view(t, e, func(tx kv.Tx) error {
		if tx.Writable() {
			t.Error("a View's tx is writable")
		}
		b := tx.Bucket([]byte("b"))
		if err := b.Put([]byte("k"), []byte("v")); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Errorf("Put in a View: %v", err)
		}
		if err := b.Delete([]byte("k")); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Errorf("Delete in a View: %v", err)
		}
		if _, err := b.NextSequence(); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Errorf("NextSequence in a View: %v", err)
		}
		if _, err := tx.CreateBucketIfNotExists([]byte("c")); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Errorf("CreateBucketIfNotExists in a View: %v", err)
		}
		if err := tx.DeleteBucket([]byte("b")); !errors.Is(err, kv.ErrTxNotWritable) {
			t.Errorf("DeleteBucket in a View: %v", err)
		}
		return nil
	})
}

func testSequences(t *testing.T, open Open) {
	e := open(t)
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		must(t, err)
		for want := uint64(1); want <= 3; want++ {
			n, err := b.NextSequence()
			must(t, err)
			if n != want || b.Sequence() != want {
				t.Errorf("NextSequence = %d, Sequence = %d, want %d", n, b.Sequence(), want)
			}
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if b.Sequence() != 3 {
			t.Errorf("committed sequence %d, want 3", b.Sequence())
		}
		must(t, b.SetSequence(1000))
		n, err := b.NextSequence()
		must(t, err)
		if n != 1001 {
			t.Errorf("after SetSequence(1000): %d", n)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		if got := tx.Bucket([]byte("b")).Sequence(); got != 1001 {
			t.Errorf("sequence %d, want 1001", got)
		}
		return nil
	})
}

// fill makes bucket b with n keys: big-endian numbers 0, 2, 4, … (so odd
// ones fall between), whose values are the key twice.
func fill(t *testing.T, e kv.Engine, n int) {
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		must(t, err)
		for i := range n {
			k := num(2 * i)
			must(t, b.Put(k, append(slices.Clone(k), k...)))
		}
		return nil
	})
}

func num(i int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(i)) }

func testCursorWalks(t *testing.T, open Open) {
	e := open(t)
	const n = 300 // past several pages of an engine that pages
	fill(t, e, n)
	view(t, e, func(tx kv.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if !bytes.Equal(k, num(2*i)) || !bytes.Equal(v, append(num(2*i), num(2*i)...)) {
				t.Fatalf("step %d forward: %x=%x", i, k, v)
			}
			i++
		}
		if i != n {
			t.Errorf("forward walk saw %d keys, want %d", i, n)
		}
		i = n - 1
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			if !bytes.Equal(k, num(2*i)) {
				t.Fatalf("step %d back: %x", i, k)
			}
			i--
		}
		if i != -1 {
			t.Errorf("backward walk stopped at %d", i)
		}
		if k, _ := c.Seek(num(101)); !bytes.Equal(k, num(102)) {
			t.Errorf("Seek(101) = %x, want 102", k)
		}
		if k, _ := c.Prev(); !bytes.Equal(k, num(100)) {
			t.Errorf("Prev after Seek(101) = %x, want 100", k)
		}
		if k, _ := c.Seek(num(100)); !bytes.Equal(k, num(100)) {
			t.Errorf("Seek(100) = %x, want 100", k)
		}
		if k, _ := c.Seek(num(2 * n)); k != nil {
			t.Errorf("Seek past the end = %x", k)
		}
		if k, _ := c.Prev(); !bytes.Equal(k, num(2*(n-1))) {
			t.Errorf("Prev after Seek past the end = %x, want the last key", k)
		}
		var keys [][]byte
		must(t, tx.Bucket([]byte("b")).ForEach(func(k, _ []byte) error {
			keys = append(keys, slices.Clone(k))
			return nil
		}))
		if len(keys) != n || !slices.IsSortedFunc(keys, bytes.Compare) {
			t.Errorf("ForEach saw %d keys, sorted %v", len(keys), slices.IsSortedFunc(keys, bytes.Compare))
		}
		stop := errors.New("stop")
		if err := tx.Bucket([]byte("b")).ForEach(func(_, _ []byte) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("ForEach returned %v, want fn's error", err)
		}
		return nil
	})
}

// Deleting at the cursor while walking keeps the walk going over every
// key: what kv.Cursor.Delete documents.
func testCursorDelete(t *testing.T, open Open) {
	e := open(t)
	const n = 100
	fill(t, e, n)
	update(t, e, func(tx kv.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		seen := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if !bytes.Equal(k, num(2*seen)) {
				t.Fatalf("walk with deletes: step %d on %x", seen, k)
			}
			if seen%3 != 0 {
				must(t, c.Delete())
			}
			seen++
		}
		if seen != n {
			t.Errorf("walk with deletes saw %d keys, want %d", seen, n)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		var left []int
		must(t, tx.Bucket([]byte("b")).ForEach(func(k, _ []byte) error {
			left = append(left, int(binary.BigEndian.Uint32(k))/2)
			return nil
		}))
		for i, got := range left {
			if got != 3*i {
				t.Fatalf("kept %v, want every third", left)
			}
		}
		if len(left) != (n+2)/3 {
			t.Errorf("kept %d keys, want %d", len(left), (n+2)/3)
		}
		return nil
	})
}

// A cursor agrees with a sorted model after random puts and deletes of
// short keys (bytes 0x00 and 0xff included: order is bytewise).
func testCursorProperty(t *testing.T, open Open) {
	e := open(t)
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 1))
		model := map[string]string{}
		name := fmt.Appendf(nil, "p%d", seed)
		update(t, e, func(tx kv.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			must(t, err)
			for range 400 {
				k := []byte{byte(r.IntN(3) * 0x7f), byte(r.IntN(256))}[:1+r.IntN(2)]
				if r.IntN(4) == 0 {
					must(t, b.Delete(k))
					delete(model, string(k))
					continue
				}
				v := fmt.Sprint(r.Int())
				must(t, b.Put(k, []byte(v)))
				model[string(k)] = v
			}
			return nil
		})
		CheckCursor(t, e, name, model, r)
	}
}

// CheckCursor walks bucket's cursor both ways and from random seeks, and
// fails the test where it disagrees with model.
func CheckCursor(t *testing.T, e kv.Engine, bucket []byte, model map[string]string, r *rand.Rand) {
	t.Helper()
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	sort.Strings(keys) // Go's string order is bytewise
	view(t, e, func(tx kv.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		var fwd, back []string
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if model[string(k)] != string(v) {
				t.Errorf("%x = %q, model has %q", k, v, model[string(k)])
			}
			fwd = append(fwd, string(k))
		}
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			back = append(back, string(k))
		}
		slices.Reverse(back)
		if !slices.Equal(fwd, keys) || !slices.Equal(back, keys) {
			t.Fatalf("cursor order\nforward %q\nback    %q\nwant    %q", fwd, back, keys)
		}
		for range 50 {
			seek := []byte{byte(r.IntN(256)), byte(r.IntN(256))}[:1+r.IntN(2)]
			i := sort.SearchStrings(keys, string(seek))
			k, _ := c.Seek(seek)
			if want := at(keys, i); string(k) != want || (k == nil) != (i == len(keys)) {
				t.Fatalf("Seek(%x) = %x, want %x", seek, k, want)
			}
			k, _ = c.Prev()
			if want := at(keys, i-1); string(k) != want || (k == nil) != (i == 0) {
				t.Fatalf("Prev after Seek(%x) = %x, want %x", seek, k, want)
			}
		}
		return nil
	})
}

func at(keys []string, i int) string {
	if i < 0 || i >= len(keys) {
		return ""
	}
	return keys[i]
}

// A View reads one snapshot: an Update committed while it runs is not seen.
func testViewSnapshot(t *testing.T, open Open) {
	e := open(t)
	update(t, e, func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		must(t, err)
		return b.Put([]byte("k"), []byte("before"))
	})
	view(t, e, func(tx kv.Tx) error {
		if got := tx.Bucket([]byte("b")).Get([]byte("k")); string(got) != "before" {
			t.Fatalf("k = %q", got)
		}
		done := make(chan error)
		go func() {
			done <- e.Update(func(tx kv.Tx) error {
				return tx.Bucket([]byte("b")).Put([]byte("k"), []byte("after"))
			})
		}()
		must(t, <-done)
		if got := tx.Bucket([]byte("b")).Get([]byte("k")); string(got) != "before" {
			t.Errorf("a View saw a later commit: k = %q", got)
		}
		return nil
	})
}

// Updates run one at a time: read-increment-write from many goroutines
// ends at the exact sum.
func testUpdatesSerialise(t *testing.T, open Open) {
	e := open(t)
	Increments(t, []kv.Engine{e}, 8, 10)
}

// Increments has goroutines on each engine (all on one store) each
// increment one counter n times, each increment a read and a write in one
// Update, and fails the test unless the counter ends at the exact sum.
func Increments(t *testing.T, engines []kv.Engine, goroutines, n int) {
	t.Helper()
	update(t, engines[0], func(tx kv.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte("count"))
		return err
	})
	var wg sync.WaitGroup
	errs := make(chan error, len(engines)*goroutines)
	for _, e := range engines {
		for range goroutines {
			wg.Go(func() {
				for range n {
					err := e.Update(func(tx kv.Tx) error {
						b := tx.Bucket([]byte("count"))
						var c uint64
						if v := b.Get([]byte("c")); v != nil {
							c = binary.BigEndian.Uint64(v)
						}
						return b.Put([]byte("c"), binary.BigEndian.AppendUint64(nil, c+1))
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	view(t, engines[0], func(tx kv.Tx) error {
		v := tx.Bucket([]byte("count")).Get([]byte("c"))
		if got, want := binary.BigEndian.Uint64(v), uint64(len(engines)*goroutines*n); got != want {
			t.Errorf("counter at %d, want %d: updates interleaved", got, want)
		}
		return nil
	})
}
