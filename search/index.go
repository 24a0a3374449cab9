package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"herald"
	"herald/archive"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// The index is a bleve (scorch) directory beside the archive. Its
// documents are the articles under their archive ids, with no field
// stored: a hit is read back from the archive, so the index holds only
// postings (with positions, for phrases) and the publication date's doc
// values (for date order).
//
// Text is analysed as bleve's cjk analyser does, for every language:
// Unicode word breaking, width folding, lower case, and overlapping bigrams
// for Han, Hiragana, Katakana and Hangul, so that Korean, Chinese and
// Japanese words are found inside longer runs of text without a
// dictionary; a word that mixes CJK and other letters is split first
// (analysis.go); English possessives lose their 's. No stemming: "elections"
// does not find "election".
//
// Invariant: the internal key "applied" holds the sequence of the archive's
// change log up to which every article write is in the index. It is
// written in the same batch as the documents it covers, and a batch
// returns once persisted (scorch's safe batches), so after a crash the
// index has exactly what "applied" says and catches up from there. An index
// without it (new, or a rebuild cut short) is rebuilt from the archive.

// Field names in the index.
const (
	fText      = "text"
	fTitle     = "title"
	fSummary   = "summary"
	fByline    = "byline"
	fSiteName  = "site_name"
	fHost      = "host"
	fFeed      = "feed"
	fTag       = "tag"
	fPublished = "published"
)

var keyApplied = []byte("applied")

// batchSize is how many articles one index batch takes: a batch is a
// segment and an fsync, so larger is faster, up to memory.
const batchSize = 2000

// Archive is what the index reads from the archive; *archive.DB provides
// it.
type Archive interface {
	Changes(after uint64, max int) (archive.ChangeLog, error)
	Article(id string) (herald.Article, error)
	Each(ctx context.Context, q archive.Query, fn func(herald.Article) error) error
}

// Index is the bleve index of an archive. Search is safe for concurrent
// use with CatchUp; CatchUp and Rebuild are not safe with each other.
type Index struct {
	mu       sync.RWMutex // held to read b; Rebuild swaps b under it
	b        bleve.Index
	path     string
	analyzer analysis.Analyzer
	closed   bool
}

// PathFor is where the index of the archive at archivePath lives.
func PathFor(archivePath string) string { return archivePath + ".search" }

// Open opens the index at path, creating an empty one when there is none
// or when it was made by a Herald that analysed text otherwise (its terms
// would not match this one's queries). An empty index is rebuilt by the
// first CatchUp.
func Open(path string) (*Index, error) {
	b, err := openBleve(path)
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", path, err)
	}
	an := b.Mapping().AnalyzerNamed(analyzerQuery)
	if an == nil {
		b.Close()
		return nil, fmt.Errorf("open search index %s: no %s analyzer", path, analyzerQuery)
	}
	return &Index{b: b, path: path, analyzer: an}, nil
}

// indexFormat names how the index analyses text; an index with another is
// made anew. 2: the pairs of words, for phrases.
var (
	keyFormat   = []byte("format")
	indexFormat = []byte("2")
)

