package archive

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"herald"

	bolt "go.etcd.io/bbolt"
)

// Claims: which article a URL key or an identifying text belongs to (the
// first to claim it). Both keys are as good as random, so every new article
// would rewrite a random page of each index in its commit: at a million
// articles they made two thirds of the page writes. Instead, a commit adds
// its claims to the claim log, in the order they were made (pages
// appended), and to a copy of the log in memory (claimSet); once the log holds
// several times as many claims as the index buckets have pages, that copy is
// settled into the buckets in key order, a few inserts to each page, and
// the log emptied. Keys are the first 16 bytes of the SHA-256 of the URL
// key or text hash, so that the copy stays small and the buckets dense.
//
// A crash leaves the log, which the next open reads back into memory;
// settling again what was settled already is harmless.

// fingerprint is the key of a claim in its bucket, the log and memory.
type fingerprint [16]byte

// claimKey is the fingerprint of a URL key or text hash; ok is false for
// an article without one (no URL key, or a text too short to identify it).
type claimKey struct {
	fp fingerprint
	ok bool
}

func keyOf(k []byte) claimKey {
	if k == nil {
		return claimKey{}
	}
	sum := sha256.Sum256(k)
	return claimKey{fp: fingerprint(sum[:16]), ok: true}
}

func urlClaim(u string) claimKey           { return keyOf(urlKey(u)) }
func textClaim(a *herald.Article) claimKey { return keyOf(hashKey(a)) }

// The claim indexes: their tag in the log, and their bucket.
const (
	urlIndex = iota
	textIndex
	numIndexes
)

var claimBuckets = [numIndexes][]byte{bucketURLClaims, bucketTextClaims}

// Settling bounds: the log settles at settleFactor times the buckets'
// pages, so that each page settled takes about that many claims, but at no
// fewer than minRecent claims (small archives) and no more than maxRecent
// (17 MB of memory in a claimSet, twice that while it merges).
const (
	settleFactor = 16
	minRecent    = 1 << 14
	maxRecent    = 1 << 19
	// settleLeaves bounds the pages one settling transaction rewrites,
	// each held in memory until it commits (about 8 KB a page): 2,048 put
	// 8 MB more on the peak heap of a cold round of 100,000 articles, for
	// 2 % more speed at a million.
	settleLeaves = 256
	// claimFill leaves room in each page of a claim bucket for the next
	// settlings' inserts, which land all over it.
	claimFill = 0.8
)

// claimState is the in-memory part of the claims of a writable DB.
type claimState struct {
	// write is held across every write transaction that changes claims
	// and across settling: a transaction reads recent, which changes only
	// once it has committed.
	write sync.Mutex
	// mu guards recent against Known, which reads it without write.
	mu sync.RWMutex
	// recent holds the log: fingerprint -> index value of the claiming
	// id, or "" for a released claim (then absent from the bucket).
	recent [numIndexes]claimSet
	// gen counts settlings, twice each: it is odd while one writes the
	// buckets, which change at no other time (under mu).
	gen   uint64
	limit int   // settle once recent holds this many claims
	err   error // why the last settling failed, if it did
}

func (s *claimState) init() {
	for i := range s.recent {
		s.recent[i] = newClaimSet()
	}
	s.limit = minRecent
}

func (s *claimState) size() int {
	n := 0
	for i := range s.recent {
		n += s.recent[i].len()
	}
	return n
}

// load reads the claim log back into recent, and the limit that the last
// settling set. A version 3 file, read-only, has neither.
func (s *claimState) load(tx *bolt.Tx) error {
	if v := tx.Bucket(bucketMeta).Get(metaClaims); len(v) == 8 {
		s.limit = settleLimit(int(min(binary.BigEndian.Uint64(v), maxRecent)))
	}
	log := tx.Bucket(bucketClaimLog)
	if log == nil {
		return nil
	}
	return log.ForEach(func(k, v []byte) error {
		idx, fp, val, err := splitLogRecord(v)
		if err != nil {
			return fmt.Errorf("claim log %x: %w", k, err)
		}
		s.recent[idx].put(fp, string(val))
		return nil
	})
}

// A log record is the index, the fingerprint, then the value ("" for a
// release).
func logRecord(idx int, fp fingerprint, val string) []byte {
	rec := make([]byte, 0, 1+len(fp)+len(val))
	rec = append(rec, byte(idx))
	rec = append(rec, fp[:]...)
	return append(rec, val...)
}

func splitLogRecord(rec []byte) (int, fingerprint, []byte, error) {
	if len(rec) < 1+len(fingerprint{}) || rec[0] >= numIndexes {
		return 0, fingerprint{}, nil, errors.New("corrupt record")
	}
	return int(rec[0]), fingerprint(rec[1:17]), rec[17:], nil
}

// claimTx is one write transaction's view of the claims.
type claimTx struct {
	indexes [numIndexes]claimView
}

// settledClaims is what the claim buckets held for an item's keys before
// its write transaction: looking there, in the caller's goroutine, keeps
// random reads out of the transaction that feeds share. It holds while no
// settling has begun since (gen).
type settledClaims struct {
	gen       uint64
	ok        bool
	url, text string
}

