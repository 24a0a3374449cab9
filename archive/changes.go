package archive

import (
	"encoding/binary"
	"fmt"

	"herald/archive/kv"
)

// The change log lets an index kept outside the archive (the search index)
// follow it: every write of an article record appends the article's id
// under the next sequence number of bucket changes, in the transaction that
// writes the record. A follower keeps the last sequence it has applied with
// its own data, and on open (or after a crash between the archive's commit
// and its own) applies what came after. So the two never disagree for
// longer than a catch-up, whatever the order of crashes.
//
//	changes   sequence(8, big-endian) -> article id
//	meta      "changes_trimmed" -> uint64 big-endian: the log holds nothing
//	          at or below it (TrimChanges)
var (
	bucketChanges = []byte("changes")
	metaTrimmed   = []byte("changes_trimmed")
)

// logChange appends id to the change log; putRecord calls it for every
// article it writes.
func (w *writeTx) logChange(id string) error {
	if w.changes == nil {
		w.changes = w.tx.Bucket(bucketChanges)
		setFill(w.changes, timeOrderedFill)
	}
	seq, err := w.changes.NextSequence()
	if err != nil {
		return err
	}
	return w.changes.Put(seqKey(seq), []byte(id))
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// ChangeLog is a view of the change log: the newest sequence, the highest
// trimmed one, and the ids of articles written after a sequence.
type ChangeLog struct {
	// Last is the sequence of the newest change, 0 for none.
	Last uint64
	// Trimmed is the highest sequence no longer in the log: a follower
	// that has applied less than it must rebuild from the articles.
	Trimmed uint64
	// IDs are the articles changed after the sequence asked for, up to
	// Next, each once, in the order of their first change.
	IDs []string
	// Next is the sequence to ask from next time (the last one read).
	Next uint64
}

// Changes reads the change log after sequence after, at most max entries
// (max <= 0: all).
func (db *DB) Changes(after uint64, max int) (ChangeLog, error) {
	var l ChangeLog
	err := db.store.View(func(tx kv.Tx) error {
		l = ChangeLog{Next: after}
		if v := tx.Bucket(bucketMeta).Get(metaTrimmed); len(v) == 8 {
			l.Trimmed = binary.BigEndian.Uint64(v)
		}
		b := tx.Bucket(bucketChanges)
		if b == nil { // a file no writer of this version has opened
			return nil
		}
		l.Last = b.Sequence()
		seen := map[string]bool{}
		c := b.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && (max <= 0 || int(l.Next-after) < max); k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("change log: bad key %x", k)
			}
			l.Next = binary.BigEndian.Uint64(k)
			if id := string(v); !seen[id] {
				seen[id] = true
				l.IDs = append(l.IDs, id)
			}
		}
		return nil
	})
	if err != nil {
		return ChangeLog{}, fmt.Errorf("read change log: %w", err)
	}
	return l, nil
}

// TrimChanges deletes the log's entries up to sequence upTo, once every
// follower has applied them.
func (db *DB) TrimChanges(upTo uint64) error {
	err := db.store.Update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketChanges)
		c := b.Cursor()
		for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= upTo; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(metaTrimmed); len(v) == 8 && binary.BigEndian.Uint64(v) >= upTo {
			return nil
		}
		return meta.Put(metaTrimmed, seqKey(upTo))
	})
	if err != nil {
		return fmt.Errorf("trim change log: %w", err)
	}
	return nil
}
