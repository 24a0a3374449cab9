package archive

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"

	"herald/archive/kv"
	"herald/archive/kv/pgkv"
)

// A shared engine (PostgreSQL) is written by many processes at once, so
// what a bbolt archive keeps in memory for its one process cannot be
// trusted there:
//   - text claims go straight to text_claims, with no claim log and no
//     copy of it in memory (claims.go), and a claim looked up before the
//     write transaction is looked up again inside it;
//   - the story window catches up, inside each write transaction, with the
//     articles the changes log holds after the last change it saw, so a
//     copy ingested by another process is found (catchUpStories);
//   - feed states are written through, not queued (feeds.go), so a state
//     saved by one process is what the next process to poll the feed
//     reads;
//   - the memo of decoded articles is keyed by the stored record itself
//     (decoded.go), so an article another process changed is decoded
//     afresh.

// Shared reports whether other processes may write the archive while this
// one has it open: true for a PostgreSQL archive.
func (db *DB) Shared() bool { return db.shared }

// IsPostgres reports whether path names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a bbolt file.
func IsPostgres(path string) bool {
	scheme, _, ok := strings.Cut(path, "://")
	if !ok {
		return false
	}
	scheme = strings.ToLower(scheme)
	return scheme == "postgres" || scheme == "postgresql"
}

// openPostgres connects to the database dsn names, with password unless
// the URL holds one.
func openPostgres(dsn, password string) (kv.Engine, error) {
	if password != "" {
		u, err := url.Parse(dsn)
		if err != nil {
			// url's errors quote the URL, password and all.
			return nil, fmt.Errorf("not a database URL; want postgres://user@host:port/database")
		}
		if _, set := u.User.Password(); !set {
			u.User = url.UserPassword(u.User.Username(), password)
			dsn = u.String()
		}
	}
	return pgkv.Open(context.Background(), dsn)
}

// catchUpStories adds to the story window, in the write transaction tx,
// the articles written since the last change it saw, by this process or
// another: on a shared engine they are the window's only source. An
// article changed again is added again, which only ages the window a
// little sooner. s.write is held.
func (s *claimState) catchUpStories(tx kv.Tx) error {
	b := tx.Bucket(bucketChanges)
	if b == nil || b.Sequence() <= s.storySeen {
		return nil
	}
	var p pendingStories
	articles := tx.Bucket(bucketArticles)
	c := b.Cursor()
	last := s.storySeen
	var ids [][]byte
	for k, v := c.Seek(seqKey(s.storySeen + 1)); k != nil; k, v = c.Next() {
		last = binary.BigEndian.Uint64(k)
		ids = append(ids, v)
	}
	// Read in one round trip, not one an article, while every process
	// waits for the archive lock this transaction holds.
	if pf, ok := tx.(kv.Prefetcher); ok {
		pf.Prefetch(kv.Keys{Bucket: bucketArticles, Keys: ids})
	}
	for _, v := range ids {
		rec := articles.Get(v)
		if rec == nil {
			continue // deleted since
		}
		a, err := decodeRecord(rec)
		if err != nil {
			return fmt.Errorf("article %s: %w", v, err)
		}
		if keys := bandKeys(shingles(a.Text)); len(keys) > 0 {
			p.add(storyEntry{id: a.ID, keys: keys})
		}
	}
	s.mu.Lock()
	s.stories.commit(&p)
	s.mu.Unlock()
	s.storySeen = max(last, b.Sequence())
	return nil
}
