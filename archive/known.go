package archive

import (
	bolt "go.etcd.io/bbolt"

	"herald"
)

// EntryRef names a feed entry for Known: its Key (GUID when no Key) and link.
type EntryRef struct{ Key, URL string }

// Seen says whether and where the archive already has an entry.
type Seen uint8

const (
	Unseen        Seen = iota
	SeenInFeed         // this feed gave this key before
	SeenElsewhere      // another source has an article at this URL
)

// Known reports, for each entry, whether the archive already has it. The
// poller uses it to fetch article pages only for entries that are new.
func (db *DB) Known(feed string, refs []EntryRef) ([]Seen, error) {
	out := make([]Seen, len(refs))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		byKey, byURL := tx.Bucket(bucketByKey), tx.Bucket(bucketByURL)
		for i, r := range refs {
			if byKey.Get(sourceKey(herald.Source{Feed: feed, Key: r.Key})) != nil {
				out[i] = SeenInFeed
				continue
			}
			if k := urlKey(r.URL); k != nil && byURL.Get(k) != nil {
				out[i] = SeenElsewhere
			}
		}
		return nil
	})
	return out, err
}
