package archive

import (
	"io"

	"herald/archive/kv"
	"herald/archive/kv/boltkv"
)

// Backup writes a copy of the archive file to w as it is at one
// transaction, while writers go on (bbolt keeps the pages the copy reads
// until it ends), and returns the bytes written. The copy is a sound
// archive in its own right. Only a bbolt file has one.
func (db *DB) Backup(w io.Writer) (int64, error) {
	if db.store.bolt == nil {
		return 0, fileOnly("backup", "use pg_dump")
	}
	var n int64
	err := db.store.View(func(tx kv.Tx) (err error) {
		n, err = boltkv.RawTx(tx).WriteTo(w)
		return err
	})
	return n, err
}