// openBleve opens the bleve index at path, or makes it anew when there is
// none or it has another format.
func openBleve(path string) (bleve.Index, error) {
	cfg := map[string]any{"bolt_timeout": "2s"}
	b, err := bleve.OpenUsing(path, cfg)
	if err == nil {
		f, ferr := b.GetInternal(keyFormat)
		if ferr == nil && bytes.Equal(f, indexFormat) {
			return b, nil
		}
		b.Close()
		if ferr != nil {
			return nil, ferr
		}
		err = os.RemoveAll(path)
	} else if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	m, err := indexMapping()
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	if b, err = bleve.NewUsing(path, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, cfg); err != nil {
		return nil, err
	}
	if err := b.SetInternal(keyFormat, indexFormat); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close releases the index; closing it again does nothing.
func (ix *Index) Close() error {
	if ix.closed {
		return nil
	}
	ix.closed = true
	return ix.b.Close()
}

// The two analysers (filters in analysis.go): text is indexed with both
// CJK bigrams and single characters, so that a query of one Han character
// finds it, and with the pairs of its words, for phrases; a query is
// analysed into words and CJK bigrams only, which line up with the
// indexed ones.
const (
	analyzerIndex = "herald_index"
	analyzerQuery = "herald_query"
)

func addAnalyzers(m *mapping.IndexMappingImpl) error {
	words := []any{filterSplitCJK, cjk.WidthName, lowercase.Name, en.PossessiveName}
	for name, filters := range map[string][]any{
		analyzerIndex: append(slices.Clip(words), filterBigramsIndex, filterPairs),
		analyzerQuery: append(slices.Clip(words), filterBigramsQuery),
	} {
		err := m.AddCustomAnalyzer(name, map[string]any{
			"type":          custom.Name,
			"tokenizer":     unicode.Name,
			"token_filters": filters,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func indexMapping() (mapping.IndexMapping, error) {
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerIndex
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = true // positions, for phrases
		f.DocValues = false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	date := bleve.NewDateTimeFieldMapping()
	date.Store = false
	date.IncludeInAll = false
	date.DocValues = true // date order

	doc := bleve.NewDocumentStaticMapping()
	for _, name := range []string{fText, fTitle, fSummary, fByline, fSiteName} {
		doc.AddFieldMappingsAt(name, text())
	}
	for _, name := range []string{fHost, fFeed, fTag} {
		doc.AddFieldMappingsAt(name, kw())
	}
	doc.AddFieldMappingsAt(fPublished, date)
	// No "_all" field: every query names its fields, and bleve builds
	// _all for each document even when no field is in it.
	all := bleve.NewDocumentDisabledMapping()
	doc.AddSubDocumentMapping("_all", all)

	m := bleve.NewIndexMapping()
	if err := addAnalyzers(m); err != nil {
		return nil, err
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerQuery
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = index.BM25Scoring
	return m, nil
}

// Document is what a search index keeps of an article, whatever the
// engine: its text fields, the feeds and tags it is filed under, the hosts
// site: matches, and its date.
type Document struct {
	Title, Text, Summary, Byline, SiteName string
	Tags, Feeds, Hosts                     []string
	// Published is zero when the article has none an index can order by.
	Published time.Time
}

// DocumentOf is what an index keeps of a.
func DocumentOf(a *herald.Article) Document {
	d := Document{Title: a.Title, Text: a.Text, Summary: a.Summary, Byline: a.Byline, SiteName: a.SiteName, Tags: a.Tags}
	if !a.Published.IsZero() && a.Published.Year() > 1677 && a.Published.Year() < 2262 {
		d.Published = a.Published.UTC()
	}
	var feeds, hosts []string
	for _, s := range a.Sources {
		feeds = append(feeds, s.Feed)
		hosts = append(hosts, hostSuffixes(s.Link)...)
	}
	d.Feeds = slices.Compact(slices.Sorted(slices.Values(feeds)))
	d.Hosts = slices.Compact(slices.Sorted(slices.Values(append(hosts, hostSuffixes(a.URL)...))))
	return d
}

// document is what the bleve index keeps of an article.
func document(a *herald.Article) map[string]any {
	doc := DocumentOf(a)
	d := map[string]any{
		fText:     doc.Text,
		fTitle:    doc.Title,
		fSummary:  doc.Summary,
		fByline:   doc.Byline,
		fSiteName: doc.SiteName,
		fTag:      doc.Tags,
		fFeed:     doc.Feeds,
		fHost:     doc.Hosts,
	}
	if !doc.Published.IsZero() {
		d[fPublished] = doc.Published
	}
	return d
}

// indexInto adds a to batch and its date to sp.
func indexInto(batch *bleve.Batch, sp *span, a *herald.Article) error {
	d := document(a)
	if t, ok := d[fPublished].(time.Time); ok {
		sp.add(t)
	}
	if err := batch.Index(a.ID, d); err != nil {
		return fmt.Errorf("article %s: %w", a.ID, err)
	}
	return nil
}

// hostSuffixes are the names site: matches for a URL: its host and every
// parent domain of two labels or more ("www.bbc.co.uk", "bbc.co.uk",
// "co.uk").
func hostSuffixes(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	var out []string
	for strings.Count(h, ".") >= 1 {
		out = append(out, h)
		h = h[strings.IndexByte(h, '.')+1:]
	}
	return out
}

// Applied is the archive's change sequence the index has applied, and
// whether it has been built at all.
func (ix *Index) Applied() (uint64, bool, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	v, err := ix.b.GetInternal(keyApplied)
	if err != nil {
		return 0, false, fmt.Errorf("search index %s: %w", ix.path, err)
	}
	if len(v) != 8 {
		return 0, false, nil
	}
	return binary.BigEndian.Uint64(v), true, nil
}

func seqBytes(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// CatchUp applies the archive's changes since the index last did, or
// rebuilds the index when it has never been built or the archive's log no
// longer holds what it missed. It returns the sequence now applied.
func (ix *Index) CatchUp(ctx context.Context, a Archive) (uint64, error) {
	applied, built, err := ix.Applied()
	if err != nil {
		return 0, err
	}
	for {
		log, err := a.Changes(applied, batchSize)
		if err != nil {
			return applied, err
		}
		if Stale(applied, built, log) {
			return ix.Rebuild(ctx, a)
		}
		if log.Next == applied {
			return applied, nil
		}
		if err := ctx.Err(); err != nil {
			return applied, err
		}
		ix.mu.RLock()
		sp, err := ix.readSpan()
		ix.mu.RUnlock()
		if err != nil {
			return applied, err
		}
		batch := ix.b.NewBatch()
		for _, id := range log.IDs {
			art, err := a.Article(id)
			switch {
			case errors.Is(err, archive.ErrNotFound):
				batch.Delete(id)
			case err != nil:
				return applied, fmt.Errorf("search index: %w", err)
			default:
				if err := indexInto(batch, &sp, &art); err != nil {
					return applied, fmt.Errorf("search index: %w", err)
				}
			}
		}
		if sp.set {
			batch.SetInternal(keySpan, sp.bytes())
		}
		batch.SetInternal(keyApplied, seqBytes(log.Next))
		if err := ix.b.Batch(batch); err != nil {
			return applied, fmt.Errorf("search index %s: %w", ix.path, err)
		}
		applied = log.Next
	}
}

// Rebuild indexes every article of the archive anew, then what changed
// while it ran. Until it finishes, the index is marked unbuilt, so that a
// rebuild cut short starts again.
func (ix *Index) Rebuild(ctx context.Context, a Archive) (uint64, error) {
	log, err := a.Changes(math.MaxUint64-1, 1)
	if err != nil {
		return 0, err
	}
	start := log.Last
	if err := ix.clear(); err != nil {
		return 0, err
	}
	batch := ix.b.NewBatch()
	var sp span
	flush := func() error {
		if batch.Size() == 0 {
			return nil
		}
		err := ix.b.Batch(batch)
		batch.Reset()
		return err
	}
	err = a.Each(ctx, archive.Query{}, func(art herald.Article) error {
		if err := indexInto(batch, &sp, &art); err != nil {
			return err
		}
		if batch.Size() >= batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, fmt.Errorf("rebuild search index %s: %w", ix.path, err)
	}
	if sp.set {
		batch.SetInternal(keySpan, sp.bytes())
	}
	batch.SetInternal(keyApplied, seqBytes(start))
	if err := ix.b.Batch(batch); err != nil {
		return 0, fmt.Errorf("rebuild search index %s: %w", ix.path, err)
	}
	return ix.CatchUp(ctx, a)
}

// clear empties the index: it is closed, removed and made anew, faster
// than deleting each document.
func (ix *Index) clear() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.b.Close(); err != nil {
		return fmt.Errorf("search index %s: %w", ix.path, err)
	}
	if err := os.RemoveAll(ix.path); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	n, err := Open(ix.path)
	if err != nil {
		return err
	}
	ix.b, ix.analyzer = n.b, n.analyzer
	return nil
}

// Search runs r.
func (ix *Index) Search(ctx context.Context, r Request) (Result, error) {
	r, err := r.Checked()
	if err != nil {
		return Result{}, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q, err := ix.compile(r)
	if err != nil {
		return Result{}, err
	}
	return ix.searchRecent(ctx, q, r)
}

// run runs q for r, on the articles published at or after from when from
// is not zero.
func (ix *Index) run(ctx context.Context, q query.Query, r Request, from time.Time) (Result, error) {
	if !from.IsZero() {
		q = bleve.NewConjunctionQuery(q, dateRange(from, time.Time{}))
	}
	req := bleve.NewSearchRequestOptions(q, r.Limit, r.Offset, false)
	// One sort key: a second (a date to break ties of score, an id to
	// break ties of date) makes the collector read it for every match,
	// which was most of a common word's query. Ties keep index order.
	// Date order scores nothing: Hit.Score is 0 there.
	if r.ByDate {
		req.SortBy([]string{"-" + fPublished})
		req.Score = "none"
	} else {
		req.SortBy([]string{"-_score"})
	}
	res, err := ix.b.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("search %s: %w", ix.path, err)
	}
	out := Result{Total: res.Total, Hits: make([]Hit, len(res.Hits))}
	for i, h := range res.Hits {
		out.Hits[i] = Hit{ID: h.ID, Score: h.Score}
	}
	return out, nil
}

// compile turns a request into a bleve query: every clause and filter a
// must, every exclusion a must-not.
// A clause with nothing the index keeps ("—", "&") is left out, as a
// search engine drops punctuation; a query of nothing else is an error.
func (ix *Index) compile(r Request) (query.Query, error) {
	bq := bleve.NewBooleanQuery()
	var must int
	var unsearchable error
	for _, c := range r.Query.Clauses {
		cq, err := ix.clause(c)
		if errors.Is(err, errUnsearchable) {
			unsearchable = err
			continue
		}
		if err != nil {
			return nil, err
		}
		if c.Not {
			bq.AddMustNot(cq)
		} else {
			bq.AddMust(cq)
			must++
		}
	}
	if must == 0 {
		if unsearchable == nil {
			unsearchable = fmt.Errorf("%w: nothing to find but exclusions", ErrQuery)
		}
		return nil, unsearchable
	}
	if r.Feed != "" {
		bq.AddMust(term(fFeed, r.Feed))
	}
	if r.Tag != "" {
		bq.AddMust(term(fTag, r.Tag))
	}
	if !r.Since.IsZero() || !r.Until.IsZero() {
		bq.AddMust(dateRange(r.Since, r.Until))
	}
	return bq, nil
}

// dateRange matches the articles published at or after since and before
// until (either zero: unbounded). It scores nothing (boost 0): a range is
// matched through prefix-coded terms of differing rarity, which would
// otherwise add to a match's score by which term its date fell in.
func dateRange(since, until time.Time) query.Query {
	yes, no := true, false
	dq := bleve.NewDateRangeInclusiveQuery(since, until, &yes, &no)
	dq.SetField(fPublished)
	dq.SetBoost(0)
	return dq
}

func (ix *Index) clause(c Clause) (query.Query, error) {
	switch c.Field {
	case FieldFeed:
		return term(fFeed, c.Text), nil
	case FieldTag:
		return term(fTag, c.Text), nil
	case FieldSite:
		if err := ix.searchable(c); err != nil {
			return nil, err
		}
		return bleve.NewDisjunctionQuery(term(fHost, strings.ToLower(c.Text)), ix.words(fSiteName, c.Text, 1)), nil
	case FieldTitle:
		return ix.phraseIn(c, fTitle)
	case FieldByline:
		return ix.phraseIn(c, fByline)
	}
	if err := ix.searchable(c); err != nil {
		return nil, err
	}
	// The title counts more than the text: words of a title are what a
	// reader remembers of an article.
	return bleve.NewDisjunctionQuery(
		ix.words(fTitle, c.Text, 2), ix.words(fText, c.Text, 1),
		ix.words(fSummary, c.Text, 0.5), ix.words(fByline, c.Text, 0.5),
	), nil
}

func (ix *Index) phraseIn(c Clause, field string) (query.Query, error) {
	if err := ix.searchable(c); err != nil {
		return nil, err
	}
	return ix.words(field, c.Text, 1), nil
}

// words matches text's words in field, next to each other and in order:
// one word is a term query (a phrase of one would read every match's
// positions, most of the cost of a common word's query), two words their
// pair's term, more a phrase of their pairs.
func (ix *Index) words(field, text string, boost float64) query.Query {
	toks := ix.analyzer.Analyze([]byte(text))
	terms, ok := phrasePairs(toks)
	var q query.BoostableQuery
	switch {
	case len(toks) == 1:
		q = term(field, string(toks[0].Term))
	case !ok:
		q = phrase(field, text)
	case len(terms) == 1:
		q = term(field, terms[0])
	default:
		q = bleve.NewPhraseQuery(terms, field)
	}
	q.SetBoost(boost)
	return q
}

// searchable refuses a clause with no word the index keeps ("--", "…"):
// it would match nothing, or, excluded, everything.
func (ix *Index) searchable(c Clause) error {
	if len(ix.analyzer.Analyze([]byte(c.Text))) == 0 {
		return fmt.Errorf("%w: %q has no letters or digits to search for", errUnsearchable, c.Text)
	}
	return nil
}

// errUnsearchable is a clause with no word in it; it wraps ErrQuery.
var errUnsearchable = fmt.Errorf("%w", ErrQuery)

func term(field, v string) *query.TermQuery {
	q := bleve.NewTermQuery(v)
	q.SetField(field)
	return q
}

// phrase matches text's words in field, next to each other and in order,
// by their positions.
func phrase(field, text string) *query.MatchPhraseQuery {
	q := bleve.NewMatchPhraseQuery(text)
	q.SetField(field)
	q.Analyzer = analyzerQuery
	return q
}

// Stats describe the index for `herald stats` and benchmarks.
type Stats struct {
	Docs  uint64
	Bytes int64
}

// Stats counts the index's documents and the bytes of its directory.
func (ix *Index) Stats() (Stats, error) {
	n, err := ix.b.DocCount()
	if err != nil {
		return Stats{}, err
	}
	var size int64
	err = filepath.WalkDir(ix.path, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, ierr := d.Info(); ierr == nil && !d.IsDir() {
			size += info.Size()
		}
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	return Stats{Docs: n, Bytes: size}, nil
}
