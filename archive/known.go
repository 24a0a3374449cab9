package archive

import (
	bolt "go.etcd.io/bbolt"

	"herald"
)

// EntryRef names a feed entry for Known: its Key (GUID when no Key), link,
// and the caller's hash of its content (see Item.EntryHash), if any.
type EntryRef struct{ Key, URL, Hash string }

// Seen says whether and where the archive already has an entry.
type Seen uint8

const (
	Unseen        Seen = iota
	SeenInFeed         // this feed gave this key before
	SeenElsewhere      // another source has an article at this URL
	// SeenUnchanged is SeenInFeed with the same EntryHash as when it was
	// last archived: ingesting it again would change nothing.
	SeenUnchanged
)

// Known reports, for each entry, whether the archive already has it. The
// poller uses it to fetch article pages only for entries that are new.
func (db *DB) Known(feed string, refs []EntryRef) ([]Seen, error) {
	out := make([]Seen, len(refs))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		byKey, byURL, entries := tx.Bucket(bucketByKey), tx.Bucket(bucketByURL), tx.Bucket(bucketEntries)
		for i, r := range refs {
			k := sourceKey(herald.Source{Feed: feed, Key: r.Key})
			if v := byKey.Get(k); v != nil {
				out[i] = SeenInFeed
				if r.Hash != "" && entryHash(v, entries, k) == r.Hash {
					out[i] = SeenUnchanged
				}
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