// lookSettled fills in the settled claims of items.
func (db *DB) lookSettled(items []item) error {
	s := &db.claims
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gen%2 == 1 {
		return nil
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		urls, texts := tx.Bucket(bucketURLClaims), tx.Bucket(bucketTextClaims)
		for i := range items {
			p := &items[i]
			p.settled = settledClaims{gen: s.gen, ok: true, url: settledOwner(urls, p.url), text: settledOwner(texts, p.text)}
		}
		return nil
	})
}

func settledOwner(b *bolt.Bucket, k claimKey) string {
	if !k.ok {
		return ""
	}
	return valueID(b.Get(k.fp[:]))
}

// claimView is one claim index in a write transaction: the claims this
// transaction made (mine), over those of the log (recent), over the
// bucket.
type claimView struct {
	idx     int
	gen     uint64
	bucket  *bolt.Bucket
	log     *bolt.Bucket
	recent  *claimSet
	mine    map[fingerprint]string
	written bool
}

// begin starts tx's view of the claims; s.write is held.
func (s *claimState) begin(tx *bolt.Tx) *claimTx {
	c := &claimTx{}
	log := tx.Bucket(bucketClaimLog)
	for i := range c.indexes {
		c.indexes[i] = claimView{
			idx: i, gen: s.gen, bucket: tx.Bucket(claimBuckets[i]), log: log,
			recent: &s.recent[i], mine: map[fingerprint]string{},
		}
	}
	return c
}

// apply adds the claims of c, now committed, to recent.
func (s *claimState) apply(c *claimTx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range c.indexes {
		for fp, val := range c.indexes[i].mine {
			s.recent[i].put(fp, val)
		}
	}
}

// owner returns the id that claimed k, or "" when none has.
func (v *claimView) owner(k claimKey) string {
	if !k.ok {
		return ""
	}
	if val, ok := v.mine[k.fp]; ok {
		return valueID([]byte(val))
	}
	if val, ok := v.recent.get(k.fp); ok {
		return valueID([]byte(val))
	}
	return settledOwner(v.bucket, k)
}

// ownerOf is owner for an item whose settled claims were looked up
// before: settled is what the bucket held for k.
func (v *claimView) ownerOf(k claimKey, pre settledClaims, settled string) string {
	if !pre.ok || pre.gen != v.gen {
		return v.owner(k)
	}
	if !k.ok {
		return ""
	}
	if val, ok := v.mine[k.fp]; ok {
		return valueID([]byte(val))
	}
	if val, ok := v.recent.get(k.fp); ok {
		return valueID([]byte(val))
	}
	return settled
}

// claim gives k to id unless k is missing or already taken.
func (v *claimView) claim(k claimKey, id string) error {
	if !k.ok || v.owner(k) != "" {
		return nil
	}
	return v.set(k.fp, string(appendID(nil, id)))
}

// claimFree gives k, which the caller found free, to id.
func (v *claimView) claimFree(k claimKey, id []byte) error {
	if !k.ok {
		return nil
	}
	return v.set(k.fp, string(id))
}

// release frees k if id holds it.
func (v *claimView) release(k claimKey, id string) error {
	if !k.ok || v.owner(k) != id {
		return nil
	}
	return v.set(k.fp, "")
}

// move releases an article's old key when it changed, and claims the new
// one if it is free.
func (v *claimView) move(old, next claimKey, id string) error {
	if old != next {
		if err := v.release(old, id); err != nil {
			return err
		}
	}
	return v.claim(next, id)
}

func (v *claimView) set(fp fingerprint, val string) error {
	seq, err := v.log.NextSequence()
	if err != nil {
		return err
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], seq)
	if !v.written {
		v.log.FillPercent = 1 // appended to only
		v.written = true
	}
	if err := v.log.Put(key[:], logRecord(v.idx, fp, val)); err != nil {
		return fmt.Errorf("claim log: %w", err)
	}
	v.mine[fp] = val
	return nil
}

// updateClaims runs fn in a write transaction with a view of the claims,
// and makes the claims it made visible once it has committed.
func (db *DB) updateClaims(fn func(*bolt.Tx, *claimTx) error) error {
	s := &db.claims
	s.write.Lock()
	defer s.write.Unlock()
	var c *claimTx
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		c = s.begin(tx)
		return fn(tx, c)
	})
	if err != nil {
		return err
	}
	s.apply(c)
	return nil
}

// settleIfFull settles recent claims once there are enough of them. A
// failure leaves them in the log and in memory, to be settled by a later
// write; Close reports it if none has succeeded since.
func (db *DB) settleIfFull() {
	s := &db.claims
	s.write.Lock()
	defer s.write.Unlock()
	if s.size() < s.limit {
		return
	}
	s.err = db.settle()
}

