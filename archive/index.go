package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"herald"
	"herald/archive/kv"
)

// Index keys. A time is 8 bytes big-endian: Published in Unix nanoseconds
// with the sign bit flipped, so that dates before 1970 sort first; dates
// outside the int64 range (before 1678, after 2262) are clamped to its ends
// and ordered among themselves by id only. Feed names hold no NUL (checked
// on the way in), so "feed \x00" is an exact prefix. Keys, URLs and tags can
// come from a hostile feed at any length, so long ones are replaced by their
// hash (keyPart) to stay far below bbolt's key limit.

const (
	timeLen     = 8
	maxKeyPart  = 1024
	maxFeedName = 256
	maxIDLen    = 256
)

var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

// nanoInRange reports whether t's Unix nanoseconds fit an int64, so that its
// time key orders it exactly.
func nanoInRange(t time.Time) bool {
	return !t.Before(minNanoTime) && !t.After(maxNanoTime)
}

func timeKey(t time.Time) [timeLen]byte {
	var n int64
	switch {
	case t.Before(minNanoTime):
		n = math.MinInt64
	case t.After(maxNanoTime):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	var k [timeLen]byte
	binary.BigEndian.PutUint64(k[:], uint64(n)^(1<<63))
	return k
}

func keyPart(s string) string {
	if len(s) <= maxKeyPart {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// sourceKey is the by_key key of a source: its feed and its Key, or its
// GUID when Key is empty.
func sourceKey(s herald.Source) []byte {
	return []byte(s.Feed + "\x00" + keyPart(entryKey(s)))
}

func entryKey(s herald.Source) string {
	if s.Key != "" {
		return s.Key
	}
	return s.GUID
}

// urlKey is the by_url key of an article URL, or nil for an empty one.
func urlKey(u string) []byte {
	k := herald.URLKey(u)
	if k == "" {
		return nil
	}
	return []byte(keyPart(k))
}

// hashKey is what an article's text claim is made from (claims.go): its
// content hash when its text is long enough for equal hashes to mean one
// article, else its title and text hashed together when they are long
// enough together (herald.TitledHash), else nil.
func hashKey(a *herald.Article) []byte {
	if a.ContentHash == "" {
		return nil
	}
	if herald.HashIdentifies(a.Text) {
		return []byte(keyPart(a.ContentHash))
	}
	if t := herald.TitledHash(a.Title, a.Text); t != "" {
		return []byte("titled:" + t)
	}
	return nil
}

// timeIDKey is prefix, the time key of t, then id.
func timeIDKey(prefix string, t time.Time, id string) []byte {
	tk := timeKey(t)
	k := make([]byte, 0, len(prefix)+timeLen+len(id))
	k = append(k, prefix...)
	k = append(k, tk[:]...)
	return append(k, id...)
}

func feedPrefix(feed string) string { return feed + "\x00" }
func tagPrefix(tag string) string   { return keyPart(tag) + "\x00" }

// writeTx is a write transaction's view of the article buckets.
type writeTx struct {
	tx                                  kv.Tx
	articles, pages                     kv.Bucket
	byKey, byURL, byTime, byFeed, byTag kv.Bucket
	changes                             kv.Bucket // on first use
	texts                               *claimView
	now                                 time.Time
	changed                             bool
}

func newWriteTx(tx kv.Tx, texts *claimView, now time.Time) *writeTx {
	w := &writeTx{
		tx:       tx,
		articles: tx.Bucket(bucketArticles),
		pages:    tx.Bucket(bucketPages),
		byKey:    tx.Bucket(bucketByKey),
		byURL:    tx.Bucket(bucketByURL),
		texts:    texts,
		byTime:   tx.Bucket(bucketByTime),
		byFeed:   tx.Bucket(bucketByFeed),
		byTag:    tx.Bucket(bucketByTag),
		now:      now,
	}
	// Most writes append to a run of keys: pages split when full, or
	// nearly full, rather than half full, keep the file small. Keys that
	// hold a time after their prefix (article ids, so pages too; the time
	// indexes) are written in order all but rarely, and their pages split
	// full. Keys that follow a feed's GUIDs or URLs are in order only as
	// far as the site's are: they keep room for the odd key that lands
	// in the middle, since a full page splits at every such key.
	for _, b := range []kv.Bucket{w.articles, w.pages, w.byTime, w.byFeed, w.byTag} {
		setFill(b, timeOrderedFill)
	}
	for _, b := range []kv.Bucket{w.byKey, w.byURL} {
		setFill(b, appendFill)
	}
	return w
}

// The FillPercent of buckets whose keys arrive in time order, and of those
// that are mostly appended to.
const (
	timeOrderedFill = 1.0
	appendFill      = 0.9
)

// finish records the change, if any, in meta.
func (w *writeTx) finish() error {
	if !w.changed {
		return nil
	}
	return noteChange(w.tx, w.now)
}

func (w *writeTx) get(id string) (*herald.Article, error) {
	return getArticle(w.articles, id)
}

// insert stores a new article and indexes it.
func (w *writeTx) insert(a *herald.Article) error {
	canonicalTimes(a)
	if err := w.index(a); err != nil {
		return err
	}
	return w.put(a)
}

// replace stores n in place of old (the same id) and moves the index
// entries from the one to the other.
func (w *writeTx) replace(old, n *herald.Article) error {
	if old.ID != n.ID {
		return fmt.Errorf("article %s: id changed to %s", old.ID, n.ID)
	}
	canonicalTimes(n)
	if err := w.reindex(old, n); err != nil {
		return err
	}
	return w.put(n)
}

// reindex moves the index entries of old to n, the same article changed,
// or adds n's when old is nil: it deletes only the entries old has and n
// has not, puts only those n has and old has not, and checks n's URL and
// text claims. A new source (the commonest change) then writes its own
// keys, where removing and adding every entry again also rewrote the pages
// of the URL and text claims, random pages of their indexes. A source that
// already belongs to another article is an error (the caller checks
// first); a URL or hash that another article claimed first is left to it.
func (w *writeTx) reindex(old, n *herald.Article) error {
	oldSrc, newSrc := sourceSet(old), sourceSet(n)
	for k := range oldSrc {
		if _, kept := newSrc[k]; !kept {
			if err := release(w.byKey, []byte(k), n.ID); err != nil {
				return err
			}
		}
	}
	var idv []byte
	for k, s := range newSrc {
		if _, had := oldSrc[k]; had {
			continue
		}
		if o := owner(w.byKey, []byte(k)); o != "" && o != n.ID {
			return fmt.Errorf("article %s: source %s %q already belongs to article %s", n.ID, s.Feed, entryKey(s), o)
		}
		if idv == nil {
			idv = appendID(nil, n.ID)
		}
		if err := w.byKey.Put([]byte(k), idv); err != nil {
			return err
		}
	}
	if err := w.moveTimes(old, n); err != nil {
		return err
	}
	oldURL, oldText := claimKeys(old)
	if err := moveClaim(w.byURL, oldURL, urlKey(n.URL), n.ID); err != nil {
		return err
	}
	return w.texts.move(oldText, textClaim(n), n.ID)
}

// claimKeys are a's key in by_url and its text claim; none for no article.
func claimKeys(a *herald.Article) (url []byte, text claimKey) {
	if a == nil {
		return nil, claimKey{}
	}
	return urlKey(a.URL), textClaim(a)
}

// sourceSet maps the by_key keys of a's sources to them; a may be nil.
func sourceSet(a *herald.Article) map[string]herald.Source {
	if a == nil {
		return nil
	}
	m := make(map[string]herald.Source, len(a.Sources))
	for _, s := range a.Sources {
		m[string(sourceKey(s))] = s
	}
	return m
}

// moveTimes moves the entries of old in the indexes by time (by_time, and
// by_feed and by_tag for each of its feeds and tags) to those of n; old
// may be nil.
func (w *writeTx) moveTimes(old, n *herald.Article) error {
	oldKeys, newKeys := w.timeKeySets(old), w.timeKeySets(n)
	for _, b := range []kv.Bucket{w.byFeed, w.byTime, w.byTag} {
		if err := moveKeys(b, oldKeys[b], newKeys[b]); err != nil {
			return err
		}
	}
	return nil
}

// timeKeySets gathers a's keys in the indexes by time, by index; none for
// a nil article.
func (w *writeTx) timeKeySets(a *herald.Article) map[kv.Bucket]map[string]bool {
	if a == nil {
		return nil
	}
	sets := map[kv.Bucket]map[string]bool{}
	w.eachTimeKey(a, func(b kv.Bucket, k []byte) error {
		if sets[b] == nil {
			sets[b] = map[string]bool{}
		}
		sets[b][string(k)] = true
		return nil
	})
	return sets
}

// eachTimeKey calls fn with each of a's keys in the indexes by time, and
// the index: one in by_feed for each feed, one in by_time, one in by_tag
// for each tag.
func (w *writeTx) eachTimeKey(a *herald.Article, fn func(kv.Bucket, []byte) error) error {
	for _, s := range a.Sources {
		if err := fn(w.byFeed, timeIDKey(feedPrefix(s.Feed), a.Published, a.ID)); err != nil {
			return err
		}
	}
	if err := fn(w.byTime, timeIDKey("", a.Published, a.ID)); err != nil {
		return err
	}
	for _, t := range a.Tags {
		if err := fn(w.byTag, timeIDKey(tagPrefix(t), a.Published, a.ID)); err != nil {
			return err
		}
	}
	return nil
}

// moveKeys deletes from b the keys of old that next lacks and puts those
// of next that old lacks, with no value.
func moveKeys(b kv.Bucket, old, next map[string]bool) error {
	for k := range old {
		if !next[k] {
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	for k := range next {
		if !old[k] {
			if err := b.Put([]byte(k), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// moveClaim releases an article's old claim when its key changed, and
// claims the new key if it is free (as index does).
func moveClaim(b kv.Bucket, old, next []byte, id string) error {
	if !bytes.Equal(old, next) {
		if err := release(b, old, id); err != nil {
			return err
		}
	}
	return claim(b, next, id)
}

func (w *writeTx) put(a *herald.Article) error {
	data, err := encodeArticle(a)
	if err != nil {
		return fmt.Errorf("article %s: %w", a.ID, err)
	}
	return w.putRecord(a.ID, storeRecord(data))
}

// putRecord stores rec, the storeRecord of article id.
func (w *writeTx) putRecord(id string, rec []byte) error {
	if err := w.articles.Put([]byte(id), rec); err != nil {
		return fmt.Errorf("article %s: %w", id, err)
	}
	if err := w.logChange(id); err != nil {
		return fmt.Errorf("article %s: change log: %w", id, err)
	}
	w.changed = true
	return nil
}

// index adds a's entries to every index (see reindex).
func (w *writeTx) index(a *herald.Article) error {
	return w.reindex(nil, a)
}

// indexNew is index for a new article of one source, item p, for which
// dedupe has just looked up the source (free), the URL and the text: it
// puts without looking up again, which is a third of ingest's index work.
func (w *writeTx) indexNew(a *herald.Article, p *item, urlFree, hashFree bool) error {
	id := appendID(make([]byte, 0, 1+idBytes+len(p.entryHash)), a.ID)
	if err := w.byKey.Put(p.srcKey, append(id, p.entryHash...)); err != nil {
		return err
	}
	if urlFree && p.urlKey != nil {
		if err := w.byURL.Put(p.urlKey, id); err != nil {
			return err
		}
	}
	if hashFree {
		if err := w.texts.claimFree(p.text, id); err != nil {
			return err
		}
	}
	return w.putTimes(a)
}

// putTimes puts a new article in the indexes by time: moveTimes from no
// article, without building the sets of keys to compare.
func (w *writeTx) putTimes(a *herald.Article) error {
	return w.eachTimeKey(a, func(b kv.Bucket, k []byte) error { return b.Put(k, nil) })
}

// claim maps k to id unless k is nil or already taken.
func claim(b kv.Bucket, k []byte, id string) error {
	if k == nil || b.Get(k) != nil {
		return nil
	}
	return b.Put(k, appendID(nil, id))
}

// release deletes k if it maps to id.
func release(b kv.Bucket, k []byte, id string) error {
	if k == nil || owner(b, k) != id {
		return nil
	}
	return b.Delete(k)
}

// owner returns the id k maps to in b, or "" when none.
func owner(b kv.Bucket, k []byte) string {
	if k == nil {
		return ""
	}
	return valueID(b.Get(k))
}

// entryHash is the hash by_key's value v keeps of its entry (Item.EntryHash),
// or, for version 2's bare id, what that version's entries bucket keeps
// under k, if the file still has it; "" for none.
func entryHash(v []byte, entries kv.Bucket, k []byte) string {
	_, hash, legacy, err := splitID(v)
	switch {
	case err != nil:
		return ""
	case legacy && entries != nil:
		return string(entries.Get(k))
	default:
		return string(hash)
	}
}
