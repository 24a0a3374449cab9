package archive

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"herald"
	"herald/archive/kv"
)

// Item is one entry of a polled feed, ready for the archive: Article has
// exactly one Source and an empty ID; Page, when not nil, is the article
// page it was extracted from. The archive canonicalises the URL, bounds
// the fields, drops URLs that are not http(s) and computes the content
// hash itself (see clean); Article.HTML must come from the sanitiser.
type Item struct {
	Article herald.Article
	Page    *Page
	// Canonical, when not empty, is the URL the article's page declared
	// as its own (on the same site; the caller checks): the article is
	// kept under it, and merges by it only where the texts agree.
	Canonical string
	// EntryHash, when not empty, is the hash of everything in the feed
	// entry that the article was built from (EntryHash); Known reports an
	// entry whose hash is unchanged since it was archived as
	// SeenUnchanged, so that the caller can skip it.
	EntryHash string
}

// Result counts what happened to the items of an Ingest or the articles of
// an Import.
type Result struct {
	New       int // archived for the first time
	Updated   int // a known entry whose text changed
	Duplicate int // another source of an archived article
	Unchanged int // nothing new
	// IDs holds the article id of each item, in the items' order (Ingest
	// only: an Import would grow it without bound).
	IDs []string
}

func (r *Result) add(o Result) {
	r.New += o.New
	r.Updated += o.Updated
	r.Duplicate += o.Duplicate
	r.Unchanged += o.Unchanged
}

// Ingest stores one polled feed's outcome in one write transaction: its
// state and all its items, each deduplicated against the archive and the
// items before it (see dedupe). On error nothing is written.
func (db *DB) Ingest(ctx context.Context, state herald.FeedState, items []Item) (Result, error) {
	if err := validFeedName(state.Name); err != nil {
		return Result{}, fmt.Errorf("ingest: feed state: %w", err)
	}
	prepared := make([]item, len(items))
	now := db.now()
	for i := range items {
		p, err := db.prepare(items[i], now)
		if err != nil {
			return Result{}, fmt.Errorf("ingest %s: item %d: %w", state.Name, i, err)
		}
		prepared[i] = p
	}
	if err := db.lookSettled(prepared); err != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", state.Name, err)
	}
	if err := db.lookStories(prepared); err != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", state.Name, err)
	}
	if err := db.beforeIngest(state.Name); err != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", state.Name, err)
	}
	var res Result
	// The writes of feeds polled at the same moment commit together: one
	// commit for many feeds, and each caller still returns only after its
	// own write is durable. fn may run twice, so it starts afresh.
	err := db.commit(func(tx kv.Tx, texts *claimView) error {
		res = Result{IDs: make([]string, len(items))}
		if err := putFeedState(tx, state); err != nil {
			return err
		}
		w := newWriteTx(tx, texts, now)
		prefetch(tx, prepared, texts.shared)
		for i := range prepared {
			if err := ctx.Err(); err != nil {
				return err
			}
			id, outcome, err := w.dedupe(&prepared[i])
			if err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
			// A new article's by_key value carries its entry hash already.
			if outcome(&res) != &res.New {
				if err := w.noteEntry(&prepared[i]); err != nil {
					return fmt.Errorf("item %d: %w", i, err)
				}
			}
			res.IDs[i] = id
			*outcome(&res)++
		}
		return w.finish()
	})
	if err != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", state.Name, err)
	}
	return res, nil
}

// prefetch reads, where reads are round trips (kv.Prefetcher), the keys
// dedupe looks the items up by, all in one: by_key, by_url, the text
// claims when they are read from the bucket (shared), and the ids create
// would give them. Without it, a poll of 20 new items on PostgreSQL makes
// more than a hundred round trips while holding the archive lock.
func prefetch(tx kv.Tx, items []item, shared bool) {
	p, ok := tx.(kv.Prefetcher)
	if !ok {
		return
	}
	src, urls, ids := make([][]byte, 0, len(items)), make([][]byte, 0, len(items)), make([][]byte, 0, len(items))
	var texts [][]byte
	for i := range items {
		it := &items[i]
		src, ids = append(src, it.srcKey), append(ids, []byte(it.fresh.ID))
		if it.urlKey != nil {
			urls = append(urls, it.urlKey)
		}
		if shared && it.text.ok {
			texts = append(texts, it.text.fp[:])
		}
	}
	p.Prefetch(kv.Keys{Bucket: bucketByKey, Keys: src}, kv.Keys{Bucket: bucketByURL, Keys: urls},
		kv.Keys{Bucket: bucketArticles, Keys: ids}, kv.Keys{Bucket: bucketTextClaims, Keys: texts})
}

