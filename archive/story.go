package archive

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"

	"herald"
	"herald/archive/kv"
)

// Stories: articles that are copies of one another with edits (a wire
// story under another headline, dateline, cuts, copy-editing, an outlet's
// tagline) are linked by Article.Story, the id of the story's first
// article, which is its own (articles archived before version 5 have none
// and are the first of their own). A copy keeps its own article. The
// export carries every article's story, so that an import keeps them as
// they were instead of deciding anew in another order.
//
// A new article's text is cut into shingles (five normalised words; three
// letters where words are not separated by spaces) and sketched with
// one-permutation MinHash: one hash a shingle, the least in each of
// sketchSlots slots. The slots in pairs make bands; the articles of a
// recent window are kept in memory by band, so that an article finds the
// ones that share a band with it: two texts with Jaccard similarity J
// share one of storyBands bands with probability 1-(1-J²)^storyBands (0.93
// at J = 0.35, what a trimmed and copy-edited copy keeps of its base;
// 0.0002 for two unrelated stories). A candidate is then verified on the
// texts themselves (verifyCopy) before the article joins its story.

const (
	shingleWords = 5
	shingleRunes = 3
	storyBands   = 20
	bandRows     = 2
	sketchSlots  = storyBands * bandRows
	// minShingles is the least a text needs to be sketched: a text of
	// fewer than about 30 words is a teaser, sketched only to find its
	// story (see verifyCopy), never one another teaser joins.
	minShingles = 20
	// teaserShingles: a text with fewer shingles (about 60 words) is a
	// teaser to verifyCopy.
	teaserShingles = 3 * minShingles
	// DefaultStoryWindow is how many recent articles Options.StoryWindow
	// keeps when zero: a few days of a large reader's feeds.
	DefaultStoryWindow = 50_000
)

// shingles returns the hashes of text's shingles, in text order (sort
// them with sortedSet to compare two texts). A shingle's hash is made from
// its words' hashes, so that no shingle or word is built as a string.
func shingles(text string) []uint64 {
	norm := herald.NormalizeText(text)
	words := make([]uint64, 0, strings.Count(norm, " ")+1)
	for w := range strings.FieldsSeq(norm) {
		words = append(words, fnv1a(w))
	}
	if len(words) > 0 && utf8.RuneCountInString(norm)/len(words) > 12 {
		// Few spaces for many letters: Chinese, Japanese, Thai.
		words = words[:0]
		for _, r := range norm {
			if r != ' ' {
				words = append(words, fnv1a(string(r)))
			}
		}
		return gramHashes(words, shingleRunes)
	}
	return gramHashes(words, shingleWords)
}

// gramHashes hashes each run of n tokens, given their hashes.
func gramHashes(th []uint64, n int) []uint64 {
	if len(th) < n {
		return nil
	}
	out := make([]uint64, 0, len(th)-n+1)
	for i := 0; i+n <= len(th); i++ {
		h := uint64(n)
		for _, x := range th[i : i+n] {
			h = mix(h*0x9e3779b97f4a7c15 ^ x)
		}
		out = append(out, h)
	}
	return out
}

// sortedSet sorts sh and drops repeats, in place.
func sortedSet(sh []uint64) []uint64 {
	slices.Sort(sh)
	return slices.Compact(sh)
}

// fnv1a is FNV-1a, 64 bits, with a final mix so that every bit of the
// hash depends on every byte (the slot is taken from the top bits).
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h)
}

// mix is the finaliser of MurmurHash3.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// bandKeys are the band keys of a text's shingles, or nil for a text too
// short to be sketched. A band whose slots are not all filled has none.
func bandKeys(sh []uint64) []uint64 {
	if len(sh) < minShingles {
		return nil
	}
	var mins [sketchSlots]uint64
	var filled [sketchSlots]bool
	for _, h := range sh {
		slot := (h >> 32) % sketchSlots
		if v := h & 0xffffffff; !filled[slot] || v < mins[slot] {
			mins[slot], filled[slot] = v, true
		}
	}
	keys := make([]uint64, 0, storyBands)
	for b := range storyBands {
		var buf [1 + 8*bandRows]byte
		buf[0] = byte(b)
		ok := true
		for r := range bandRows {
			s := b*bandRows + r
			ok = ok && filled[s]
			binary.LittleEndian.PutUint64(buf[1+8*r:], mins[s])
		}
		if ok {
			keys = append(keys, fnv1a(string(buf[:])))
		}
	}
	return keys
}

