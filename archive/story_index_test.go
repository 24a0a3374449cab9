package archive

// White-box tests of the story window: a lookup made before a commit
// (lookStories) and brought up to date in the transaction must find what
// a lookup in the transaction itself finds, whether or not the commits
// since have been folded into the window's map.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

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
				if r.IntN(3) == 0 {
					// As the next write transaction does; until then the
					// commit's articles are found in its batch.
					x.fold()
				}
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
	bboltOnly(t, "the window looked up before the write, from its own commits")
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

// shinglesBefore is shingles as first written, with a string a word: the
// hashes must not change, since the window is rebuilt from stored texts
// and compared with new ones.
func shinglesBefore(text string) []uint64 {
	norm := herald.NormalizeText(text)
	words := strings.Fields(norm)
	if len(words) > 0 && utf8.RuneCountInString(norm)/len(words) > 12 {
		words = words[:0]
		runes := []rune(strings.ReplaceAll(norm, " ", ""))
		for i := range runes {
			words = append(words, string(runes[i]))
		}
		return gramsBefore(words, shingleRunes)
	}
	return gramsBefore(words, shingleWords)
}

func gramsBefore(tokens []string, n int) []uint64 {
	if len(tokens) < n {
		return nil
	}
	th := make([]uint64, len(tokens))
	for i, t := range tokens {
		th[i] = fnv1a(t)
	}
	var out []uint64
	for i := 0; i+n <= len(th); i++ {
		h := uint64(n)
		for _, x := range th[i : i+n] {
			h = mix(h*0x9e3779b97f4a7c15 ^ x)
		}
		out = append(out, h)
	}
	return out
}

func FuzzShinglesUnchangedWhiteBox(f *testing.F) {
	for _, s := range []string{
		"", "one", "SEOUL, Dec. 7 (Yonhap) -- The harbour reopened on Monday after the storm, officials said.",
		"北京时间12月7日，港口在风暴过后于周一重新开放，官员表示渡轮已恢复运行。", "東京 — 台風の後、港は月曜日に再開した",
		"Café naïve résumé\u00a0and\u2003spaces\tand\nlines", "किम काम नाम", "bad \xe4 \xb8\xad utf-8 \xff words here and more",
		"ข่าวภาษาไทยไม่มีช่องว่างระหว่างคำในประโยคนี้เลย",
		"北京时间十二月七日港口在风暴过后于周一重新开放，官员表示渡轮已恢复运行并且航班也已经恢复正常。",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := shingles(text), shinglesBefore(text); !slices.Equal(got, want) {
			t.Errorf("shingles(%q) = %x, want %x", text, got, want)
		}
	})
}
