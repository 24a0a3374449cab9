// Package archive keeps Herald's articles: each article once, with every
// source that carried it, plus the indexes that find an article by feed
// entry, URL, text and time, the feeds' polling state, the raw article
// pages, and a streaming JSON export and import. Its rules are written
// against archive/kv's buckets; the buckets live in one bbolt file
// (kv/boltkv).
package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"herald"
	"herald/archive/kv"
	"herald/archive/kv/boltkv"
	"herald/internal/memo"

	bolt "go.etcd.io/bbolt"
)

// The archive's layout, in kv buckets. Every bucket sits at the top level.
//
//	meta      "version" -> schema version, decimal text
//	          "claim_pages" -> uint64 big-endian, leaf pages of text_claims when
//	                       last settled (claims.go)
//	          "changes" -> uint64 big-endian, bumped by every write that changes an article
//	          "changed" -> RFC 3339 time of that write
//	          "identity" -> the rules content hashes and text claims were made by (rehash.go)
//	feeds     feed name -> FeedState JSON
//	articles  id -> Article JSON, exactly the export object, or it compressed
//	          (storeRecord; version 2 on)
//	pages     id -> S2 stream of (page header JSON "\n" body) after byte 0x01
//	          (encodePage; version 1 wrote a gzip stream)
//
// Index buckets; keys are described in index.go, ids in values in
// idvalue.go:
//
//	by_key    feed \x00 key -> id hash       (every source of every article; hash is
//	                                         Item.EntryHash as last archived, if any, so
//	                                         that an unchanged entry is known without
//	                                         rebuilding its article)
//	by_url    URLKey(url) -> id              (at most one article per key)
//	text_claims  fingerprint(content hash) -> id   (only texts for which
//	                                         herald.HashIdentifies; claims.go)
//	claim_log sequence -> fingerprint id     (text claims not yet settled into
//	                                         text_claims; an empty id releases one)
//	by_time   time(8) id -> nil              (every article, by Published)
//	by_feed   feed \x00 time(8) id -> nil    (every feed an article has a source from)
//	by_tag    tag \x00 time(8) id -> nil     (every tag of every article)
//	by_story  story \x00 id -> nil           (every article that is a copy of an earlier
//	                                          one's story; story.go)
//	changes   sequence(8) -> id              (every write of an article, until
//	                                         trimmed; changes.go)
//
// Invariants, kept by index.go inside the write transaction that changes an
// article:
//   - every article is in by_time, and in by_feed and by_tag once for each of
//     its feeds and tags, under its current Published;
//   - a feed and key appear in the sources of at most one article, and by_key
//     maps each of them to it;
//   - by_url and the text claims (text_claims, with claim_log over it) only
//     ever map to an article that has that URL key or hash; the first
//     article to claim a key keeps it, so a later article with the same URL
//     or text (possible only through an update) is not indexed under it.
var (
	bucketMeta     = []byte("meta")
	bucketFeeds    = []byte("feeds")
	bucketArticles = []byte("articles")
	bucketPages    = []byte("pages")
	bucketByKey    = []byte("by_key")
	bucketByURL    = []byte("by_url")
	bucketByTime   = []byte("by_time")
	bucketByFeed   = []byte("by_feed")
	bucketByTag    = []byte("by_tag")

	bucketTextClaims = []byte("text_claims")
	bucketClaimLog   = []byte("claim_log")

	// coreBuckets are in every file a reader opens; a version 3 file has
	// its text claims in by_hash instead, until it is opened for writing
	// (upgradeClaims).
	coreBuckets = [][]byte{
		bucketMeta, bucketFeeds, bucketArticles, bucketPages,
		bucketByKey, bucketByURL, bucketByTime, bucketByFeed, bucketByTag,
	}
	allBuckets = append(slices.Clone(coreBuckets), bucketTextClaims, bucketClaimLog, bucketChanges, bucketByStory)

	// bucketByHash is where version 3 kept text claims, under the text
	// hashes themselves.
	bucketByHash = []byte("by_hash")

	// bucketEntries is where version 2 kept entry hashes, under by_key's
	// keys: opening such a file for writing folds them into by_key's values
	// (moveEntries); a reader of one not yet folded finds them there.
	bucketEntries = []byte("entries")

	metaVersion = []byte("version")
	metaChanges = []byte("changes")
	metaChanged = []byte("changed")
	metaClaims  = []byte("claim_pages")
)

// schemaVersion is the layout above. A file with a newer version is refused
// rather than misread. Version 2 may hold compressed article records, which
// version 1 reads as corrupt; version 3 writes ids in index values packed,
// and entry hashes in by_key's values, which version 2 would misread;
// version 4 keeps text claims under fingerprints, in buckets version 3 does
// not know; version 5 hashes text by other rules (rehash.go), which
// version 4 would look up in vain. This version reads all five, and marks
// an older file as version 5 when it opens it for writing, before it
// writes anything an older one cannot read.
const schemaVersion = 5

