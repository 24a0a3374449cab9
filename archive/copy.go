package archive

import (
	"context"
	"fmt"

	"herald/archive/kv"
)

// copyBatch bounds the stored pages one transaction of CopyPages writes.
const copyBatch = 16 << 20

// CopyPages stores every page of from in db as it is stored (no decoding),
// replacing any db held under the same id, a few megabytes per
// transaction: what a migration copies beside the export, which holds
// articles only. It returns how many pages it copied.
func (db *DB) CopyPages(ctx context.Context, from *DB) (int, error) {
	type page struct{ id, data []byte }
	var batch []page
	size, n := 0, 0
	flush := func() error {
		err := db.store.Update(func(tx kv.Tx) error {
			b := tx.Bucket(bucketPages)
			for _, p := range batch {
				if err := putPage(b, string(p.id), p.data); err != nil {
					return err
				}
			}
			return nil
		})
		n += len(batch)
		batch, size = batch[:0], 0
		return err
	}
	err := from.store.View(func(tx kv.Tx) error {
		c := tx.Bucket(bucketPages).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			// k and v live as long as from's transaction; the batch is
			// written in db's, so they are copied.
			batch = append(batch, page{append([]byte(nil), k...), append([]byte(nil), v...)})
			if size += len(k) + len(v); size >= copyBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return n, fmt.Errorf("copy pages: %w", err)
	}
	return n, nil
}
