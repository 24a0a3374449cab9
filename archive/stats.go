package archive

import (
	"bytes"
	"sort"

	"herald/archive/kv"
	"herald/archive/kv/boltkv"
)

// Stats are the archive's counts.
type Stats struct {
	Articles int
	// Copies are articles linked to an earlier article's story; Stories
	// are the rest (Articles - Copies), one per story.
	Stories, Copies int
	Sources         int // every source of every article
	Pages           int
	Feeds           map[string]int // articles with a source from each feed
	FileSize        int64          // bytes in use in the file; 0 on PostgreSQL
}

// FeedCount is one feed's article count.
type FeedCount struct {
	Feed     string
	Articles int
}

// PerFeed lists s.Feeds sorted by feed name.
func (s Stats) PerFeed() []FeedCount {
	out := make([]FeedCount, 0, len(s.Feeds))
	for f, n := range s.Feeds {
		out = append(out, FeedCount{Feed: f, Articles: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Feed < out[j].Feed })
	return out
}

// Stats counts the archive. It reads every key of the feed index, so it
// takes time in proportion to the archive (tens of milliseconds for 100,000
// articles).
func (db *DB) Stats() (Stats, error) {
	s := Stats{Feeds: map[string]int{}}
	err := db.store.View(func(tx kv.Tx) error {
		s.Articles = keyCount(tx.Bucket(bucketArticles))
		s.Copies = copiesIn(tx)
		s.Stories = s.Articles - s.Copies
		s.Sources = keyCount(tx.Bucket(bucketByKey))
		s.Pages = keyCount(tx.Bucket(bucketPages))
		if btx := boltkv.RawTx(tx); btx != nil {
			s.FileSize = btx.Size()
		}
		c := tx.Bucket(bucketByFeed).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if feed, _, ok := bytes.Cut(k, []byte{0}); ok {
				s.Feeds[string(feed)]++
			}
		}
		return nil
	})
	return s, err
}