// verifyCopy is the similarity measure that decides, on the shingles
// themselves: a (the new article) is a copy of b when the shingles they
// share are at least half of the shorter text's and a fifth of the
// longer's. A copy keeps most of its base even when trimmed and
// copy-edited; a follow-up that quotes a paragraph or two of another story
// shares less than a third of either; a tagline or a house style is a few
// shingles. A short text (a teaser, under 3×minShingles) that b holds
// nearly whole is b's story too, but only in that direction: an article is
// never joined to a teaser's story, which would chain a follow-up that
// quotes the teaser's paragraph to it. The score is the share of the
// longer text.
func verifyCopy(a, b []uint64) (float64, bool) {
	if len(a) == 0 || len(b) == 0 {
		return 0, false
	}
	n := intersect(a, b)
	cs := float64(n) / float64(min(len(a), len(b)))
	cl := float64(n) / float64(max(len(a), len(b)))
	switch {
	case n == len(a) && n == len(b):
		return 1, true
	case len(a) < teaserShingles || len(b) < teaserShingles:
		return cl, len(a) < teaserShingles && len(a) < len(b) && float64(n) >= 0.9*float64(len(a))
	default:
		return cl, cs >= 0.5 && cl >= 0.2
	}
}

func intersect(a, b []uint64) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// storyIndex is the band index of the recent window, in memory. It is
// changed only under claims.write and claims.mu, after a commit
// (claimState.apply), and by fold, under claims.mu while the writer
// commits its next transaction (updateClaims); lookStories reads it under
// claims.mu alone.
//
// Each article added gets the next seq; the window is the last window of
// them, article seq at ring[seq%window]. bands maps a band key to the
// seq of the newest article with it, and a key whose article has left the
// window is dead: every article with the key is older still. Dead keys
// are not deleted as their articles leave (a lookup and a delete a key,
// a million keys at the default window) but swept out once every half
// window of articles, in one pass over the map; so the map holds up to
// one and a half times the window's keys, in the room a full window's
// took (BenchmarkStoryWindow). Seqs, not ids: a map with no pointers in
// it is not scanned by the garbage collector.
//
// A commit's articles reach bands later, by fold: their keys are a
// random write each, a cache miss, a fifth of what the single writer did
// between two commits; folded while the next commit writes and syncs, they
// cost it nothing. Invariant: the articles from folded to added are in
// recent's batches, and get looks there first.
type storyIndex struct {
	window int
	bands  map[uint64]uint64
	ring   []string // article ids
	added  uint64   // the seq of the next article
	folded uint64   // the articles before it have their keys in bands
	swept  uint64   // folded at the last sweep
	// recent are the last commits' new articles, oldest first, with their
	// band maps: a lookup made before a commit (lookStories) is brought up
	// to date from them in the write transaction, where the window's map
	// would cost a cache miss a key.
	recent []storyBatch
}

// keptBatches is how many commits recent holds: an item waits for one or
// two commits between lookStories and its own; one that waited longer is
// looked up again in its transaction. Batches not yet folded are kept
// beyond it.
const keptBatches = 16

// storyEntry is a new article and its band keys.
type storyEntry struct {
	id   string
	keys []uint64
}

// storyBatch is a commit's new articles, as the window gained them: the
// first has seq first.
type storyBatch struct {
	first uint64
	pendingStories
}

func (b *storyBatch) end() uint64 { return b.first + uint64(len(b.entries)) }

func (x *storyIndex) init(window int) {
	if window <= 0 {
		window = DefaultStoryWindow
	}
	*x = storyIndex{window: window, bands: map[uint64]uint64{}}
}

// add puts an article in the window, dropping the oldest when full.
func (x *storyIndex) add(e storyEntry) {
	x.fold()
	seq := x.place(e.id)
	for _, k := range e.keys {
		x.bands[k] = seq
	}
	x.folded = x.added
	x.sweepIfDue()
}