// entriesPerTx bounds the version 2 entry hashes that one transaction
// folds into by_key, so that a large archive's upgrade takes little memory.
const entriesPerTx = 20_000

// DefaultLockTimeout is how long Open waits for another process to release
// the file when Options.LockTimeout is zero.
const DefaultLockTimeout = time.Second

var (
	// ErrLocked is returned (wrapped with the path) by Open when another
	// process holds the file.
	ErrLocked = errors.New("archive is locked by another process (is `herald run` running?)")
	// ErrNotFound is returned (wrapped with the id) for an unknown article or page.
	ErrNotFound = errors.New("not found")
)

// Options configure Open.
type Options struct {
	// LockTimeout is how long to wait for another process's lock on the
	// file; zero means DefaultLockTimeout.
	LockTimeout time.Duration
	// ReadOnly opens the file shared, for readers; it must already exist.
	ReadOnly bool
	// NoSync skips fsync on commit. For benchmarks only: a crash can then
	// lose or corrupt the archive.
	NoSync bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SanitizeHTML is the sanitiser that made ingested articles' HTML
	// (extract's); Import passes imported HTML through it. Nil: imported
	// HTML is replaced by the text's paragraphs.
	SanitizeHTML func(html string) string
	// Password is the PostgreSQL password, when path is a database URL
	// without one. Unused for a file.
	Password string
	// StoryWindow is how many of the newest articles a new article is
	// compared with to find its story (story.go); zero means
	// DefaultStoryWindow. Each costs about 1 KB of memory; a copy that
	// comes later than that many articles after its story starts a story
	// of its own.
	StoryWindow int
}

// DB is an open archive. Its methods are safe for concurrent use.
type DB struct {
	store       store
	path        string
	now         func() time.Time
	states      stateQueue
	commits     commitQueue
	decoded     *memo.Memo[*herald.Article] // for Recent
	claims      claimState
	pageWriters sync.Pool // *s2.Writer, for pages: each holds a block's buffers
	ro          bool
	shared      bool                // the engine is shared with other processes (Shared)
	sanitize    func(string) string // Options.SanitizeHTML
}

// Open opens the archive at path, creating it unless o.ReadOnly: a bbolt
// file, or a PostgreSQL database when path is a postgres:// or
// postgresql:// URL (shared by every process that opens it; see Shared).
// A file that is not a sound archive (empty, truncated, not a bbolt file,
// pages bbolt cannot read) is ErrDamaged; a read-only Open of a missing
// file is ErrNoArchive. Errors never show a URL's password.
func Open(path string, o Options) (*DB, error) {
	db, err := open(path, o)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", herald.StoredURL(path), err)
	}
	return db, nil
}

func open(path string, o Options) (*DB, error) {
	var (
		e   kv.Engine
		err error
	)
	if IsPostgres(path) {
		e, err = openPostgres(path, o.Password)
	} else {
		e, err = openFile(path, o)
	}
	if err != nil {
		return nil, err
	}
	db := &DB{store: newStore(e), path: path, now: o.Now, ro: o.ReadOnly, decoded: newDecodedMemo(), sanitize: o.SanitizeHTML}
	db.shared = db.store.bolt == nil
	db.states.init()
	db.commits.init()
	db.claims.init()
	db.claims.shared = db.shared
	db.claims.stories.init(o.StoryWindow)
	if db.now == nil {
		db.now = time.Now
	}
	if o.ReadOnly {
		err = db.store.View(checkLayout)
	} else if err = db.store.Update(initLayout); err == nil {
		err = guard(db.upgrade)
	}
	if err != nil {
		db.store.Close()
		return nil, err
	}
	return db, nil
}

