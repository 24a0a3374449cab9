package pgkv

import (
	"cmp"
	"slices"

	"github.com/jackc/pgx/v5"
)

// writes are a transaction's puts and deletes since its last other
// statement, kept as the last write of each key: at a flush the puts
// become one INSERT for them all, where a statement each made the
// server's work per write transaction grow with its writes (a poll of 20
// items is some 300 of them) and the one writer's backend the bound of a
// round. The keys are distinct, so the statements' order does not
// matter; a statement queued between writes (a bucket deleted) first sends
// the writes before it, so order holds where it does.
type writes struct {
	last map[writeKey][]byte // nil: delete (Put stores an empty value as []byte{})
}

type writeKey struct{ bucket, key string }

func (w *writes) len() int { return len(w.last) }

// put keeps value as key's last write; a nil value deletes it.
func (w *writes) put(bucket string, key, value []byte) {
	if w.last == nil {
		w.last = map[writeKey][]byte{}
	}
	w.last[writeKey{bucket, string(key)}] = value
}

// queueInto adds the writes to batch, in key order, and forgets them.
func (w *writes) queueInto(batch *pgx.Batch) {
	if len(w.last) == 0 {
		return
	}
	keys := make([]writeKey, 0, len(w.last))
	for k := range w.last {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b writeKey) int {
		return cmp.Or(cmp.Compare(a.bucket, b.bucket), cmp.Compare(a.key, b.key))
	})
	var putB []string
	var putK, putV [][]byte
	for _, k := range keys {
		v := w.last[k]
		if v != nil {
			putB, putK, putV = append(putB, k.bucket), append(putK, []byte(k.key)), append(putV, v)
			continue
		}
		// A statement a delete: deletes are rare in the archive's writes,
		// and a DELETE joined to an array gets a plan cached while the
		// table is small that scans it whole once it is not (see
		// Prefetch). An INSERT's conflicts are found through the key's
		// index whatever the plan.
		batch.Queue(`DELETE FROM kv WHERE bucket = $1 AND key = $2`, k.bucket, []byte(k.key))
	}
	if len(putK) > 0 {
		batch.Queue(`INSERT INTO kv (bucket, key, value) SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[])
			ON CONFLICT (bucket, key) DO UPDATE SET value = excluded.value`, putB, putK, putV)
	}
	clear(w.last)
}
