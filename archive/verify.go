package archive

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"herald"
	"herald/archive/kv"
	"herald/archive/kv/boltkv"

	bolt "go.etcd.io/bbolt"
)

// Problem is one thing Verify found wrong, and where.
type Problem struct {
	Where string // "file", "meta page 0", "bbolt", a bucket, "article ID"
	What  string
}

func (p Problem) String() string { return p.Where + ": " + p.What }

// maxProblems bounds what Verify lists of one kind; the rest are counted.
const maxProblems = 50

// problems collects Problems, at most maxProblems per Where.
type problems struct {
	list []Problem
	more map[string]int
}

func (ps *problems) add(where, format string, args ...any) {
	n := 0
	for _, p := range ps.list {
		if p.Where == where {
			n++
		}
	}
	if n >= maxProblems {
		if ps.more == nil {
			ps.more = map[string]int{}
		}
		ps.more[where]++
		return
	}
	ps.list = append(ps.list, Problem{where, fmt.Sprintf(format, args...)})
}

func (ps *problems) done() []Problem {
	for where, n := range ps.more {
		ps.list = append(ps.list, Problem{where, fmt.Sprintf("and %d more problems", n)})
	}
	return ps.list
}

// Verify checks the whole archive file at path without writing to it: its
// meta pages and size, every page through bbolt's own check, and Herald's
// layout and index invariants (db.go). It returns what is wrong, nothing
// when the file is sound; an error means it could not look (no file, or
// another process holds it).
func Verify(path string, o Options) ([]Problem, error) {
	if IsPostgres(path) {
		return nil, fileOnly("verify", "PostgreSQL checks its own pages (amcheck)")
	}
	var ps problems
	fc, err := inspectFile(path, true)
	if errors.Is(err, ErrDamaged) {
		ps.add("file", "%v", err)
		return ps.done(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	if fb := fc.fallback(); fb != "" {
		ps.add(fmt.Sprintf("meta page %d", 1-fc.use), "%s", fb)
	}
	if walkPages(path, fc, &ps); len(ps.list) > len(ps.more) && ps.list[len(ps.list)-1].Where == "page" {
		// bbolt's check reads pages as they claim to be, in a goroutine of
		// its own, where a fault is no panic: it runs on sound pages only.
		return ps.done(), nil
	}
	timeout := o.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	var bdb *bolt.DB
	err = guard(func() (err error) {
		bdb, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: true})
		return err
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("verify %s: %w", path, ErrLocked)
	}
	if err != nil {
		ps.add("file", "%v", err)
		return ps.done(), nil
	}
	defer bdb.Close()
	verifyTx(newStore(boltkv.New(bdb)), &ps)
	return ps.done(), nil
}

// verifyTx checks a bbolt file through bbolt, then Herald's layout and indexes.
func verifyTx(s store, ps *problems) {
	err := s.View(func(tx kv.Tx) error {
		for err := range boltkv.RawTx(tx).Check() {
			ps.add("bbolt", "%v", err)
		}
		return nil
	})
	if err != nil {
		ps.add("bbolt", "%v", err)
	}
	if len(ps.list) > 0 {
		return // the pages are not sound: reading the buckets may only add noise
	}
	err = s.View(func(tx kv.Tx) error {
		if err := checkLayout(tx); err != nil {
			ps.add("layout", "%v", err)
			return nil
		}
		verifyIndexes(tx, ps)
		return nil
	})
	if err != nil {
		ps.add("indexes", "%v", err)
	}
}

// verifyIndexes checks the invariants of db.go's layout comment: every
// article decodes under its own id, and every index holds exactly the
// entries the articles call for (by_key, by_time, by_feed, by_tag), or
// maps only to an article that has the key (by_url, the text claims). It
// reads the articles once and looks each of their entries up, then walks
// an index only when it holds more entries than the articles call for.
func verifyIndexes(tx kv.Tx, ps *problems) {
	arts := tx.Bucket(bucketArticles)
	exact := []kv.Bucket{tx.Bucket(bucketByKey), tx.Bucket(bucketByTime), tx.Bucket(bucketByFeed), tx.Bucket(bucketByTag)}
	found := make([]int, len(exact))
	arts.ForEach(func(k, rec []byte) error {
		a, err := decodeRecord(rec)
		if err != nil {
			ps.add("articles", "%q: corrupt record: %v", k, err)
			return nil
		}
		if a.ID != string(k) {
			ps.add("articles", "record stored under %q has id %q", k, a.ID)
			return nil
		}
		for i, b := range exact {
			for _, key := range indexKeys(exactName(i), a) {
				v := b.Get(key)
				switch {
				case v == nil:
					ps.add(string(exactName(i)), "%q of article %s is missing", key, a.ID)
				case i == 0 && valueID(v) != a.ID:
					ps.add(string(exactName(i)), "%q maps to %q, but article %s has that source", key, valueID(v), a.ID)
				default:
					found[i]++
				}
			}
		}
		return nil
	})
	for i, b := range exact {
		if n := keyCount(b); n > found[i] {
			extraKeys(b, arts, exactName(i), ps)
		}
	}
	verifyClaims(tx, arts, ps)
}

func exactName(i int) []byte {
	return [][]byte{bucketByKey, bucketByTime, bucketByFeed, bucketByTag}[i]
}

// indexKeys returns the keys a calls for in the index named name.
func indexKeys(name []byte, a *herald.Article) [][]byte {
	var keys [][]byte
	switch string(name) {
	case string(bucketByKey):
		for _, s := range a.Sources {
			keys = append(keys, sourceKey(s))
		}
	case string(bucketByTime):
		keys = append(keys, timeIDKey("", a.Published, a.ID))
	case string(bucketByFeed):
		seen := map[string]bool{}
		for _, s := range a.Sources {
			if !seen[s.Feed] {
				seen[s.Feed] = true
				keys = append(keys, timeIDKey(feedPrefix(s.Feed), a.Published, a.ID))
			}
		}
	default:
		for _, t := range a.Tags {
			keys = append(keys, timeIDKey(tagPrefix(t), a.Published, a.ID))
		}
	}
	return keys
}

// extraKeys reports the keys of b that no article calls for.
func extraKeys(b, arts kv.Bucket, name []byte, ps *problems) {
	b.ForEach(func(k, v []byte) error {
		id := indexedID(name, k, v)
		rec := arts.Get([]byte(id))
		if rec == nil {
			ps.add(string(name), "%q names article %q, which is not in articles", k, id)
			return nil
		}
		a, err := decodeRecord(rec)
		if err != nil {
			return nil // reported with the articles
		}
		for _, want := range indexKeys(name, a) {
			if bytes.Equal(want, k) {
				return nil
			}
		}
		ps.add(string(name), "%q is not a key article %s calls for", k, id)
		return nil
	})
}

// indexedID is the article an index entry names: by_key's value, or the
// id that ends a time key (after the prefix's NUL and the time).
func indexedID(name, k, v []byte) string {
	if bytes.Equal(name, bucketByKey) {
		return valueID(v)
	}
	if !bytes.Equal(name, bucketByTime) {
		i := bytes.IndexByte(k, 0)
		if i < 0 {
			return ""
		}
		k = k[i+1:]
	}
	if len(k) < timeLen {
		return ""
	}
	return string(k[timeLen:])
}

// verifyClaims checks that by_url and the text claims (text_claims
// overlaid with the claim log) map a key only to an article that has it.
func verifyClaims(tx kv.Tx, arts kv.Bucket, ps *problems) {
	owns := func(where string, k []byte, id string, has func(*herald.Article) bool) {
		a, err := getArticle(arts, id)
		switch {
		case err != nil:
			ps.add(where, "%x maps to %q: %v", k, id, err)
		case !has(a):
			ps.add(where, "%x maps to article %s, which does not have it", k, id)
		}
	}
	tx.Bucket(bucketByURL).ForEach(func(k, v []byte) error {
		owns("by_url", k, valueID(v), func(a *herald.Article) bool { return bytes.Equal(urlKey(a.URL), k) })
		return nil
	})
	texts, log := tx.Bucket(bucketTextClaims), tx.Bucket(bucketClaimLog)
	if texts == nil || log == nil {
		return // an older version's file: its claims are in by_hash until upgraded
	}
	logged := map[fingerprint]string{}
	log.ForEach(func(k, v []byte) error {
		fp, val, err := splitLogRecord(v)
		if err != nil {
			ps.add("claim_log", "%x: %v", k, err)
			return nil
		}
		logged[fp] = string(val)
		return nil
	})
	hasText := func(fp fingerprint) func(*herald.Article) bool {
		return func(a *herald.Article) bool { return textClaim(a) == claimKey{fp, true} }
	}
	texts.ForEach(func(k, v []byte) error {
		if len(k) != len(fingerprint{}) {
			ps.add("text_claims", "%x is not a fingerprint", k)
			return nil
		}
		fp := fingerprint(k)
		if _, ok := logged[fp]; !ok {
			owns("text_claims", k, valueID(v), hasText(fp))
		}
		return nil
	})
	for fp, v := range logged {
		if v != "" {
			owns("claim_log", fp[:], valueID([]byte(v)), hasText(fp))
		}
	}
}

// walkPages reads every page the meta page bbolt opens reaches, through
// every bucket, as salvage does, and reports a page that is not what its
// parent says (id, type, elements inside it, children below the
// high-water mark, each page reached once).
func walkPages(path string, fc *fileCheck, ps *problems) {
	f, err := os.Open(path)
	if err != nil {
		ps.add("file", "%v", err)
		return
	}
	defer f.Close()
	m := fc.metas[fc.use]
	w := pageWalk{pager: pager{r: f, size: fc.size, ps: fc.pageSize}, hwm: m.hwm, seen: map[uint64]bool{}, ps: ps}
	if m.freelist != noFreelist {
		if pg, err := w.page(m.freelist); err != nil {
			ps.add("page", "freelist page %d: %v", m.freelist, err)
		} else if pg.flags()&freelistPageFlag == 0 {
			ps.add("page", "freelist page %d has flags %#x", m.freelist, pg.flags())
		}
	}
	w.bucket(m.root, nil, "root")
}

type pageWalk struct {
	pager
	hwm  uint64
	seen map[uint64]bool
	ps   *problems
}

// bucket walks the tree of a bucket, given its root page or inline page.
func (w *pageWalk) bucket(root uint64, inline []byte, name string) {
	if root == 0 {
		if len(inline) < pageHeaderSize || page(inline).flags()&leafPageFlag == 0 {
			w.ps.add("page", "bucket %s: its inline page is not a leaf page", name)
			return
		}
		w.leaf(page(inline), name, "inline page of bucket "+name)
		return
	}
	w.tree(root, name)
}

func (w *pageWalk) tree(id uint64, name string) {
	where := fmt.Sprintf("page %d (bucket %s)", id, name)
	switch {
	case id < 2 || id >= w.hwm:
		w.ps.add("page", "%s: past the high-water mark %d", where, w.hwm)
		return
	case w.seen[id]:
		w.ps.add("page", "%s: reached twice", where)
		return
	}
	w.seen[id] = true
	pg, err := w.page(id)
	if err != nil {
		w.ps.add("page", "%s: %v", where, err)
		return
	}
	switch {
	case pg.flags() == branchPageFlag:
		if pageHeaderSize+pg.count()*branchElemSize > len(pg) || pg.count() == 0 {
			w.ps.add("page", "%s: branch page of %d elements", where, pg.count())
			return
		}
		for i := range pg.count() {
			e := pg[pageHeaderSize+i*branchElemSize:]
			start := uint64(pageHeaderSize+i*branchElemSize) + uint64(le.Uint32(e))
			if start+uint64(le.Uint32(e[4:])) > uint64(len(pg)) {
				w.ps.add("page", "%s: element %d's key lies outside the page", where, i)
				continue
			}
			w.tree(le.Uint64(e[8:]), name)
		}
	case pg.flags() == leafPageFlag:
		w.leaf(pg, name, where)
	default:
		w.ps.add("page", "%s: flags %#x, neither branch nor leaf", where, pg.flags())
	}
}

// leaf checks a leaf page's elements and walks the buckets it holds.
func (w *pageWalk) leaf(pg page, name, where string) {
	if pageHeaderSize+pg.count()*leafElemSize > len(pg) {
		w.ps.add("page", "%s: leaf page of %d elements", where, pg.count())
		return
	}
	inside := 0
	pg.eachLeaf(func(flags uint32, k, v []byte) {
		inside++
		if flags&bucketLeafFlag == 0 {
			return
		}
		if len(v) < 16 {
			w.ps.add("page", "%s: bucket %q has a %d-byte header", where, k, len(v))
			return
		}
		w.bucket(le.Uint64(v), v[16:], string(k))
	})
	if inside < pg.count() {
		w.ps.add("page", "%s: %d of %d elements lie outside the page", where, pg.count()-inside, pg.count())
	}
}
