package archive

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"herald"
	"herald/archive/kv"
)

// DefaultLimit is how many articles Recent returns when Query.Limit is not
// positive.
const DefaultLimit = 50

// ErrBadCursor is returned for a Query.Before that Recent did not make.
var ErrBadCursor = errors.New("bad cursor")

// Query selects articles. Zero fields select everything.
type Query struct {
	Feed string // articles with a source from this feed
	Tag  string
	// Since and Until bound Published: Since <= Published < Until.
	Since, Until time.Time
	// Before is a cursor from Recent: only articles after it in Recent's
	// order (older, or as old with a smaller id).
	Before string
	// Limit is the most articles to return; Recent defaults to
	// DefaultLimit, Each and Export to no limit.
	Limit int
	// MaxBytes, when positive, cuts Recent's page early: it holds articles
	// while their text and HTML together come to at most MaxBytes, and
	// always at least one. The cursor then points to the rest.
	MaxBytes int
	// OnePerStory makes Recent give one article per story: a story's
	// first article, with the sources of its copies added to its own; a
	// copy only when its story's first article is not selected.
	OnePerStory bool
}

func (q *Query) matches(a *herald.Article) bool {
	if q.Feed != "" && !slices.ContainsFunc(a.Sources, func(s herald.Source) bool { return s.Feed == q.Feed }) {
		return false
	}
	if q.Tag != "" && !slices.Contains(a.Tags, q.Tag) {
		return false
	}
	if !q.Since.IsZero() && a.Published.Before(q.Since) {
		return false
	}
	return q.Until.IsZero() || a.Published.Before(q.Until)
}

// span is the run of index keys a query reads: those with prefix, from lower
// (inclusive) to upper (exclusive; nil means the end of the prefix). Each key
// is prefix, a time key and an article id.
type span struct {
	bucket       []byte
	prefix       []byte
	lower, upper []byte
}

// span picks the narrowest index for q. The index narrows the search; every
// article found is still checked with q.matches, which is exact even for
// times outside the time keys' range.
func (q *Query) span() (span, error) {
	var s span
	switch {
	case q.Feed != "":
		s.bucket, s.prefix = bucketByFeed, []byte(feedPrefix(q.Feed))
	case q.Tag != "":
		s.bucket, s.prefix = bucketByTag, []byte(tagPrefix(q.Tag))
	default:
		s.bucket = bucketByTime
	}
	s.lower = s.prefix
	if nanoInRange(q.Since) && !q.Since.IsZero() {
		s.lower = bound(s.prefix, timeKey(q.Since), "")
	}
	if nanoInRange(q.Until) && !q.Until.IsZero() {
		s.upper = bound(s.prefix, timeKey(q.Until), "")
	}
	if q.Before != "" {
		c, err := decodeCursor(q.Before)
		if err != nil {
			return span{}, err
		}
		if b := append(slices.Clone(s.prefix), c...); s.upper == nil || bytes.Compare(b, s.upper) < 0 {
			s.upper = b
		}
	}
	return s, nil
}

func bound(prefix []byte, tk [timeLen]byte, id string) []byte {
	k := append(slices.Clone(prefix), tk[:]...)
	return append(k, id...)
}

// walk calls fn with the id of every key in s, oldest first or, when
// reverse, newest first, until fn returns false or an error.
func (s span) walk(tx kv.Tx, reverse bool, fn func(id string) (bool, error)) error {
	c := tx.Bucket(s.bucket).Cursor()
	idAt := len(s.prefix) + timeLen
	in := func(k []byte) bool {
		return k != nil && bytes.HasPrefix(k, s.prefix) && bytes.Compare(k, s.lower) >= 0 &&
			(s.upper == nil || bytes.Compare(k, s.upper) < 0)
	}
	var k []byte
	step := c.Next
	if reverse {
		k = s.last(c)
		step = c.Prev
	} else {
		k, _ = c.Seek(s.lower)
	}
	for ; in(k); k, _ = step() {
		if len(k) <= idAt {
			continue
		}
		more, err := fn(string(k[idAt:]))
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// last positions c on the last key below s.upper (or the end of the prefix).
func (s span) last(c kv.Cursor) []byte {
	upper := s.upper
	if upper == nil && len(s.prefix) > 0 {
		upper = successor(s.prefix)
	}
	if upper == nil {
		k, _ := c.Last()
		return k
	}
	if k, _ := c.Seek(upper); k == nil {
		k, _ = c.Last()
		return k
	}
	k, _ := c.Prev()
	return k
}

// successor is the least key greater than every key with prefix p, or nil.
func successor(p []byte) []byte {
	s := slices.Clone(p)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0xff {
			s[i]++
			return s[:i+1]
		}
	}
	return nil
}

func encodeCursor(a *herald.Article) string {
	return base64.RawURLEncoding.EncodeToString(bound(nil, timeKey(a.Published), a.ID))
}

func decodeCursor(c string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) <= timeLen {
		return nil, fmt.Errorf("%w %q", ErrBadCursor, c)
	}
	return b, nil
}

