package archive

// White-box tests of the story window: a lookup made before a commit
// (lookStories) and brought up to date in the transaction must find what
// a lookup in the transaction itself finds.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"herald"
	"herald/archive/kv"
)

// storyModel is the window as a list: every article committed, in order.
type storyModel struct {
	window int
	all    []storyEntry
}

// newest is the newest article of the window with key k.
func (m *storyModel) newest(k uint64) (string, bool) {
	for i := len(m.all) - 1; i >= 0 && i >= len(m.all)-m.window; i-- {
		if slices.Contains(m.all[i].keys, k) {
			return m.all[i].id, true
		}
	}
	return "", false
}

func (m *storyModel) candidates(keys []uint64, pending *pendingStories) []string {
	var ids []string
	for _, k := range keys {
		if id, ok := m.newest(k); ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		for i := len(pending.entries) - 1; i >= 0; i-- {
			if id := pending.entries[i].id; slices.Contains(pending.entries[i].keys, k) {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
				break
			}
		}
	}
	return ids
}

func TestStoryIndexLooksWhiteBox(t *testing.T) {
	for _, window := range []int{1, 2, 5, 40} {
		t.Run(fmt.Sprint("window=", window), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(window), 3))
			keys := func() []uint64 {
				ks := make([]uint64, 1+r.IntN(5))
				for i := range ks {
					ks[i] = uint64(r.IntN(30))
				}
				return slices.Compact(ks)
			}
			var x storyIndex
			x.init(window)
			m := storyModel{window: window}
			type pendingLook struct {
				keys []uint64
				look storyLook
			}
			var looks []pendingLook
			n := 0
			for commit := range 300 {
				// Items prepared now, committed some commits later.
				for range r.IntN(4) {
					ks := keys()
					looks = append(looks, pendingLook{ks, x.look(ks)})
				}
				var pending pendingStories
				for range r.IntN(2 * window) {
					for j, l := range looks {
						got := x.candidates(l.keys, &pending, &l.look)
						again := x.candidates(l.keys, &pending, nil)
						want := m.candidates(l.keys, &pending)
						if !slices.Equal(got, want) || !slices.Equal(again, want) {
							t.Fatalf("commit %d, look %d (at %d of %d): candidates %v, looked up afresh %v, want %v",
								commit, j, l.look.at, x.added, got, again, want)
						}
					}
					n++
					pending.add(storyEntry{id: fmt.Sprint("a", n), keys: keys()})
				}
				x.commit(&pending)
				m.all = append(m.all, pending.entries...)
				if r.IntN(10) == 0 {
					// An article added otherwise than by a commit, as
					// on open.
					n++
					e := storyEntry{id: fmt.Sprint("a", n), keys: keys()}
					x.add(e)
					m.all = append(m.all, e)
				}
				// Drop some looks, keeping some that outlive keptBatches.
				looks = slices.DeleteFunc(looks, func(pendingLook) bool { return r.IntN(4) == 0 })
			}
			// Up to 5 keys an article: the window's, and those of the
			// half window gone since the last sweep.
			if most := 5 * (window + max(window/2, 1)); len(x.bands) > most {
				t.Errorf("%d keys in the map of a window of %d articles, want at most %d", len(x.bands), window, most)
			}
		})
	}
}

// A candidate verified before the transaction whose record changed
// before it is verified again: here its text was revised into another
// story's, so the item it matched no longer joins it.
func TestStoryVerdictRecheckedWhiteBox(t *testing.T) {
	paras := func(topic string) string {
		var ps []string
		for i := range 12 {
			ps = append(ps, fmt.Sprintf("Paragraph %d on %s: what officials said on the record, what the figures show, and what comes next for %s.", i, topic, topic))
		}
		return strings.Join(ps, "\n\n")
	}
	base, other := paras("the harbour"), paras("the election")
	for _, revised := range []bool{false, true} {
		t.Run(fmt.Sprint("revised=", revised), func(t *testing.T) {
			db := openTest(t)
			ingest(t, db, "wire", entry{guid: "1", url: "https://wire.example/1", title: "Harbour", text: base})
			copyItem := entry{feed: "outlet", guid: "1", url: "https://outlet.example/1", title: "Port", text: "SEOUL (Yonhap) -- " + base}.item()
			p, err := db.prepare(copyItem, db.now())
			if err != nil {
				t.Fatal(err)
			}
			prepared := []item{p}
			if err := db.lookStories(prepared); err != nil {
				t.Fatal(err)
			}
			if len(prepared[0].story.verdicts) != 1 || !prepared[0].story.verdicts[0].ok {
				t.Fatalf("verdicts before the transaction: %+v, want the wire story verified", prepared[0].story.verdicts)
			}
			if revised {
				if res := ingest(t, db, "wire", entry{guid: "1", url: "https://wire.example/1", title: "Election", text: other}); res.Updated != 1 {
					t.Fatalf("revision: %+v", res)
				}
			}
			var id string
			err = db.commit(func(tx kv.Tx, texts *claimView) error {
				w := newWriteTx(tx, texts, db.now())
				id, _, err = w.dedupe(&prepared[0])
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var got herald.Article
			for _, a := range all(t, db, Query{}) {
				if a.ID == id {
					got = a
				}
			}
			if joined := got.StoryID() != id; joined == revised {
				t.Errorf("copy's story %q (own id %s): joined %v, want %v", got.Story, id, joined, !revised)
			}
		})
	}
}
