package serve

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"unicode/utf8"

	"herald/archive"
	"herald/search"
)

// Limits of the query parameters.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	maxParamLen  = 512
)

// feedQuery is a request's query, checked. Its zero value is not valid; use
// parseQuery.
type feedQuery struct {
	Tag, Feed, Before string
	Limit             int
	// Q is a search's query in its normal form ("" for none), Search the
	// same parsed; Sort is "", "date" or "relevance" (see searchByDate).
	Q      string
	Search search.Query
	Sort   string
	// Copies asks for every copy of a story as its own item; by default
	// a story is one item, with every copy's source.
	Copies bool
}

// errNoSearch answers a search on a server that cannot search: an
// unfiltered list in its place would look like a search's answer.
var errNoSearch = errors.New("q: this server cannot search (no search index)")

// parseQuery reads tag, feed, limit, before, and a search's q and sort;
// other parameters are ignored. Bad values, a malformed query among them,
// are errors for a 400 answer.
func parseQuery(v url.Values) (feedQuery, error) {
	q := feedQuery{Limit: DefaultLimit}
	if err := q.parseSearch(v); err != nil {
		return q, err
	}
	if err := q.parseCopies(v); err != nil {
		return q, err
	}
	for name, dst := range map[string]*string{"tag": &q.Tag, "feed": &q.Feed, "before": &q.Before} {
		s, err := single(v, name)
		if err != nil {
			return q, err
		}
		*dst = s
	}
	s, err := single(v, "limit")
	if err != nil || s == "" {
		return q, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return q, fmt.Errorf("limit %q: want a whole number from 1 to %d", s, MaxLimit)
	}
	q.Limit = n
	return q, nil
}

// parseCopies reads copies=1 (or true): every copy of a story its own item.
func (q *feedQuery) parseCopies(v url.Values) error {
	s, err := single(v, "copies")
	if err != nil || s == "" {
		return err
	}
	c, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("copies %q: want 1 or 0", s)
	}
	q.Copies = c
	return nil
}

// single returns a parameter given at most once, short and in UTF-8.
func single(v url.Values, name string) (string, error) {
	vals := v[name]
	switch {
	case len(vals) == 0:
		return "", nil
	case len(vals) > 1:
		return "", fmt.Errorf("%s given %d times; give it once", name, len(vals))
	case len(vals[0]) > maxParamLen:
		return "", fmt.Errorf("%s is longer than %d bytes", name, maxParamLen)
	case !utf8.ValidString(vals[0]):
		return "", fmt.Errorf("%s is not UTF-8", name)
	}
	return vals[0], nil
}

// filters are the parameters that choose which feed this is, as opposed to
// which page of it.
func (q feedQuery) filters() url.Values {
	v := url.Values{}
	if q.Feed != "" {
		v.Set("feed", q.Feed)
	}
	if q.Tag != "" {
		v.Set("tag", q.Tag)
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	if q.Copies {
		v.Set("copies", "1")
	}
	return v
}

// page is the query string of the page q asks for, normalised (sorted,
// defaults left out): equal queries give equal strings, for cache keys and
// links.
func (q feedQuery) page(before string) string {
	v := q.filters()
	if q.Limit != DefaultLimit {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if before != "" {
		v.Set("before", before)
	}
	return v.Encode()
}

func (q feedQuery) archive() archive.Query {
	return archive.Query{Feed: q.Feed, Tag: q.Tag, Before: q.Before, Limit: q.Limit, OnePerStory: !q.Copies}
}

// withQuery joins a path and a query string.
func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}
