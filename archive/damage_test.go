package archive

// White-box: the corruption corpus is made by finding pages of each kind
// in the file, which takes the page reader of salvage.go.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"herald/archive/kv"
)

// damageCase is a damaged copy of a sound archive.
type damageCase struct {
	name string
	data []byte
	// intact says every article's record is still in the file: salvage
	// must give back the whole export.
	intact bool
}

// soundArchive builds an archive of n articles over a few feeds, closes it
// and returns its path and jsonl export.
func soundArchive(t *testing.T, n int) (string, string) {
	t.Helper()
	defer func(start time.Time) { t.Logf("built an archive of %d articles in %v", n, time.Since(start)) }(time.Now())
	db := openTest(t)
	for i := 0; i < n; i += 20 {
		var es []entry
		for j := i; j < min(i+20, n); j++ {
			es = append(es, entry{
				guid: fmt.Sprint("g", j), url: fmt.Sprintf("https://site.example/%d", j),
				title: fmt.Sprint("Story ", j), text: longText(fmt.Sprint("Story number ", j)),
				published: t0.Add(time.Duration(j) * time.Minute), tags: []string{"news", fmt.Sprint("t", j%3)},
			})
		}
		ingest(t, db, fmt.Sprint("feed", i%3), es...)
	}
	want := exportString(t, db, FormatJSONL)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return db.Path(), want
}

// pagesOf sorts the pages of a sound file by kind.
func pagesOf(t *testing.T, data []byte) (ps int, meta metaPage, branch, leaf []uint64) {
	t.Helper()
	r := bytes.NewReader(data)
	m0, m1 := readMeta(r, 0, 0), readMeta(r, defaultPage, 1)
	if m0.err != nil || m1.err != nil {
		t.Fatalf("meta pages: %v, %v", m0.err, m1.err)
	}
	meta = m0
	if m1.txid > m0.txid {
		meta = m1
	}
	// Only pages the tree reaches: damage to a freed page is harmless.
	var found problems
	w := pageWalk{pager: pager{r: r, size: int64(len(data)), ps: meta.pageSize}, hwm: meta.hwm, seen: map[uint64]bool{}, ps: &found}
	w.bucket(meta.root, nil, "root")
	if len(found.list) > 0 {
		t.Fatalf("the sound archive: %v", found.list)
	}
	for id := range w.seen {
		pg, _ := w.page(id)
		switch {
		case pg.flags() == branchPageFlag:
			branch = append(branch, id)
		case pg.flags() == leafPageFlag:
			leaf = append(leaf, id)
		}
	}
	slices.Sort(branch)
	slices.Sort(leaf)
	return meta.pageSize, meta, branch, leaf
}

