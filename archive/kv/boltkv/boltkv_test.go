package boltkv_test

import (
	"errors"
	"path/filepath"
	"testing"

	"herald/archive/kv"
	"herald/archive/kv/boltkv"
	"herald/archive/kv/kvtest"

	bolt "go.etcd.io/bbolt"
)

func open(t *testing.T) *boltkv.Engine {
	t.Helper()
	// A file mapped larger than it grows: bbolt remaps a growing file only
	// once every read transaction has ended, so an Update committed while
	// a View waits for it (kvtest's snapshot test) would deadlock. The
	// archive maps its first gigabyte at once for the same reason.
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), 0o600, &bolt.Options{InitialMmapSize: 1 << 24})
	if err != nil {
		t.Fatal(err)
	}
	e := boltkv.New(db)
	t.Cleanup(func() { e.Close() })
	return e
}

// A missing bucket must be a nil interface: the archive tests b == nil.
func TestMissingBucketIsNil(t *testing.T) {
	e := open(t)
	err := e.View(func(tx kv.Tx) error {
		if b := tx.Bucket([]byte("none")); b != nil {
			t.Errorf("missing bucket is %#v, not nil", b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestErrorsAreKVs(t *testing.T) {
	e := open(t)
	err := e.Update(func(tx kv.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte("b"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.Update(func(tx kv.Tx) error { return tx.DeleteBucket([]byte("none")) })
	if !errors.Is(err, kv.ErrBucketNotFound) {
		t.Errorf("DeleteBucket of a missing bucket: %v, want kv.ErrBucketNotFound", err)
	}
	err = e.View(func(tx kv.Tx) error {
		if tx.Writable() {
			t.Error("a View transaction is writable")
		}
		return tx.Bucket([]byte("b")).Put([]byte("k"), []byte("v"))
	})
	if !errors.Is(err, kv.ErrTxNotWritable) {
		t.Errorf("Put in View: %v, want kv.ErrTxNotWritable", err)
	}
}

func TestBucketAndCursor(t *testing.T) {
	e := open(t)
	err := e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		for _, k := range []string{"c", "a", "b", "d"} {
			if err := b.Put([]byte(k), []byte("v"+k)); err != nil {
				return err
			}
		}
		if n, err := b.NextSequence(); err != nil || n != 1 {
			t.Errorf("NextSequence = %d, %v", n, err)
		}
		if err := b.SetSequence(41); err != nil {
			return err
		}
		if n, _ := b.NextSequence(); n != 42 || b.Sequence() != 42 {
			t.Errorf("after SetSequence(41): NextSequence %d, Sequence %d", n, b.Sequence())
		}
		c := b.Cursor()
		if k, v := c.Seek([]byte("bb")); string(k) != "c" || string(v) != "vc" {
			t.Errorf("Seek(bb) = %q %q", k, v)
		}
		if err := c.Delete(); err != nil {
			return err
		}
		if k, _ := c.Next(); string(k) != "d" {
			t.Errorf("Next after Delete = %q, want d", k)
		}
		if k, _ := c.Prev(); string(k) != "b" {
			t.Errorf("Prev = %q, want b", k)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys string
	err = e.View(func(tx kv.Tx) error {
		return tx.Bucket([]byte("b")).ForEach(func(k, _ []byte) error {
			keys += string(k)
			return nil
		})
	})
	if err != nil || keys != "abd" {
		t.Errorf("keys %q, %v; want abd", keys, err)
	}
}

func TestRawAccess(t *testing.T) {
	e := open(t)
	if boltkv.Raw(e) != e.DB() || boltkv.Raw(nil) != nil {
		t.Error("Raw does not give the engine's bbolt file")
	}
	err := e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		if boltkv.RawTx(tx) == nil || boltkv.RawBucket(b) == nil {
			t.Error("no raw transaction or bucket under a bbolt one")
		}
		if boltkv.RawBucket(nil) != nil || boltkv.RawTx(nil) != nil {
			t.Error("raw access to nil is not nil")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Deleting every key while walking with Next visits and deletes them all.
func TestDeleteWhileWalking(t *testing.T) {
	e := open(t)
	var seen string
	err := e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		for _, k := range []string{"a", "b", "c", "d", "e"} {
			if err := b.Put([]byte(k), nil); err != nil {
				return err
			}
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			seen += string(k)
			if err := c.Delete(); err != nil {
				return err
			}
		}
		if k, _ := b.Cursor().First(); k != nil {
			t.Errorf("key %q left after deleting every key", k)
		}
		return nil
	})
	if err != nil || seen != "abcde" {
		t.Errorf("visited %q, %v; want abcde", seen, err)
	}
}

func TestConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Engine { return open(t) })
}