// place gives id the next seq and its room in the ring.
func (x *storyIndex) place(id string) uint64 {
	seq := x.added
	x.added++
	if len(x.ring) < x.window {
		x.ring = append(x.ring, id)
	} else {
		x.ring[seq%uint64(x.window)] = id
	}
	return seq
}

// fold puts the keys of the committed articles not yet in bands there.
func (x *storyIndex) fold() {
	for i := range x.recent {
		b := &x.recent[i]
		for ; x.folded < b.end(); x.folded++ {
			for _, k := range b.entries[x.folded-b.first].keys {
				x.bands[k] = x.folded
			}
		}
	}
	x.sweepIfDue()
}

func (x *storyIndex) sweepIfDue() {
	if x.folded-x.swept >= uint64(max(x.window/2, 1)) {
		x.sweep()
	}
}

// sweep deletes the dead keys.
func (x *storyIndex) sweep() {
	for k, seq := range x.bands {
		if !x.inWindow(seq) {
			delete(x.bands, k)
		}
	}
	x.swept = x.folded
}

// inWindow reports whether the article of seq is still in the window.
func (x *storyIndex) inWindow(seq uint64) bool { return x.added-seq <= uint64(x.window) }

// get returns the article of the window with key k, the newest.
func (x *storyIndex) get(k uint64) (string, uint64, bool) {
	seq, ok := x.unfolded(k)
	if !ok {
		seq, ok = x.bands[k]
	}
	if !ok || !x.inWindow(seq) {
		return "", 0, false
	}
	return x.ring[seq%uint64(x.window)], seq, true
}

// unfolded returns the newest article with key k among those not yet
// folded, which are newer than any in bands.
func (x *storyIndex) unfolded(k uint64) (uint64, bool) {
	for j := len(x.recent) - 1; j >= 0 && x.recent[j].end() > x.folded; j-- {
		b := &x.recent[j]
		if n, ok := b.bands[k]; ok {
			seq := b.first + uint64(n)
			return seq, seq >= x.folded
		}
	}
	return 0, false
}

// commit adds a committed transaction's new articles and keeps them as
// the newest batch; fold puts them in bands.
func (x *storyIndex) commit(p *pendingStories) {
	if len(p.entries) == 0 {
		return
	}
	first := x.added
	for _, e := range p.entries {
		x.place(e.id)
	}
	x.recent = append(x.recent, storyBatch{first: first, pendingStories: *p})
	if len(x.recent) > 2*keptBatches {
		x.fold() // no write has folded them (a test; an import of one batch)
	}
	for len(x.recent) > keptBatches && x.recent[0].end() <= x.folded {
		x.recent = slices.Delete(x.recent, 0, 1)
	}
}

// pendingStories are the new articles of a write transaction, added to
// the window once it commits, and their band keys, each to the newest of
// them that has it, as in the window. A map, not a scan of those
// articles: a group commit holds a thousand or more, and a scan made each
// new article's lookup grow with the commit.
type pendingStories struct {
	entries []storyEntry
	bands   map[uint64]int32 // band key -> index in entries
}

// add queues e, which has band keys, for the window and makes it a
// candidate for the rest of the transaction.
func (p *pendingStories) add(e storyEntry) {
	if p.bands == nil {
		p.bands = map[uint64]int32{}
	}
	for _, k := range e.keys {
		p.bands[k] = int32(len(p.entries))
	}
	p.entries = append(p.entries, e)
}

// storyLook is what the window held for an item's band keys when it was
// prepared (lookStories), and its candidates verified there, outside the
// write transaction that feeds share.
type storyLook struct {
	at       uint64     // the window's added count then
	hits     []storyHit // in the order of the keys
	verdicts []storyVerdict
}

// storyHit is the newest article of the window with keys[key].
type storyHit struct {
	key int
	id  string
	seq uint64
}

// storyVerdict is a candidate as lookStories found it: its stored record
// then, and what findStory takes of it.
type storyVerdict struct {
	id     string
	record []byte
	story  string // the candidate's StoryID
	shares bool   // it shares a feed with the item
	score  float64
	ok     bool // verifyCopy's
}

