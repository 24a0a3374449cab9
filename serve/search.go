package serve

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"herald"
	"herald/search"
)

// Searcher answers q= on the feeds, the API and the reading page;
// *search.Index and *pgsearch.Index provide it. Without one, q= is a
// 400.
type Searcher interface {
	Search(ctx context.Context, r search.Request) (search.Result, error)
	// Applied says how far the index has followed the archive's change
	// log: a rendered search is cached under it.
	Applied() (seq uint64, built bool, err error)
}

var _ Searcher = (*search.Index)(nil)

// parseSearch reads q and sort. An empty q is a malformed query, like
// any other.
func (q *feedQuery) parseSearch(v url.Values) error {
	sort, err := single(v, "sort")
	if err != nil {
		return err
	}
	switch sort {
	case "", "date", "relevance":
		q.Sort = sort
	default:
		return fmt.Errorf("sort %q: want date or relevance", sort)
	}
	if _, ok := v["q"]; !ok {
		if sort != "" {
			return errors.New("sort is for a search: give q too")
		}
		return nil
	}
	text, err := single(v, "q")
	if err != nil {
		return err
	}
	if q.Search, err = search.ParseQuery(text); err != nil {
		return fmt.Errorf("q: %w", err)
	}
	q.Q = q.Search.String()
	return nil
}

// searchByDate says whether a search lists newest first: a feed of a
// search does unless asked otherwise (a reader subscribes to what is new),
// the API and the reading page rank by relevance unless asked otherwise.
func searchByDate(q feedQuery, feedOrder bool) bool {
	if q.Sort == "" {
		return feedOrder
	}
	return q.Sort == "date"
}

// searchCursor is the before= of a search's next page: "s" and how many
// hits the pages before it held.
func searchCursor(offset int) string { return "s" + strconv.Itoa(offset) }

func parseSearchCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(c, "s"))
	if !strings.HasPrefix(c, "s") || err != nil || n < 0 || n > 100_000 {
		return 0, errors.New("before: not a cursor from this search's next link")
	}
	return n, nil
}

// searchHit is an article a search found, with where it matched.
type searchHit struct {
	ID      string   `json:"id"`
	Score   float64  `json:"score"`
	Snippet string   `json:"snippet"`
	Matches [][2]int `json:"matches"` // byte ranges of Snippet
}

// searchPage runs q's search and reads its hits from the archive: the
// page's articles, the next page's cursor ("" on the last), and where each
// matched. A page is cut, like the merged feed's, before its articles'
// bytes pass PageBytes.
func (s *Server) searchPage(ctx context.Context, q feedQuery, byDate bool) ([]herald.Article, string, []searchHit, error) {
	p, err := s.searchResults(ctx, q, byDate)
	return p.list, p.next, p.hits, err
}

// searchResult is one page of a search's hits.
type searchResult struct {
	list    []herald.Article
	next    string
	hits    []searchHit
	total   uint64 // articles matched in all
	atLeast bool   // or at least: the search stopped at the newest
}

func (s *Server) searchResults(ctx context.Context, q feedQuery, byDate bool) (searchResult, error) {
	if s.o.Search == nil {
		return searchResult{}, errNoSearch
	}
	offset, err := parseSearchCursor(q.Before)
	if err != nil {
		return searchResult{}, errBadRequest{err}
	}
	res, err := s.o.Search.Search(ctx, search.Request{
		Query: q.Search, Feed: q.Feed, Tag: q.Tag, Limit: q.Limit, Offset: offset, ByDate: byDate,
	})
	if search.IsUserError(err) {
		return searchResult{}, errBadRequest{fmt.Errorf("q: %w", err)}
	}
	if err != nil {
		return searchResult{}, err
	}
	var (
		list  []herald.Article
		hits  []searchHit
		bytes int
	)
	words := q.Search.Words()
	for _, h := range res.Hits {
		a, err := s.a.Article(h.ID)
		if err != nil {
			return searchResult{}, fmt.Errorf("search hit %s: %w", h.ID, err)
		}
		size := len(a.Text) + len(a.HTML) + len(a.Summary)
		if len(list) > 0 && bytes+size > s.o.PageBytes {
			break
		}
		bytes += size
		list = append(list, a)
		text := a.Text
		if strings.TrimSpace(text) == "" {
			text = a.Summary
		}
		sn := search.MakeSnippet(text, words, 240)
		hits = append(hits, searchHit{ID: a.ID, Score: h.Score, Snippet: sn.Text, Matches: sn.Marks})
	}
	next := ""
	if end := offset + len(list); uint64(end) < res.Total && len(list) > 0 {
		next = searchCursor(end)
	}
	return searchResult{list: list, next: next, hits: hits, total: res.Total, atLeast: res.AtLeast}, nil
}

// errBadRequest marks an error of the request's making, for a 400.
type errBadRequest struct{ err error }

func (e errBadRequest) Error() string { return e.err.Error() }
func (e errBadRequest) Unwrap() error { return e.err }

// searchKey is what a rendered search is cached under besides the page:
// the index's progress, which moves after the archive's.
func (s *Server) searchKey(q feedQuery) string {
	if q.Q == "" || s.o.Search == nil {
		return ""
	}
	seq, _, _ := s.o.Search.Applied()
	return "s" + strconv.FormatUint(seq, 10)
}
