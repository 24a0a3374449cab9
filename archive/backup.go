package archive

import (
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a copy of the archive file to w as it is at one
// transaction, while writers go on (bbolt keeps the pages the copy reads
// until it ends), and returns the bytes written. The copy is a sound
// archive in its own right.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