// openFile opens the bbolt file at path.
func openFile(path string, o Options) (kv.Engine, error) {
	if _, err := inspectFile(path, o.ReadOnly); err != nil {
		return nil, err
	}
	timeout := o.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	var bdb *bolt.DB
	err := guard(func() (err error) {
		bdb, err = bolt.Open(path, 0o600, &bolt.Options{
			Timeout:         timeout,
			ReadOnly:        o.ReadOnly,
			NoSync:          o.NoSync,
			FreelistType:    bolt.FreelistMapType,
			InitialMmapSize: initialMmapSize(o.ReadOnly),
		})
		return err
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, err
	}
	return boltkv.New(bdb), nil
}

// initialMmapSize maps a growing archive's first gigabyte at once: bbolt
// otherwise maps the file anew each time it outgrows the map (doubling),
// which waits for every reader and faults every page in again. It is
// address space, not memory. Windows sizes the file to the map, 32-bit
// systems have little address space, and readers never grow the file: they
// keep bbolt's default.
func initialMmapSize(readOnly bool) int {
	if readOnly || runtime.GOOS == "windows" || strconv.IntSize < 64 {
		return 0
	}
	return 1 << 30
}

func initLayout(tx kv.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if meta.Get(metaVersion) == nil {
		return meta.Put(metaVersion, []byte(strconv.Itoa(schemaVersion)))
	}
	if err := checkLayout(tx); err != nil {
		return err
	}
	if string(meta.Get(metaVersion)) == strconv.Itoa(schemaVersion) {
		return nil
	}
	return meta.Put(metaVersion, []byte(strconv.Itoa(schemaVersion)))
}

// upgrade brings an older file's layout up to date, and reads the claim log
// into memory.
func (db *DB) upgrade() error {
	if err := foldEntries(db.store); err != nil {
		return err
	}
	if err := upgradeClaims(db.store); err != nil {
		return err
	}
	if err := rehash(db.store); err != nil {
		return err
	}
	if err := db.store.View(db.claims.stories.load); err != nil {
		return err
	}
	if err := db.store.View(db.claims.load); err != nil {
		return err
	}
	return db.scrubCredentials()
}

// foldEntries moves version 2's entry hashes into by_key, a transaction
// at a time: one cut short leaves a file that reads correctly, and the next
// open for writing goes on.
func foldEntries(s store) error {
	for done := false; !done; {
		err := s.Update(func(tx kv.Tx) (err error) {
			done, err = moveEntries(tx, entriesPerTx)
			return err
		})
		if err != nil {
			return fmt.Errorf("upgrade entry hashes: %w", err)
		}
	}
	return nil
}

// moveEntries folds up to limit keys of the entries bucket into by_key's
// values, and deletes the bucket once it is empty; done says it is gone.
func moveEntries(tx kv.Tx, limit int) (done bool, err error) {
	entries := tx.Bucket(bucketEntries)
	if entries == nil {
		return true, nil
	}
	type entry struct{ key, hash []byte }
	var batch []entry
	c := entries.Cursor()
	for k, v := c.First(); k != nil && len(batch) < limit; k, v = c.Next() {
		batch = append(batch, entry{bytes.Clone(k), bytes.Clone(v)})
	}
	if len(batch) == 0 {
		return true, tx.DeleteBucket(bucketEntries)
	}
	byKey := tx.Bucket(bucketByKey)
	for _, e := range batch {
		if err := entries.Delete(e.key); err != nil {
			return false, err
		}
		v := byKey.Get(e.key)
		if v == nil {
			continue // the source has left its article since
		}
		id, _, legacy, err := splitID(v)
		if err != nil {
			return false, fmt.Errorf("by_key %q: %w", e.key, err)
		}
		if !legacy {
			continue
		}
		if err := byKey.Put(e.key, append(appendID(nil, id), e.hash...)); err != nil {
			return false, err
		}
	}
	return false, nil
}

func checkLayout(tx kv.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return errors.New("not a Herald archive (no meta bucket)")
	}
	v, err := strconv.Atoi(string(meta.Get(metaVersion)))
	if err != nil {
		return fmt.Errorf("not a Herald archive (version %q)", meta.Get(metaVersion))
	}
	if v > schemaVersion {
		return fmt.Errorf("archive version %d is newer than this Herald reads (%d)", v, schemaVersion)
	}
	for _, name := range coreBuckets {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("archive is missing bucket %s", name)
		}
	}
	return nil
}

// Close writes the feed states still queued and releases the file.
func (db *DB) Close() error {
	db.commits.waitCommits()
	err := db.drainStates()
	if err == nil {
		err = db.claims.err
	}
	if cerr := db.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Path is the file's path, or the database URL, as given to Open.
func (db *DB) Path() string { return db.path }

// LastChange is when an article last changed and a counter bumped by every
// such change, for the merged feed's ETag and Last-Modified. It returns zero
// values when the archive cannot be read.
func (db *DB) LastChange() (time.Time, uint64) {
	var (
		at time.Time
		n  uint64
	)
	_ = db.store.View(func(tx kv.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(metaChanges); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		if v := meta.Get(metaChanged); v != nil {
			at, _ = time.Parse(time.RFC3339Nano, string(v))
		}
		return nil
	})
	return at, n
}

// noteChange records, inside the transaction that made it, that articles
// changed.
func noteChange(tx kv.Tx, now time.Time) error {
	meta := tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(metaChanges); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], n+1)
	if err := meta.Put(metaChanges, buf[:]); err != nil {
		return err
	}
	return meta.Put(metaChanged, []byte(now.Format(time.RFC3339Nano)))
}