// Article returns one article, or ErrNotFound.
func (db *DB) Article(id string) (herald.Article, error) {
	var a *herald.Article
	err := db.store.View(func(tx kv.Tx) error {
		var err error
		a, err = getArticle(tx.Bucket(bucketArticles), id)
		return err
	})
	if err != nil {
		return herald.Article{}, err
	}
	return *a, nil
}

// Recent lists the articles q selects, newest first (by Published, then by
// id), and a cursor for the next page: "" when there is none. A page ends
// at q.Limit articles or, earlier, at q.MaxBytes.
func (db *DB) Recent(q Query) ([]herald.Article, string, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	s, err := q.span()
	if err != nil {
		return nil, "", err
	}
	var list []herald.Article
	size, more := 0, false
	err = db.store.View(func(tx kv.Tx) error {
		articles := tx.Bucket(bucketArticles)
		return s.walk(tx, true, func(id string) (bool, error) {
			rec := articles.Get([]byte(id))
			if rec == nil {
				return false, fmt.Errorf("article %q: %w", id, ErrNotFound)
			}
			a, err := decodedArticle(db.decoded, id, rec)
			if err != nil {
				return false, fmt.Errorf("article %q: corrupt record: %w", id, err)
			}
			if !q.matches(&a) {
				return true, nil
			}
			if q.OnePerStory {
				shown, err := q.story(tx, &a)
				if err != nil || !shown {
					return err == nil, err
				}
			}
			// The first article that does not fit tells that there is a
			// next page.
			n := articleBytes(&a)
			if len(list) == limit || (q.MaxBytes > 0 && len(list) > 0 && size+n > q.MaxBytes) {
				more = true
				return false, nil
			}
			list = append(list, a)
			size += n
			return true, nil
		})
	})
	if err != nil {
		return nil, "", err
	}
	if !more {
		return list, "", nil
	}
	return list, encodeCursor(&list[len(list)-1]), nil
}

// story decides whether a, selected by q, is shown in one-per-story mode:
// a copy is not when its story's first article is selected too; a story's
// first article is, with its copies' sources added.
func (q *Query) story(tx kv.Tx, a *herald.Article) (bool, error) {
	if a.Story != "" && a.Story != a.ID {
		first, err := getArticle(tx.Bucket(bucketArticles), a.Story)
		if errors.Is(err, ErrNotFound) {
			return true, nil // an imported copy whose story began elsewhere
		}
		return err == nil && !q.matches(first), err
	}
	more, err := copySources(tx, a)
	if err != nil || len(more) == 0 {
		return true, err
	}
	a.Sources = append(slices.Clip(a.Sources), more...)
	return true, nil
}

// articleBytes is what an article weighs in a page: its texts, which are
// all but a few hundred bytes of it.
func articleBytes(a *herald.Article) int {
	return len(a.Title) + len(a.Summary) + len(a.Text) + len(a.HTML)
}

// Each calls fn with every article q selects, oldest first, inside one read
// transaction and one article at a time, so memory does not grow with the
// archive. fn must not write to the archive; an error from fn stops Each and
// is returned as is.
func (db *DB) Each(ctx context.Context, q Query, fn func(herald.Article) error) error {
	return db.each(ctx, q, true, func(_ string, _ []byte, a *herald.Article) error { return fn(*a) })
}

// eachStored is Each for callers that want the export JSON of each article
// (valid only during fn): an article is decoded only when the index alone
// cannot tell whether q selects it.
func (db *DB) eachStored(ctx context.Context, q Query, fn func(id string, data []byte) error) error {
	exact := q.Feed != "" || q.Tag != "" || !q.Since.IsZero() || !q.Until.IsZero()
	return db.each(ctx, q, exact, func(id string, data []byte, _ *herald.Article) error { return fn(id, data) })
}

// each walks q's span and calls fn with every article q selects, with its
// export JSON (valid only during fn) and, when decode, decoded and checked
// against q (else a is nil: the caller knows the span is exact).
func (db *DB) each(ctx context.Context, q Query, decode bool, fn func(id string, data []byte, a *herald.Article) error) error {
	s, err := q.span()
	if err != nil {
		return err
	}
	return db.store.View(func(tx kv.Tx) error {
		articles := tx.Bucket(bucketArticles)
		n := 0
		var records recordReader // one article at a time is in memory
		return s.walk(tx, false, func(id string) (bool, error) {
			if err := ctx.Err(); err != nil {
				return false, err
			}
			rec := articles.Get([]byte(id))
			if rec == nil {
				return false, fmt.Errorf("article %q: %w", id, ErrNotFound)
			}
			data, err := records.json(rec)
			if err != nil {
				return false, fmt.Errorf("article %q: corrupt record: %w", id, err)
			}
			var a *herald.Article
			if decode {
				if a, err = decodeArticle(data); err != nil {
					return false, fmt.Errorf("article %q: corrupt record: %w", id, err)
				}
				if !q.matches(a) {
					return true, nil
				}
			}
			if err := fn(id, data, a); err != nil {
				return false, err
			}
			n++
			return q.Limit <= 0 || n < q.Limit, nil
		})
	})
}
