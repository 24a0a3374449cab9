package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"herald"
	"herald/archive/kv"
	"herald/archive/kv/boltkv"
)

// Text claims: which article an identifying text belongs to (the first to
// claim its hash). Hashes are random, so every new article would rewrite a
// random page of the index in its commit: at a million articles that made
// more than half of the page writes. Instead, a commit adds its claims to
// the claim log, in the order they were made (pages appended), and to a
// copy of the log in memory (claimSet); once the log holds several times as
// many claims as text_claims has pages, that copy is settled into the
// bucket in key order, many inserts to each page, and the log emptied.
// Keys are the first 16 bytes of the SHA-256 of the text hash, which keeps
// the copy small and the bucket dense.
//
// URLs are claimed in by_url as before, under the URL keys themselves: a
// site's new URLs sort near each other, so a commit's claims land on a few
// pages, and settling them from a log costs more than it saves (a cold
// round of a million feed items, which claim no texts, took 27 % more CPU).
//
// A crash leaves the log, which the next open reads back into memory;
// settling again what was settled already is harmless.

// fingerprint is the key of a text claim in its bucket, the log and memory.
type fingerprint [16]byte

// claimKey is the fingerprint of a text hash; ok is false for an article
// whose text is too short to identify it.
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

func textClaim(a *herald.Article) claimKey { return keyOf(hashKey(a)) }

// Settling bounds: the log settles at settleFactor times the bucket's
// pages, so that each page settled takes about that many claims, but at no
// fewer than minRecent claims (small archives) and no more than maxRecent
// (17 MB of memory in a claimSet).
const (
	settleFactor = 16
	minRecent    = 1 << 14
	maxRecent    = 1 << 19
	// settleLeaves bounds the pages one settling transaction rewrites,
	// each held in memory until it commits (about 8 KB a page).
	settleLeaves = 256
	// claimFill leaves room in each page of text_claims for the next
	// settlings' inserts, which land all over it.
	claimFill = 0.8
)

// claimState is the in-memory part of the text claims of a writable DB.
type claimState struct {
	// write is held across every write transaction that changes claims
	// and across settling: a transaction reads recent, which changes only
	// once it has committed.
	write sync.Mutex
	// mu guards recent and gen against lookSettled, which reads them
	// without write.
	mu sync.RWMutex
	// recent holds the log: fingerprint -> index value of the claiming
	// id, or "" for a released claim (then absent from the bucket).
	recent claimSet
	// gen counts settlings, twice each: it is odd while one writes the
	// bucket, which changes at no other time.
	gen   uint64
	limit int   // settle once recent holds this many claims
	err   error // why the last settling failed, if it did
	// stories is the band index of recent articles (story.go), changed
	// with write held, like the claims.
	stories storyIndex
	// shared: the engine is shared with other processes (shared.go), so
	// claims are written straight to text_claims and the story window
	// catches up from the changes log, whose last change it saw is
	// storySeen.
	shared    bool
	storySeen uint64
}

func (s *claimState) init() {
	s.recent = newClaimSet()
	s.limit = minRecent
}

// load reads the claim log back into recent, and the limit that the last
// settling set.
func (s *claimState) load(tx kv.Tx) error {
	if s.shared {
		// The window was just filled from the newest articles.
		if b := tx.Bucket(bucketChanges); b != nil {
			s.storySeen = b.Sequence()
		}
		return nil
	}
	if v := tx.Bucket(bucketMeta).Get(metaClaims); len(v) == 8 {
		s.limit = settleLimit(int(min(binary.BigEndian.Uint64(v), maxRecent)))
	}
	var logged []claimEntry
	err := tx.Bucket(bucketClaimLog).ForEach(func(k, v []byte) error {
		fp, val, err := splitLogRecord(v)
		if err != nil {
			return fmt.Errorf("claim log %x: %w", k, err)
		}
		logged = append(logged, s.recent.entry(fp, string(val)))
		return nil
	})
	if err != nil {
		return err
	}
	s.recent.fill(logged)
	return nil
}

// A log record is the fingerprint, then the value ("" for a release).
func logRecord(fp fingerprint, val string) []byte {
	return append(fp[:len(fp):len(fp)], val...)
}

func splitLogRecord(rec []byte) (fingerprint, []byte, error) {
	if len(rec) < len(fingerprint{}) {
		return fingerprint{}, nil, errors.New("corrupt record")
	}
	return fingerprint(rec[:16]), rec[16:], nil
}

