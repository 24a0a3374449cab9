package search

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Newest first: bleve's collector visits every match of a query, so a
// query that a large part of the archive matches (one common word) costs
// in proportion to the archive. A search whose matches may be many is run
// first on a window of the newest articles, sized from the rarity of its
// terms, and on wider windows until the window holds enough matches:
//
//   - in date order, enough is one more than the page needs, and the page
//     is then exactly what the whole archive gives (every match outside
//     the window is older than every match inside it);
//   - in relevance order, enough is RelevancePool matches.
//
// Either way Result.AtLeast says Total counts the window only. Articles
// without a date are never in a window; they come last in date order
// anyway.

// maxWindows bounds the windows tried before the whole index is searched.
const maxWindows = 6

// keySpan is the internal key of the index's span of publication dates.
var keySpan = []byte("published_span")

// span is the range of publication dates of the articles the index has
// held, in Unix nanoseconds; it only widens (a deleted article's date may
// stay in it), which costs a window step at most, never a result.
type span struct {
	lo, hi int64
	set    bool
}

func (s *span) add(t time.Time) {
	n := t.UnixNano()
	if !s.set {
		*s = span{lo: n, hi: n, set: true}
		return
	}
	s.lo, s.hi = min(s.lo, n), max(s.hi, n)
}

func (s span) bytes() []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, uint64(s.lo))
	binary.BigEndian.PutUint64(b[8:], uint64(s.hi))
	return b
}

func parseSpan(b []byte) span {
	if len(b) != 16 {
		return span{}
	}
	return span{lo: int64(binary.BigEndian.Uint64(b)), hi: int64(binary.BigEndian.Uint64(b[8:])), set: true}
}

// readSpan reads the index's span; the caller holds ix.mu.
func (ix *Index) readSpan() (span, error) {
	v, err := ix.b.GetInternal(keySpan)
	if err != nil {
		return span{}, fmt.Errorf("search index %s: %w", ix.path, err)
	}
	return parseSpan(v), nil
}

// searchRecent runs q for r on windows of the newest articles while they
// may be enough, then on the whole index.
func (ix *Index) searchRecent(ctx context.Context, q query.Query, r Request) (Result, error) {
	target := r.Enough()
	sp, err := ix.readSpan()
	if err != nil {
		return Result{}, err
	}
	lo, hi := sp.lo, sp.hi
	if !r.Since.IsZero() {
		lo = max(lo, r.Since.UnixNano())
	}
	if !r.Until.IsZero() {
		hi = min(hi, r.Until.UnixNano())
	}
	if !sp.set || hi <= lo {
		return ix.run(ctx, q, r, time.Time{})
	}
	est, err := ix.estimate(ctx, r)
	if err != nil {
		return Result{}, err
	}
	if est <= uint64(target) {
		return ix.run(ctx, q, r, time.Time{})
	}
	// Dates spread evenly would put target matches in this window, and
	// half as many again.
	width := float64(hi-lo) * 1.5 * float64(target) / float64(est)
	for range maxWindows {
		from := float64(hi) - width
		if from <= float64(lo) {
			break
		}
		res, err := ix.run(ctx, q, r, time.Unix(0, int64(from)))
		if err != nil {
			return res, err
		}
		if res.Total >= uint64(target) {
			res.AtLeast = true
			return res, nil
		}
		width *= min(64, max(2, 1.5*float64(target)/float64(max(res.Total, 1))))
	}
	return ix.run(ctx, q, r, time.Time{})
}

// estimate is an upper bound on how many articles r matches, from how
// many hold each of its terms: the least, over what must match, of the
// articles holding the rarest word of a clause in any of its fields.
func (ix *Index) estimate(ctx context.Context, r Request) (uint64, error) {
	adv, err := ix.b.Advanced()
	if err != nil {
		return 0, fmt.Errorf("search index %s: %w", ix.path, err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return 0, fmt.Errorf("search index %s: %w", ix.path, err)
	}
	defer reader.Close()
	e := estimator{ctx: ctx, r: reader, ix: ix, best: math.MaxUint64}
	for _, c := range r.Query.Clauses {
		if c.Not {
			continue
		}
		switch c.Field {
		case FieldFeed:
			e.take(e.df(fFeed, c.Text))
		case FieldTag:
			e.take(e.df(fTag, c.Text))
		case FieldSite:
			e.take(sat(e.df(fHost, strings.ToLower(c.Text)), e.rarest(c.Text, fSiteName)))
		case FieldTitle:
			e.take(e.rarest(c.Text, fTitle))
		case FieldByline:
			e.take(e.rarest(c.Text, fByline))
		default:
			e.take(e.rarest(c.Text, fTitle, fText, fSummary, fByline))
		}
	}
	if r.Feed != "" {
		e.take(e.df(fFeed, r.Feed))
	}
	if r.Tag != "" {
		e.take(e.df(fTag, r.Tag))
	}
	return e.best, e.err
}

type estimator struct {
	ctx  context.Context
	r    index.IndexReader
	ix   *Index
	best uint64
	err  error
}

func (e *estimator) take(n uint64) { e.best = min(e.best, n) }

// df is how many articles hold term in field (deleted ones included).
func (e *estimator) df(field, term string) uint64 {
	if e.err != nil {
		return math.MaxUint64
	}
	tfr, err := e.r.TermFieldReader(e.ctx, []byte(term), field, false, false, false)
	if err != nil {
		e.err = fmt.Errorf("search index %s: %w", e.ix.path, err)
		return math.MaxUint64
	}
	defer tfr.Close()
	return tfr.Count()
}

// rarest is, over text's terms (its words, and their pairs, which a
// phrase of common words holds far fewer of), the least number of
// articles holding one in any of fields.
func (e *estimator) rarest(text string, fields ...string) uint64 {
	toks := e.ix.analyzer.Analyze([]byte(text))
	terms, _ := phrasePairs(toks)
	for _, tok := range toks {
		terms = append(terms, string(tok.Term))
	}
	least := uint64(math.MaxUint64)
	for _, t := range terms {
		var n uint64
		for _, f := range fields {
			n = sat(n, e.df(f, t))
		}
		least = min(least, n)
	}
	return least
}

// sat adds without overflow.
func sat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}