// item is an Item checked and put in archive form.
type item struct {
	art       herald.Article
	source    herald.Source
	page      []byte // encodePage of the item's page, or nil
	entryHash string
	// fresh is the article create stores if the item is new and its id,
	// fresh.ID, is free (as it nearly always is); record is its stored
	// form. Both are made in prepare, so that JSON encoding and compression
	// stay out of the write transaction that feeds share (commit.go).
	fresh  herald.Article
	record []byte
	// The item's index keys, made in prepare for the same reason.
	srcKey, urlKey []byte
	text           claimKey
	settled        settledText
	canonical      bool   // see Item.Canonical and lookup
	hash           string // see lookup
	// The shingles and band keys of the item's text (story.go), made
	// here for the same reason.
	shingles, bands []uint64
	story           storyLook // see lookStories
}

// prepareNew fills p.fresh and p.record.
func prepareNew(p *item) error {
	a := p.art
	a.ID = articleID(p.source.Feed, entryKey(p.source), a.URL, a.Published)
	a.Story = a.ID // unless create finds it a copy
	if a.Published.IsZero() {
		a.Published = p.source.Seen
	}
	canonicalTimes(&a)
	data, err := encodeArticle(&a)
	if err != nil {
		return err
	}
	p.fresh, p.record = a, storeRecord(data)
	return nil
}

// prepare runs in the caller's goroutine, before the write transaction,
// which feeds share (commit.go): the work done here (cleaning, canonical
// URL, hash, page compression) does not hold up other feeds' writes.
func (db *DB) prepare(it Item, now time.Time) (item, error) {
	a := it.Article
	if len(a.Sources) != 1 {
		return item{}, fmt.Errorf("has %d sources, want 1", len(a.Sources))
	}
	s := a.Sources[0]
	if err := validFeedName(s.Feed); err != nil {
		return item{}, err
	}
	if entryKey(s) == "" {
		return item{}, fmt.Errorf("feed %s: entry has no guid", s.Feed)
	}
	if s.Seen.IsZero() {
		s.Seen = now
	}
	a.Sources = []herald.Source{s}
	canonical := false
	if c := herald.CanonicalURL(webURL(it.Canonical)); c != "" {
		canonical = herald.URLKey(c) != herald.URLKey(webURL(s.Link))
		a.URL = c
	}
	clean(&a, nil)
	a.URL = articleURL(&a)
	normalize(&a)
	p := item{
		art: a, source: a.Sources[0], entryHash: it.EntryHash,
		srcKey: sourceKey(a.Sources[0]), urlKey: urlKey(a.URL), text: textClaim(&a),
		canonical: canonical, hash: identifyingHash(&a),
	}
	p.shingles = shingles(a.Text)
	if p.bands = bandKeys(p.shingles); p.bands == nil {
		p.shingles = nil
	}
	if err := prepareNew(&p); err != nil {
		return item{}, err
	}
	if it.Page != nil {
		data, err := encodePage(it.Page, &db.pageWriters)
		if err != nil {
			return item{}, fmt.Errorf("page: %w", err)
		}
		p.page = data
	}
	return p, nil
}

// outcome selects the Result counter to bump.
type outcome func(*Result) *int

func isNew(r *Result) *int       { return &r.New }
func isUpdated(r *Result) *int   { return &r.Updated }
func isDuplicate(r *Result) *int { return &r.Duplicate }
func isUnchanged(r *Result) *int { return &r.Unchanged }

// dedupe archives one item by the rules of identify: the same entry is
// updated when the item has a text and its hash differs (else unchanged);
// the same article of another feed gains the item as a source; anything
// else is a new article.
func (w *writeTx) dedupe(p *item) (string, outcome, error) {
	f, err := w.identify(&lookup{
		srcKeys: [][]byte{p.srcKey}, urlKey: p.urlKey, text: p.text, settled: p.settled,
		hash: p.hash, feeds: []string{p.source.Feed}, canonical: p.canonical,
	})
	if err != nil {
		return "", nil, err
	}
	switch f.rule {
	case ruleEntry:
		return w.update(f.id, p)
	case ruleURL, ruleText:
		return w.addSource(f.id, p)
	}
	return w.create(p, f.urlFree, f.textFree)
}

// noteEntry records the entry hash of an archived item in its by_key value,
// unless it is there already.
func (w *writeTx) noteEntry(p *item) error {
	if p.entryHash == "" {
		return nil
	}
	id, hash, legacy, err := splitID(w.byKey.Get(p.srcKey))
	if err != nil {
		return fmt.Errorf("by_key %q: %w", p.srcKey, err)
	}
	if !legacy && string(hash) == p.entryHash {
		return nil
	}
	v := appendID(make([]byte, 0, 1+idBytes+len(p.entryHash)), id)
	return w.byKey.Put(p.srcKey, append(v, p.entryHash...))
}