// settledText is what text_claims held for an item's text before its write
// transaction: looking there, in the caller's goroutine, keeps random reads
// out of the transaction that feeds share. It holds while no settling has
// begun since (gen).
type settledText struct {
	gen   uint64
	ok    bool
	owner string
}

// lookSettled fills in the settled claims of items.
func (db *DB) lookSettled(items []item) error {
	if db.shared || !slices.ContainsFunc(items, func(p item) bool { return p.text.ok }) {
		return nil // teasers, or another process may claim before the write
	}
	s := &db.claims
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gen%2 == 1 {
		return nil
	}
	return db.store.View(func(tx kv.Tx) error {
		b := tx.Bucket(bucketTextClaims)
		for i := range items {
			p := &items[i]
			p.settled = settledText{gen: s.gen, ok: true, owner: settledOwner(b, p.text)}
		}
		return nil
	})
}

func settledOwner(b kv.Bucket, k claimKey) string {
	if !k.ok {
		return ""
	}
	return owner(b, k.fp[:])
}

// claimView is the text claims in a write transaction: the claims this
// transaction made (mine), over those of the log (recent), over the
// bucket.
type claimView struct {
	shared bool // claims go straight to bucket (claimState.shared)
	gen    uint64
	bucket kv.Bucket
	log    kv.Bucket
	recent *claimSet
	mine   map[fingerprint]string
	// index is the story window; stories are the transaction's new
	// articles, added to it once it commits.
	index   *storyIndex
	stories pendingStories
}

// begin starts tx's view of the claims; s.write is held.
func (s *claimState) begin(tx kv.Tx) *claimView {
	log := tx.Bucket(bucketClaimLog)
	setFill(log, 1) // appended to only
	return &claimView{
		shared: s.shared, gen: s.gen, bucket: tx.Bucket(bucketTextClaims), log: log,
		recent: &s.recent, mine: map[fingerprint]string{}, index: &s.stories,
	}
}

// apply adds the claims of v, now committed, to recent.
func (s *claimState) apply(v *claimView) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A shared engine's claims are read from it by the next transaction;
	// its own articles go to the story window here all the same, as the
	// catch-up reads only other processes' (updateClaims).
	if !s.shared {
		for fp, val := range v.mine {
			s.recent.put(fp, val)
		}
	}
	s.stories.commit(&v.stories)
}

// owner returns the id that claimed k, or "" when none has.
func (v *claimView) owner(k claimKey) string {
	return v.ownerOf(k, settledText{})
}

// ownerOf is owner for an item whose settled claim was looked up before.
func (v *claimView) ownerOf(k claimKey, pre settledText) string {
	if !k.ok {
		return ""
	}
	if val, ok := v.mine[k.fp]; ok {
		return valueID([]byte(val))
	}
	if val, ok := v.recent.get(k.fp); ok {
		return valueID([]byte(val))
	}
	if pre.ok && pre.gen == v.gen && !v.shared {
		return pre.owner
	}
	return settledOwner(v.bucket, k)
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
	if v.shared {
		v.mine[fp] = val
		return settleClaim(v.bucket, fp, val)
	}
	seq, err := v.log.NextSequence()
	if err != nil {
		return err
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], seq)
	if err := v.log.Put(key[:], logRecord(fp, val)); err != nil {
		return fmt.Errorf("claim log: %w", err)
	}
	v.mine[fp] = val
	return nil
}

// updateClaims runs fn in a write transaction with a view of the claims,
// and makes the claims it made visible once it has committed.
func (db *DB) updateClaims(fn func(kv.Tx, *claimView) error) error {
	s := &db.claims
	s.write.Lock()
	defer s.write.Unlock()
	var v *claimView
	var seen uint64
	var folding sync.WaitGroup
	err := db.store.Update(func(tx kv.Tx) error {
		folding.Wait() // should an engine run this again
		v = s.begin(tx)
		if s.shared {
			if err := s.catchUpStories(tx); err != nil {
				return fmt.Errorf("story window: %w", err)
			}
		}
		if err := fn(tx, v); err != nil {
			return err
		}
		// The changes this transaction logged are its own articles, which
		// apply puts in the window: the next catch-up need not read them
		// back. No other process wrote since the catch-up: the engine
		// runs one write transaction at a time.
		if b := tx.Bucket(bucketChanges); s.shared && b != nil {
			seen = b.Sequence()
		}
		// What the transaction reads of the window is read by now; the
		// last commits' articles go into its map while this one writes.
		folding.Go(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.stories.fold()
		})
		return nil
	})
	folding.Wait()
	if err != nil {
		return err
	}
	s.apply(v)
	s.storySeen = max(s.storySeen, seen)
	return nil
}