// damageCorpus damages the sound file data in every way the corpus covers.
func damageCorpus(t *testing.T, data []byte) []damageCase {
	ps, meta, branch, leaf := pagesOf(t, data)
	if len(branch) == 0 || len(leaf) < 10 {
		t.Fatalf("the sound archive has %d branch and %d leaf pages: too small to damage usefully", len(branch), len(leaf))
	}
	var cases []damageCase
	add := func(name string, intact bool, change func(b []byte) []byte) {
		cases = append(cases, damageCase{name: name, data: change(slices.Clone(data)), intact: intact})
	}
	// Truncation, at and around page boundaries and all through the file.
	cuts := []int{1, 15, 100, ps - 1, ps, ps + 1, 2*ps - 1, 2 * ps, 2*ps + 17, 3 * ps}
	used := int(meta.hwm) * ps // bbolt grows the file ahead of use
	for i := 1; i < 24; i++ {
		cuts = append(cuts, used*i/24)
	}
	cuts = append(cuts, used-ps, used-1)
	for _, n := range cuts {
		add(fmt.Sprintf("truncated at %d of %d", n, len(data)), false, func(b []byte) []byte { return b[:n] })
	}
	add("zero length", false, func([]byte) []byte { return nil })
	add("a text file", false, func([]byte) []byte { return []byte("feeds:\n  - url: https://example.org/feed.xml\n") })
	add("a PNG", false, func([]byte) []byte {
		return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 3*ps)...)
	})
	r := rand.New(rand.NewPCG(12, 8))
	random := func(b []byte, id uint64) {
		for i := range ps {
			b[int(id)*ps+i] = byte(r.Uint32())
		}
	}
	flip := func(b []byte, off int) { b[off] ^= 0x5a }
	cur := meta.txid % 2
	// Meta pages: the newer one damaged (bbolt opens the older one and
	// loses the last commit), the older one, both.
	add("meta page of the last commit flipped", false, func(b []byte) []byte { flip(b, int(cur)*ps+16+48); return b })
	add("older meta page flipped", true, func(b []byte) []byte { flip(b, int(1-cur)*ps+16+40); return b })
	add("both meta pages flipped", true, func(b []byte) []byte { flip(b, 16+8); flip(b, ps+16+8); return b })
	add("meta page 0 random", true, func(b []byte) []byte { random(b, 0); return b })
	add("meta page 1 random", true, func(b []byte) []byte { random(b, 1); return b })
	if meta.freelist != noFreelist {
		fl := int(meta.freelist) * ps
		add("freelist page header flipped", true, func(b []byte) []byte { flip(b, fl+8); return b })
		add("freelist page count flipped", true, func(b []byte) []byte { flip(b, fl+10); return b })
		add("freelist page random", true, func(b []byte) []byte { random(b, meta.freelist); return b })
	}
	for i, id := range []uint64{branch[0], branch[len(branch)-1]} {
		off := int(id) * ps
		add(fmt.Sprintf("branch page %d type flipped", i), true, func(b []byte) []byte { flip(b, off+8); return b })
		add(fmt.Sprintf("branch page %d id flipped", i), true, func(b []byte) []byte { flip(b, off+1); return b })
		add(fmt.Sprintf("branch page %d child flipped", i), true, func(b []byte) []byte { flip(b, off+16+9); return b })
		add(fmt.Sprintf("branch page %d random", i), true, func(b []byte) []byte { random(b, id); return b })
	}
	for i, id := range []uint64{leaf[0], leaf[len(leaf)/2], leaf[len(leaf)-1]} {
		off := int(id) * ps
		add(fmt.Sprintf("leaf page %d type flipped", i), false, func(b []byte) []byte { flip(b, off+8); return b })
		add(fmt.Sprintf("leaf page %d count flipped", i), false, func(b []byte) []byte { flip(b, off+11); return b })
		add(fmt.Sprintf("leaf page %d element flipped", i), false, func(b []byte) []byte { flip(b, off+16+5); return b })
		add(fmt.Sprintf("leaf page %d random", i), false, func(b []byte) []byte { random(b, id); return b })
	}
	return cases
}

// TestDamagedArchive opens, reads, verifies and salvages every file of the
// corruption corpus. Every open and read either works or says ErrDamaged,
// never panics or faults; Verify reports every case; nothing changes the
// file's bytes; and salvage gives back only articles as they were, all of
// them when no article's record was hit.
func TestDamagedArchive(t *testing.T) {
	bboltOnly(t, "damage to a file")
	path, want := soundArchive(t, 600)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// bbolt grows the file ahead of use, with zeros: the corpus damages
	// the pages in use.
	_, meta, _, _ := pagesOf(t, data)
	data = data[:meta.hwm*uint64(meta.pageSize)]
	wantLines := strings.SplitAfter(want, "\n")
	wantSet := map[string]bool{}
	for _, l := range wantLines {
		wantSet[l] = true
	}
	cases := damageCorpus(t, data)
	salvagedAll, refused := 0, 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "herald.db")
			if err := os.WriteFile(p, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if readAll(t, p) > 0 {
				refused++
			}
			problems, err := Verify(p, Options{})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if len(problems) == 0 {
				t.Errorf("verify found nothing wrong")
			}
			var out bytes.Buffer
			res, err := Salvage(p, &out)
			if err != nil {
				t.Fatalf("salvage: %v", err)
			}
			for _, l := range strings.SplitAfter(out.String(), "\n") {
				if !wantSet[l] {
					t.Errorf("salvage wrote an article that was not in the archive: %.200s", l)
				}
			}
			if c.intact && out.String() != want {
				t.Errorf("salvage gave %d of %d articles, all of whose records are intact", res.Articles, len(wantLines)-1)
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, c.data) {
				t.Errorf("reading the damaged file changed it")
			}
			salvagedAll += res.Articles
			t.Logf("%d problems (first: %v); salvaged %d articles", len(problems), problems[0], res.Articles)
		})
	}
	t.Logf("corpus: %d cases of a %d-byte archive of %d articles; %d refused by a read-only open or read; %d articles salvaged in all",
		len(cases), len(data), len(wantLines)-1, refused, salvagedAll)
}