// update applies rule 1. The URL moves only to a URL no other article has,
// keeping by_url one article per key.
func (w *writeTx) update(id string, p *item) (string, outcome, error) {
	old, err := w.get(id)
	if err != nil {
		return "", nil, err
	}
	in := &p.art
	if strings.TrimSpace(in.Text) == "" || in.ContentHash == old.ContentHash || furnitureOnly(old.Text, in.Text) {
		return id, isUnchanged, nil
	}
	n := *old
	n.Revisions = addRevision(old)
	n.Title, n.Text, n.HTML, n.Summary = in.Title, in.Text, in.HTML, in.Summary
	n.Byline, n.Image, n.ExtractedBy, n.ContentHash = in.Byline, in.Image, in.ExtractedBy, in.ContentHash
	n.ExtractError = in.ExtractError // it describes the text now kept
	if !in.Fetched.IsZero() {
		n.Fetched = in.Fetched
	}
	if in.Lang != "" {
		n.Lang = in.Lang
	}
	if in.SiteName != "" {
		n.SiteName = in.SiteName
	}
	if k := urlKey(in.URL); k != nil {
		if o := owner(w.byURL, k); o == "" || o == id {
			n.URL = in.URL
		}
	}
	n.Updated = in.Updated
	if n.Updated.IsZero() {
		n.Updated = w.now
	}
	if err := w.replace(old, &n); err != nil {
		return "", nil, err
	}
	if p.page != nil {
		if err := putPage(w.pages, id, p.page); err != nil {
			return "", nil, err
		}
	}
	return id, isUpdated, nil
}

// addSource applies rules 2 and 3: the item is one more source of id.
func (w *writeTx) addSource(id string, p *item) (string, outcome, error) {
	old, err := w.get(id)
	if err != nil {
		return "", nil, err
	}
	n, _ := addSources(old, []herald.Source{p.source}, p.art.Tags, w.sourceTaken)
	if err := w.replace(old, n); err != nil {
		return "", nil, err
	}
	if p.page != nil && w.pages.Get([]byte(id)) == nil {
		if err := putPage(w.pages, id, p.page); err != nil {
			return "", nil, err
		}
	}
	return id, isDuplicate, nil
}

func (w *writeTx) sourceTaken(s herald.Source) bool {
	return w.byKey.Get(sourceKey(s)) != nil
}

// create applies rule 4. An entry with no date takes the time it was first
// seen, and keeps it. urlFree and hashFree say whether dedupe found the
// item's URL and text keys unclaimed.
func (w *writeTx) create(p *item, urlFree, hashFree bool) (string, outcome, error) {
	a := p.art
	a.ID = w.freeID(p.source.Feed, entryKey(p.source), a.URL, p.art.Published)
	if err := w.linkStory(&a, p.shingles, p.bands, &p.story); err != nil {
		return "", nil, err
	}
	if a.Story == "" {
		a.Story = a.ID
	}
	if err := w.insertPrepared(&a, p, urlFree, hashFree); err != nil {
		return "", nil, err
	}
	if p.page != nil {
		if err := putPage(w.pages, a.ID, p.page); err != nil {
			return "", nil, err
		}
	}
	return a.ID, isNew, nil
}

// insertPrepared inserts a, whose id create chose, using what prepare
// made when the id is the one it foresaw.
func (w *writeTx) insertPrepared(a *herald.Article, p *item, urlFree, hashFree bool) error {
	if a.ID != p.fresh.ID || p.record == nil || a.Story != p.fresh.Story {
		if a.Published.IsZero() {
			a.Published = p.source.Seen
		}
		if err := w.insert(a); err != nil {
			return err
		}
		return w.noteEntry(p)
	}
	*a = p.fresh
	if err := w.indexNew(a, p, urlFree, hashFree); err != nil {
		return err
	}
	return w.putRecord(a.ID, p.record)
}

// freeID is articleID, made unique should an imported article already hold
// it.
func (w *writeTx) freeID(feed, key, u string, published time.Time) string {
	id := articleID(feed, key, u, published)
	for n := 1; w.articles.Get([]byte(id)) != nil; n++ {
		id = articleID(feed, key, u+"\x00"+strconv.Itoa(n), published)
	}
	return id
}

// articleID is stable and reproducible: the same entry archived anew gets
// the same id. Its first 4 bytes hash the feed alone and the next 4 are the
// entry's date in Unix seconds (zero when it has none), so that a feed's
// new articles land at the end of the feed's run of the articles bucket: a
// poll's new articles then dirty a page or two of it, where random ids
// would dirty a page each, and a commit writes several times less.
func articleID(feed, key, u string, published time.Time) string {
	f := sha256.Sum256([]byte(feed))
	sum := sha256.Sum256([]byte(feed + "\x00" + key + "\x00" + u))
	var id [16]byte
	copy(id[:4], f[:4])
	binary.BigEndian.PutUint32(id[4:8], idSeconds(published))
	copy(id[8:], sum[:8])
	return hex.EncodeToString(id[:])
}

// idSeconds is t in Unix seconds, clamped to what 4 bytes hold.
func idSeconds(t time.Time) uint32 {
	switch s := t.Unix(); {
	case t.IsZero() || s < 0:
		return 0
	case s > math.MaxUint32:
		return math.MaxUint32
	default:
		return uint32(s)
	}
}
