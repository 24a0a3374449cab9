// Package search is Herald's full-text search of the archive: a query
// language (words, "phrases", -exclusions, field:filters), an index kept in
// step with the archive through its change log, and the snippets that show
// where a query matched.
package search

import (
	"context"
	"errors"
	"fmt"
	"time"

	"herald/archive"
)

// Limits of a request.
const (
	DefaultLimit = 20
	MaxLimit     = 500
)

// Request is one search: a parsed query and filters on it.
type Request struct {
	Query Query
	// Feed and Tag keep only articles with a source from that feed, or
	// with that tag; "" keeps all.
	Feed, Tag string
	// Since and Until keep articles published at or after Since and
	// before Until; zero means unbounded.
	Since, Until time.Time
	// Limit is how many hits to return (DefaultLimit when 0, at most
	// MaxLimit); Offset how many of the best to skip.
	Limit, Offset int
	// ByDate orders hits newest first instead of by relevance.
	ByDate bool
}

// Checked is r with its defaults filled in (DefaultLimit), or an error
// wrapping ErrBadRequest when its limit or offset is out of range.
func (r Request) Checked() (Request, error) {
	if r.Limit == 0 {
		r.Limit = DefaultLimit
	}
	if r.Limit < 0 || r.Limit > MaxLimit || r.Offset < 0 {
		return r, fmt.Errorf("%w: limit %d, offset %d: want a limit from 1 to %d", ErrBadRequest, r.Limit, r.Offset, MaxLimit)
	}
	return r, nil
}

// Enough is how many of the newest matches a search must hold before it
// may leave the older ones out (window.go): one more than its page in date
// order, RelevancePool in relevance order.
func (r Request) Enough() int {
	n := r.Offset + r.Limit + 1
	if !r.ByDate {
		n = max(n, RelevancePool)
	}
	return n
}

// RelevancePool is how many matches a relevance-ordered search ranks at
// least: a query that more articles match is ranked among its newest
// RelevancePool matches, not the whole archive's (what a reader of news
// usually wants, and the price of answering in milliseconds at a million
// articles).
const RelevancePool = 4000

// Hit is one article found: its archive id and its relevance.
type Hit struct {
	ID    string
	Score float64
}

// Result is what a search found: the hits asked for, best (or newest)
// first, and how many articles match in all.
type Result struct {
	Hits  []Hit
	Total uint64
	// AtLeast says the search stopped once it had found enough among the
	// newest articles (window.go): Total counts those, and more match.
	AtLeast bool
}

// Engine searches an index of the archive. *Index (bleve, beside a bbolt
// archive) and *pgsearch.Index (a PostgreSQL archive's own text search)
// provide it, compiling the same Query.
type Engine interface {
	Search(ctx context.Context, r Request) (Result, error)
}

// Follower is an Engine kept in step with an archive through its change
// log, as *Index and *pgsearch.Index are: what herald's commands open, and
// what package searchtest holds every engine to.
type Follower interface {
	Engine
	// CatchUp applies the changes since the index last did, or rebuilds
	// it when Stale, and returns the sequence now applied.
	CatchUp(ctx context.Context, a Archive) (uint64, error)
	// Rebuild indexes every article anew.
	Rebuild(ctx context.Context, a Archive) (uint64, error)
	// Applied is the change sequence applied, and whether the index was
	// ever built.
	Applied() (applied uint64, built bool, err error)
	Stats() (Stats, error)
	Close() error
}

var _ Follower = (*Index)(nil)

// Stale says whether an index that has applied the archive's change log up
// to applied (built: at all) must be rebuilt from the articles rather than
// caught up from log: it was never built, the log no longer holds what it
// missed, or it is ahead of the log (the archive was replaced).
func Stale(applied uint64, built bool, log archive.ChangeLog) bool {
	return !built || log.Trimmed > applied || applied > log.Last
}

// ErrBadRequest is wrapped by errors of a request's own making other than
// its query's (a limit out of range): like ErrQuery, a 400 or exit 2.
var ErrBadRequest = errors.New("bad search request")

// IsUserError says whether err is the request's fault (ErrQuery or
// ErrBadRequest), not the index's.
func IsUserError(err error) bool {
	return errors.Is(err, ErrQuery) || errors.Is(err, ErrBadRequest)
}