// readAll opens the file read-only and reads it every way a command does:
// each either works or returns an error (a panic fails the test, a fault
// kills it). It returns how many of them failed.
func readAll(t *testing.T, path string) (failed int) {
	t.Helper()
	check := func(what string, err error) {
		if err != nil {
			failed++
		}
	}
	db, err := Open(path, Options{ReadOnly: true})
	check("open", err)
	if err != nil {
		return
	}
	defer db.Close()
	_, err = db.Stats()
	check("stats", err)
	_, err = db.FeedStates()
	check("feed states", err)
	_, err = db.Export(context.Background(), &bytes.Buffer{}, FormatJSONL, Query{})
	check("export", err)
	_, _, err = db.Recent(Query{Limit: 50})
	check("recent", err)
	return failed
}

// TestVerifySoundArchive: a sound archive has no problems, and reading it
// read-only leaves its bytes as they were.
func TestVerifySoundArchive(t *testing.T) {
	bboltOnly(t, "verify of a file")
	path, _ := soundArchive(t, 200)
	before, _ := os.ReadFile(path)
	if n := readAll(t, path); n > 0 {
		t.Errorf("%d reads of a sound archive failed", n)
	}
	problems, err := Verify(path, Options{})
	if err != nil || len(problems) > 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("reading a sound archive read-only changed its bytes")
	}
}

// TestReadOnlyNeverCreates: a read-only open of a missing file fails with
// ErrNoArchive and leaves no file behind; an empty file is refused, not
// made an archive, by every open.
func TestReadOnlyNeverCreates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "herlad.db")
	if _, err := Open(p, Options{ReadOnly: true}); !errors.Is(err, ErrNoArchive) {
		t.Errorf("read-only open of a missing file: %v, want ErrNoArchive", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only open left a file behind: %v", err)
	}
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{true, false} {
		if _, err := Open(p, Options{ReadOnly: ro}); !errors.Is(err, ErrDamaged) {
			t.Errorf("open (read-only %v) of an empty file: %v, want ErrDamaged", ro, err)
		}
	}
	if info, _ := os.Stat(p); info.Size() != 0 {
		t.Errorf("opening an empty file wrote %d bytes to it", info.Size())
	}
}

// TestVerifyIndexes: sound pages with broken indexes are Herald's own
// damage, which bbolt's check cannot see; Verify names each.
func TestVerifyIndexes(t *testing.T) {
	bboltOnly(t, "verify of a file")
	path, _ := soundArchive(t, 40)
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.store.Update(func(tx kv.Tx) error {
		byTime := tx.Bucket(bucketByTime)
		k, _ := byTime.Cursor().First()
		if err := byTime.Delete(k); err != nil {
			return err
		}
		if err := tx.Bucket(bucketByTag).Put([]byte("stray\x00\x00\x00\x00\x00\x00\x00\x00\x01nosuch"), nil); err != nil {
			return err
		}
		uk, _ := tx.Bucket(bucketByURL).Cursor().Last()
		first, _ := tx.Bucket(bucketArticles).Cursor().First()
		return tx.Bucket(bucketByURL).Put(uk, appendID(nil, string(first)))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	problems, err := Verify(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(problems)
	for _, want := range []string{"by_time: ", "is missing", "by_tag: ", "nosuch", "by_url: ", "which does not have it"} {
		if !strings.Contains(got, want) {
			t.Errorf("verify says %s; nothing about %q", got, want)
		}
	}
}