// look returns what the window holds for keys now.
func (x *storyIndex) look(keys []uint64) storyLook {
	l := storyLook{at: x.added}
	for i, k := range keys {
		if id, seq, ok := x.get(k); ok {
			l.hits = append(l.hits, storyHit{key: i, id: id, seq: seq})
		}
	}
	return l
}

// covers reports whether every article added since l was made is in the
// batches kept. An article added otherwise than by commit (on open, or
// caught up from another process's commits) leaves a gap between batches,
// and the lookups made before it are made again in the transaction.
func (x *storyIndex) covers(l *storyLook) bool {
	if l == nil {
		return false
	}
	end := x.added
	for j := len(x.recent) - 1; j >= 0 && end > l.at; j-- {
		b := &x.recent[j]
		if b.first+uint64(len(b.entries)) != end {
			return false
		}
		end = b.first
	}
	return end == l.at
}

// newest returns the newest article of the window with keys[i], from l
// and the batches committed since, which covers(l) holds.
func (x *storyIndex) newest(keys []uint64, i int, l *storyLook) (string, bool) {
	for j := len(x.recent) - 1; j >= 0 && x.recent[j].first >= l.at; j-- {
		b := &x.recent[j]
		if n, ok := b.bands[keys[i]]; ok {
			return b.entries[n].id, x.inWindow(b.first + uint64(n))
		}
	}
	for _, h := range l.hits {
		if h.key == i {
			return h.id, x.inWindow(h.seq)
		}
	}
	return "", false
}

// candidates are the articles that share a band with keys, in the order of
// the bands, each once: the window's, then the transaction's. l, when it
// covers the batches since, stands for the window's map.
func (x *storyIndex) candidates(keys []uint64, pending *pendingStories, l *storyLook) []string {
	fresh := x.covers(l)
	var ids []string
	for i, k := range keys {
		var id string
		var ok bool
		if fresh {
			id, ok = x.newest(keys, i, l)
		} else {
			id, _, ok = x.get(k)
		}
		if ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		if n, ok := pending.bands[k]; ok && !slices.Contains(ids, pending.entries[n].id) {
			ids = append(ids, pending.entries[n].id)
		}
	}
	return ids
}

// lookStories looks up the window for each item with band keys and
// verifies the candidates it finds, before the write transaction: the
// transaction then only brings the lookup up to date (candidates) and
// checks that a verified candidate's record is unchanged (findStory).
func (db *DB) lookStories(items []item) error {
	s := &db.claims
	s.mu.RLock()
	hits := false
	for i := range items {
		if p := &items[i]; len(p.bands) > 0 {
			p.story = s.stories.look(p.bands)
			hits = hits || len(p.story.hits) > 0
		}
	}
	s.mu.RUnlock()
	if !hits {
		return nil
	}
	return db.store.View(func(tx kv.Tx) error {
		articles := tx.Bucket(bucketArticles)
		for i := range items {
			items[i].story.verify(articles, &items[i])
		}
		return nil
	})
}

// verify fills in l.verdicts for p's candidates.
func (l *storyLook) verify(articles kv.Bucket, p *item) {
	var set []uint64
	feeds := feedsOf(&p.art)
	for _, h := range l.hits {
		if slices.ContainsFunc(l.verdicts, func(v storyVerdict) bool { return v.id == h.id }) {
			continue
		}
		rec := articles.Get([]byte(h.id))
		if rec == nil {
			continue // findStory finds it missing too
		}
		c, err := decodeRecord(rec)
		if err != nil {
			continue // findStory reports it
		}
		v := storyVerdict{id: h.id, record: bytes.Clone(rec), story: c.StoryID(), shares: sharesFeed(c, feeds)}
		if !v.shares {
			if set == nil {
				set = sortedSet(slices.Clone(p.shingles))
			}
			v.score, v.ok = verifyCopy(set, sortedSet(shingles(c.Text)))
		}
		l.verdicts = append(l.verdicts, v)
	}
}

// verdict returns lookStories' verdict on candidate id if its record is
// the same now.
func (l *storyLook) verdict(id string, articles kv.Bucket) (*storyVerdict, bool) {
	if l == nil {
		return nil, false
	}
	for i := range l.verdicts {
		if v := &l.verdicts[i]; v.id == id {
			return v, bytes.Equal(articles.Get([]byte(id)), v.record)
		}
	}
	return nil, false
}

