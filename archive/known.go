package archive

import (
	"crypto/sha256"
	"encoding/hex"

	"herald"
	"herald/archive/kv"
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
	err := db.store.View(func(tx kv.Tx) error {
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

// Plan says what a poll does with one entry of a feed.
type Plan struct {
	Action Action
	// EntryHash is the entry's hash (EntryHash), for Item.EntryHash.
	EntryHash string
}

// Action is what a poll does with an entry.
type Action uint8

const (
	// Skip: archived from this feed and unchanged since, or archived from
	// this full-text feed (the stored text is the page's; the feed's
	// teaser would look like a change: re-extraction is `herald
	// reextract`). Ingesting it would change nothing.
	Skip Action = iota
	// FeedText: archive the entry with the feed's own text.
	FeedText
	// FetchPage: a new entry of a full-text feed: fetch and extract its
	// page, and fall back on the feed's text if that fails.
	FetchPage
)

// Plan decides, for each entry of a feed, whether the archive needs it and
// whether its page is worth fetching: only new entries of a full-text feed
// get their page fetched; entries archived before are handed over again
// when their content changed (so that the article is updated) or when
// they are known only from other feeds (so that it gains this feed as a
// source).
func (db *DB) Plan(feed string, fullText bool, entries []herald.Entry) ([]Plan, error) {
	refs := make([]EntryRef, len(entries))
	plans := make([]Plan, len(entries))
	for i, e := range entries {
		plans[i].EntryHash = EntryHash(e)
		refs[i] = EntryRef{Key: e.Key, URL: e.Link, Hash: plans[i].EntryHash}
	}
	known, err := db.Known(feed, refs)
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		switch {
		case known[i] == SeenUnchanged || (known[i] == SeenInFeed && fullText):
			plans[i].Action = Skip
		case known[i] == Unseen && fullText && e.Link != "":
			plans[i].Action = FetchPage
		default:
			plans[i].Action = FeedText
		}
	}
	return plans, nil
}

// EntryHash digests what the archived text of an entry is made from, so
// that an entry given again unchanged is skipped before its content is
// sanitised. A change elsewhere (a title, a date) does not update an
// archived article either (see Ingest), so it need not count.
func EntryHash(e herald.Entry) string {
	h := sha256.New()
	for _, s := range []string{e.Content, e.Summary, e.Link} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
