package pgkv_test

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"herald/archive/kv"
	"herald/archive/kv/kvtest"
	"herald/internal/pgtest"
)

// FuzzCursorOrder writes and deletes the keys ops spells (each op: a byte
// whose low bits are the key's length less one and whose high bit means
// delete, then the key) and checks the cursor against a sorted map.
func FuzzCursorOrder(f *testing.F) {
	e := open(f, pgtest.DB(f))
	f.Add([]byte("\x00a\x01ab\x80a\x02\x00\x00\x00\x00\xff\x01\xff\x00"))
	f.Add([]byte("\x02zzz\x01zz\x00z\x81zz\x00\x7f"))
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, ops []byte) {
		name := fmt.Appendf(nil, "f%d", n.Add(1))
		model := map[string]string{}
		must(t, e.Update(func(tx kv.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for i := 0; i < len(ops); {
				op := ops[i]
				end := min(i+1+1+int(op&3), len(ops))
				k := ops[i+1 : end]
				i = end
				if len(k) == 0 {
					break
				}
				if op&0x80 != 0 {
					delete(model, string(k))
					if err := b.Delete(k); err != nil {
						return err
					}
					continue
				}
				v := fmt.Sprint(i)
				model[string(k)] = v
				if err := b.Put(k, []byte(v)); err != nil {
					return err
				}
			}
			return nil
		}))
		kvtest.CheckCursor(t, e, name, model, rand.New(rand.NewPCG(uint64(len(ops)), 1)))
	})
}