// findStory returns the story a new article with text belongs to, or ""
// for a story of its own. feeds are the article's feeds: a feed's own
// articles are its own business (a feed that gives two entries says they
// are two), so a story joins only articles of other feeds. l is what
// lookStories found, or nil.
func (w *writeTx) findStory(sh, keys []uint64, feeds []string, l *storyLook) (string, error) {
	var best string
	bestScore := 0.0
	var set []uint64 // sh sorted, made for the first candidate
	for _, id := range w.texts.index.candidates(keys, &w.texts.stories, l) {
		if v, ok := l.verdict(id, w.articles); ok {
			if !v.shares && v.ok && v.score > bestScore {
				best, bestScore = v.story, v.score
			}
			continue
		}
		c, err := w.get(id)
		if err != nil {
			return "", err
		}
		if sharesFeed(c, feeds) {
			continue
		}
		if set == nil {
			set = sortedSet(slices.Clone(sh))
		}
		if score, ok := verifyCopy(set, sortedSet(shingles(c.Text))); ok && score > bestScore {
			best, bestScore = c.StoryID(), score
		}
	}
	return best, nil
}

// linkStory sets the Story of a, a new article of the transaction whose
// shingles and band keys are sh and keys, and queues it for the window. l
// is what lookStories found, or nil.
func (w *writeTx) linkStory(a *herald.Article, sh, keys []uint64, l *storyLook) error {
	if len(keys) == 0 {
		return nil
	}
	story, err := w.findStory(sh, keys, feedsOf(a), l)
	if err != nil {
		return err
	}
	if story == a.ID {
		// An imported story's first article, met after its copies.
		story = ""
	}
	a.Story = story
	w.texts.stories.add(storyEntry{id: a.ID, keys: keys})
	return w.noteCopy(a)
}

// loadStories fills the window with the newest articles, newest last.
func (x *storyIndex) load(tx kv.Tx) error {
	c := tx.Bucket(bucketByTime).Cursor()
	var ids []string
	for k, _ := c.Last(); k != nil && len(ids) < x.window; k, _ = c.Prev() {
		ids = append(ids, string(k[timeLen:]))
	}
	articles := tx.Bucket(bucketArticles)
	for i := len(ids) - 1; i >= 0; i-- {
		a, err := getArticle(articles, ids[i])
		if err != nil {
			return err
		}
		if keys := bandKeys(shingles(a.Text)); len(keys) > 0 {
			x.add(storyEntry{id: a.ID, keys: keys})
		}
	}
	return nil
}

var (
	metaCopies = []byte("copies")
	// bucketByStory lists the copies of each story: story id \x00 copy
	// id -> nil. Only copies are in it, a story's first article is not.
	bucketByStory = []byte("by_story")
)

// noteCopy indexes a, a new article, under its story if it has one, and
// counts it for Stats.
func (w *writeTx) noteCopy(a *herald.Article) error {
	if a.Story == "" || a.Story == a.ID {
		return nil
	}
	if err := w.tx.Bucket(bucketByStory).Put([]byte(a.Story+"\x00"+a.ID), nil); err != nil {
		return err
	}
	meta := w.tx.Bucket(bucketMeta)
	var n uint64
	if v := meta.Get(metaCopies); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], n+1)
	return meta.Put(metaCopies, buf[:])
}

// copySources returns the sources of the copies of a's story, which a
// does not hold already.
func copySources(tx kv.Tx, a *herald.Article) ([]herald.Source, error) {
	b := tx.Bucket(bucketByStory)
	if b == nil {
		return nil, nil
	}
	var out []herald.Source
	prefix := []byte(a.ID + "\x00")
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		cp, err := getArticle(tx.Bucket(bucketArticles), string(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, cp.Sources...)
	}
	return out, nil
}

// copiesIn is the count noteCopy keeps.
func copiesIn(tx kv.Tx) int {
	if v := tx.Bucket(bucketMeta).Get(metaCopies); len(v) == 8 {
		return int(binary.BigEndian.Uint64(v))
	}
	return 0
}
