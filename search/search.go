// Package search is Herald's full-text search of the archive: a query
// language (words, "phrases", -exclusions, field:filters), an index kept in
// step with the archive through its change log, and the snippets that show
// where a query matched.
package search

import (
	"context"
	"errors"
	"time"
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
// archive) provides it; a PostgreSQL archive would provide it from the
// database's own text search, compiling the same Query.
type Engine interface {
	Search(ctx context.Context, r Request) (Result, error)
}

var _ Engine = (*Index)(nil)

// ErrBadRequest is wrapped by errors of a request's own making other than
// its query's (a limit out of range): like ErrQuery, a 400 or exit 2.
var ErrBadRequest = errors.New("bad search request")

// IsUserError says whether err is the request's fault (ErrQuery or
// ErrBadRequest), not the index's.
func IsUserError(err error) bool {
	return errors.Is(err, ErrQuery) || errors.Is(err, ErrBadRequest)
}
