package archive

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// A claimSet answers as a map would, across merges, for packed ids, long
// ids and releases, and for claims changed after they merged.
func TestClaimSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := newClaimSet()
	model := map[fingerprint]string{}
	keys := make([]fingerprint, 300)
	for i := range keys {
		keys[i] = keyOf(fmt.Append(nil, i)).fp
	}
	values := []string{"", string(appendID(nil, "0123456789abcdef0123456789abcdef")), string(appendID(nil, "imported-1")), string(appendID(nil, "fedcba9876543210fedcba9876543210"))}
	for step := range 3000 {
		fp, val := keys[r.IntN(len(keys))], values[r.IntN(len(values))]
		s.put(fp, val)
		model[fp] = val
		if r.IntN(50) == 0 {
			s.merge()
		}
		if step%100 == 99 {
			if got := s.all(); !maps.Equal(got, model) {
				t.Fatalf("step %d: set holds %d claims, want %d", step, len(got), len(model))
			}
			for _, fp := range keys {
				got, ok := s.get(fp)
				want, wok := model[fp]
				if got != want || ok != wok {
					t.Fatalf("step %d: get(%x) = %q, %v; want %q, %v", step, fp, got, ok, want, wok)
				}
			}
		}
	}
	s.merge()
	if len(s.fresh) != 0 || len(s.sorted) != len(model) {
		t.Errorf("after merging: %d fresh, %d sorted; want 0 and %d", len(s.fresh), len(s.sorted), len(model))
	}
	long := 0
	for _, v := range model {
		if v == values[2] {
			long++
		}
	}
	if len(s.long) != long {
		t.Errorf("%d long ids kept, want %d", len(s.long), long)
	}
}