// settleIfFull settles recent claims once there are enough of them. A
// failure leaves them in the log and in memory, to be settled by a later
// write; Close reports it if none has succeeded since.
func (db *DB) settleIfFull() {
	s := &db.claims
	s.write.Lock()
	defer s.write.Unlock()
	if s.recent.len() < s.limit {
		return
	}
	s.err = db.settle()
}

// settle writes recent into text_claims, then empties the log and recent,
// and sets the next limit. s.write is held.
func (db *DB) settle() error {
	s := &db.claims
	pages, err := db.settleBucket()
	if err != nil {
		return fmt.Errorf("settle claims: %w", err)
	}
	err = db.store.Update(func(tx kv.Tx) error {
		if err := tx.DeleteBucket(bucketClaimLog); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketClaimLog); err != nil {
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
	s.recent.reset()
	s.gen++
	s.mu.Unlock()
	s.limit = settleLimit(pages)
	return nil
}

// settleBucket writes recent into text_claims, in key order, in
// transactions of a bounded number of pages, and returns the bucket's
// pages afterwards.
func (db *DB) settleBucket() (pages int, err error) {
	s := &db.claims
	s.mu.Lock()
	if s.gen%2 == 0 { // else a settling failed, and its bucket is half written
		s.gen++
	}
	s.recent.merge()
	s.mu.Unlock()
	claims := s.recent.sorted
	if pages, err = db.claimPages(); err != nil {
		return 0, err
	}
	// Keys are spread evenly, so an even share of them touches an even
	// share of the pages.
	txs := max(1, min(len(claims), pages/settleLeaves))
	for t := range txs {
		part := claims[t*len(claims)/txs : (t+1)*len(claims)/txs]
		err := db.store.Update(func(tx kv.Tx) error {
			b := tx.Bucket(bucketTextClaims)
			setFill(b, claimFill)
			for i := range part {
				if err := settleClaim(b, part[i].fp, s.recent.value(&part[i])); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return db.claimPages()
}

// settleLimit is how many claims to gather before settling them into a
// bucket of this many leaf pages.
func settleLimit(pages int) int {
	return min(max(settleFactor*pages, minRecent), maxRecent)
}

// claimPages counts the leaf pages of text_claims; zero on an engine
// without pages.
func (db *DB) claimPages() (n int, err error) {
	err = db.store.View(func(tx kv.Tx) error {
		if b := boltkv.RawBucket(tx.Bucket(bucketTextClaims)); b != nil {
			n = b.Stats().LeafPageN
		}
		return nil
	})
	return n, err
}

func settleClaim(b kv.Bucket, fp fingerprint, val string) error {
	if val == "" {
		return b.Delete(fp[:])
	}
	return b.Put(fp[:], []byte(val))
}

// Version 3 kept text claims in by_hash, under the text hashes themselves.
// upgradeClaims rebuilds them as text_claims, a sixteenth of the keys at a
// time, each share sorted so that it is appended; by_hash goes in the last
// transaction. One cut short starts over at the next open.
func upgradeClaims(s store) error {
	var exists bool
	err := s.Update(func(tx kv.Tx) error {
		if exists = tx.Bucket(bucketByHash) != nil; !exists {
			return nil
		}
		if err := tx.DeleteBucket(bucketTextClaims); err != nil && !errors.Is(err, kv.ErrBucketNotFound) {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketTextClaims)
		return err
	})
	if err != nil || !exists {
		return err
	}
	for share := range upgradeShares {
		if err := s.Update(func(tx kv.Tx) error { return upgradeShare(tx, share) }); err != nil {
			return fmt.Errorf("upgrade %s: %w", bucketByHash, err)
		}
	}
	return s.Update(func(tx kv.Tx) error { return tx.DeleteBucket(bucketByHash) })
}

const upgradeShares = 16

// upgradeShare copies the claims of by_hash whose fingerprints fall in the
// share-th sixteenth into text_claims.
func upgradeShare(tx kv.Tx, share int) error {
	type claim struct {
		fp  fingerprint
		val []byte
	}
	var part []claim
	err := tx.Bucket(bucketByHash).ForEach(func(k, v []byte) error {
		if k := keyOf(k); int(k.fp[0])*upgradeShares/256 == share {
			part = append(part, claim{k.fp, bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(part, func(a, b claim) int { return bytes.Compare(a.fp[:], b.fp[:]) })
	b := tx.Bucket(bucketTextClaims)
	setFill(b, claimFill)
	for _, c := range part {
		if err := b.Put(c.fp[:], c.val); err != nil {
			return err
		}
	}
	return nil
}