// settle writes recent into the buckets, empties the log and recent, and
// sets the next limit; s.write is held.
func (db *DB) settle() error {
	s := &db.claims
	s.mu.Lock()
	if s.gen%2 == 0 { // else a settling failed, and its buckets are half written
		s.gen++
	}
	for i := range s.recent {
		s.recent[i].merge()
	}
	s.mu.Unlock()
	pages := 0
	for i := range s.recent {
		n, err := db.settleIndex(i)
		if err != nil {
			return fmt.Errorf("settle claims: %w", err)
		}
		pages += n
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketClaimLog); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bucketClaimLog); err != nil {
			return err
		}
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], uint64(pages))
		return tx.Bucket(bucketMeta).Put(metaClaims, v[:])
	})
	if err != nil {
		return fmt.Errorf("settle claims: empty log: %w", err)
	}
	s.mu.Lock()
	for i := range s.recent {
		s.recent[i].reset()
	}
	s.gen++
	s.mu.Unlock()
	s.limit = settleLimit(pages)
	return nil
}

// settleLimit is how many claims to gather before settling them into
// buckets of this many leaf pages.
func settleLimit(pages int) int {
	return min(max(settleFactor*pages, minRecent), maxRecent)
}

// settleIndex writes the recent claims of index i into its bucket, in key
// order, in transactions of a bounded number of pages; it returns the
// bucket's leaf pages afterwards.
func (db *DB) settleIndex(i int) (pages int, err error) {
	s := &db.claims
	claims := s.recent[i].sorted // merged by settle
	if len(claims) == 0 {
		return db.leafPages(i)
	}
	if pages, err = db.leafPages(i); err != nil {
		return 0, err
	}
	// Keys are spread evenly, so an even share of them touches an even
	// share of the pages.
	txs := max(1, min(len(claims), pages/settleLeaves))
	for t := range txs {
		part := claims[t*len(claims)/txs : (t+1)*len(claims)/txs]
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(claimBuckets[i])
			b.FillPercent = claimFill
			for j := range part {
				if err := settleClaim(b, part[j].fp, s.recent[i].value(&part[j])); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return db.leafPages(i)
}

// leafPages counts the leaf pages of index i's bucket.
func (db *DB) leafPages(i int) (n int, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(claimBuckets[i]).Stats().LeafPageN
		return nil
	})
	return n, err
}

func settleClaim(b *bolt.Bucket, fp fingerprint, val string) error {
	if val == "" {
		return b.Delete(fp[:])
	}
	return b.Put(fp[:], []byte(val))
}

// knownURL reports whether some article has claimed u, for Known, which
// reads without the write lock: recent is read under mu.
func (db *DB) knownURL(tx *bolt.Tx, u string) bool {
	k := urlClaim(u)
	if !k.ok {
		return false
	}
	if b := tx.Bucket(bucketURLClaims); b == nil {
		// A version 3 file not yet upgraded (read-only).
		if old := tx.Bucket(bucketByURL); old != nil {
			return old.Get(urlKey(u)) != nil
		}
		return false
	}
	db.claims.mu.RLock()
	val, ok := db.claims.recent[urlIndex].get(k.fp)
	db.claims.mu.RUnlock()
	if ok {
		return val != ""
	}
	return tx.Bucket(bucketURLClaims).Get(k.fp[:]) != nil
}

// Version 3 kept claims in by_url and by_hash under the keys themselves.
// upgradeClaims rebuilds them as version 4's buckets, a sixteenth of the
// keys at a time, each share sorted so that it is appended; the old bucket
// goes in the last transaction. One cut short starts over at the next open.
func upgradeClaims(bdb *bolt.DB) error {
	for i, name := range [numIndexes][]byte{bucketByURL, bucketByHash} {
		if err := upgradeClaimIndex(bdb, name, claimBuckets[i]); err != nil {
			return fmt.Errorf("upgrade %s: %w", name, err)
		}
	}
	return nil
}

const upgradeShares = 16

func upgradeClaimIndex(bdb *bolt.DB, from, to []byte) error {
	var exists bool
	err := bdb.Update(func(tx *bolt.Tx) error {
		if exists = tx.Bucket(from) != nil; !exists {
			return nil
		}
		if err := tx.DeleteBucket(to); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		_, err := tx.CreateBucket(to)
		return err
	})
	if err != nil || !exists {
		return err
	}
	type claimEntry struct {
		fp  fingerprint
		val []byte
	}
	for share := range upgradeShares {
		err := bdb.Update(func(tx *bolt.Tx) error {
			var part []claimEntry
			err := tx.Bucket(from).ForEach(func(k, v []byte) error {
				if k := keyOf(k); int(k.fp[0])*upgradeShares/256 == share {
					part = append(part, claimEntry{k.fp, bytes.Clone(v)})
				}
				return nil
			})
			if err != nil {
				return err
			}
			slices.SortFunc(part, func(a, b claimEntry) int { return cmp.Compare(string(a.fp[:]), string(b.fp[:])) })
			b := tx.Bucket(to)
			b.FillPercent = claimFill
			for _, e := range part {
				if err := b.Put(e.fp[:], e.val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return bdb.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(from) })
}
