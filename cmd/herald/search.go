package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"herald"
	"herald/archive"
	"herald/search"
	"herald/serve"
)

type searchFlags struct {
	feed, tag, since, until, format, sort string
	limit                                 int
}

func searchCommand(e *env) *cobra.Command {
	var f searchFlags
	c := &cobra.Command{
		Use:   "search QUERY... [--feed NAME] [--tag T] [--since T] [--until T] [--limit N] [--sort relevance|date] [--format text|json|jsonl|atom|rss|jsonfeed]",
		Short: "ranked full-text search of the archive",
		Long: `Search finds articles by their words, best first (BM25), or newest first with
--sort date. A query is words (all must match), "quoted phrases", -word or
-"a phrase" to exclude, and field:word or field:"a phrase" for the fields title,
feed, site (a host name or the site's name), byline and tag. Korean, Chinese and
Japanese words are found inside longer runs of text.

The text format shows each hit with a snippet, its matches in [brackets]; jsonl
and json print export-format articles, best first; atom, rss and jsonfeed one
feed document.`,
		Example: `  herald search 'defense "joint exercise" -drill'
  herald search 대통령 --since 2024-01-01
  herald search 'title:election site:koreaherald.com' --format jsonl`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("search: give a query (herald search WORDS...)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return cmdSearch(c.Context(), e, strings.Join(args, " "), f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.feed, "feed", "", "only articles from the feed of this `NAME`")
	fl.StringVar(&f.tag, "tag", "", "only articles with this tag")
	fl.StringVar(&f.since, "since", "", "only articles published at or after this `TIME` (RFC 3339 or YYYY-MM-DD)")
	fl.StringVar(&f.until, "until", "", "only articles published before this `TIME` (RFC 3339 or YYYY-MM-DD)")
	fl.IntVar(&f.limit, "limit", search.DefaultLimit, fmt.Sprintf("at most this many hits (1 to %d)", search.MaxLimit))
	fl.StringVar(&f.sort, "sort", "relevance", "relevance (best first) or date (newest first)")
	fl.StringVar(&f.format, "format", "text", "text, json, jsonl, atom, rss or jsonfeed")
	return c
}

// searchRequest checks the query and flags: any fault is a usage error.
func searchRequest(query string, f searchFlags) (search.Request, error) {
	q, err := search.ParseQuery(query)
	if err != nil {
		return search.Request{}, usagef("search: %v", err)
	}
	r := search.Request{Query: q, Feed: f.feed, Tag: f.tag, Limit: f.limit}
	if r.Since, err = parseTime(f.since); err != nil {
		return r, usagef("search: --since: %v", err)
	}
	if r.Until, err = parseTime(f.until); err != nil {
		return r, usagef("search: --until: %v", err)
	}
	if f.limit < 1 || f.limit > search.MaxLimit {
		return r, usagef("search: --limit %d: want 1 to %d", f.limit, search.MaxLimit)
	}
	switch f.sort {
	case "relevance":
	case "date":
		r.ByDate = true
	default:
		return r, usagef("search: --sort %q: want relevance or date", f.sort)
	}
	switch f.format {
	case "text", "json", "jsonl", "atom", "rss", "jsonfeed":
	default:
		return r, usagef("search: unknown format %q (text, json, jsonl, atom, rss or jsonfeed)", f.format)
	}
	return r, nil
}

// cmdSearch prints what the query finds: through the running daemon's
// local channel when one holds the archive, else from the archive opened
// read-only and its index brought up to date.
func cmdSearch(ctx context.Context, e *env, query string, f searchFlags) error {
	r, err := searchRequest(query, f)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	v := url.Values{"q": {query}, "feed": {f.feed}, "tag": {f.tag}, "since": {f.since}, "until": {f.until},
		"limit": {strconv.Itoa(f.limit)}, "sort": {f.sort}, "format": {f.format}}
	bw := bufio.NewWriterSize(e.stdout, 64<<10)
	err = withArchive(ctx, e, cfg, "/search?"+v.Encode(), bw, func(db *archive.DB) error {
		ix, err := openIndex(e, db)
		if err != nil {
			return err
		}
		defer ix.Close()
		if _, err := ix.CatchUp(ctx, db); err != nil {
			return err
		}
		return runSearch(ctx, bw, db, ix, r, f.format, "http://"+cfg.Listen)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// runSearch searches ix and writes the hits.
func runSearch(ctx context.Context, w io.Writer, db *archive.DB, ix search.Engine, r search.Request, format, base string) error {
	res, err := ix.Search(ctx, r)
	if err != nil {
		if search.IsUserError(err) {
			return usagef("search: %v", err)
		}
		return err
	}
	return writeHits(w, db, r, res, format, base)
}

// localSearch answers herald search on the daemon's local channel, with
// the daemon's index; the client checked the request first.
func localSearch(db *archive.DB, ix search.Engine, listen string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if ix == nil {
			http.Error(w, "this daemon has no search index", http.StatusServiceUnavailable)
			return
		}
		v := req.URL.Query()
		limit, _ := strconv.Atoi(v.Get("limit"))
		f := searchFlags{feed: v.Get("feed"), tag: v.Get("tag"), since: v.Get("since"), until: v.Get("until"),
			limit: limit, sort: v.Get("sort"), format: v.Get("format")}
		r, err := searchRequest(v.Get("q"), f)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := runSearch(req.Context(), w, db, ix, r, f.format, "http://"+listen); err != nil {
			localError(w, err)
		}
	}
}

// writeHits prints the articles of res in format.
func writeHits(w io.Writer, db *archive.DB, r search.Request, res search.Result, format, base string) error {
	var fw feedWriter
	feed := serve.Feed{Title: "Herald search: " + r.Query.String(), ID: "urn:herald:search", HomeURL: base + "/", SelfURL: base + "/feed." + format}
	switch format {
	case "json":
		io.WriteString(w, `{"articles": [`)
	case "atom":
		fw = serve.NewAtomWriter(w, feed)
	case "rss":
		fw = serve.NewRSSWriter(w, feed)
	case "jsonfeed":
		fw = serve.NewJSONFeedWriter(w, feed)
	}
	for i, h := range res.Hits {
		a, err := db.Article(h.ID)
		if err != nil {
			return fmt.Errorf("search hit %s: %w", h.ID, err)
		}
		switch format {
		case "text":
			writeTextHit(w, i+1, &a, r.Query)
		case "json", "jsonl":
			if err := writeExportArticle(w, &a, format, i); err != nil {
				return err
			}
		default:
			if err := fw.Write(&a); err != nil {
				return err
			}
		}
	}
	switch {
	case format == "json" && len(res.Hits) > 0:
		io.WriteString(w, "\n]}\n")
	case format == "json":
		io.WriteString(w, "]}\n")
	case fw != nil:
		return fw.Close()
	case format == "text":
		atLeast := ""
		if res.AtLeast {
			atLeast = "at least "
		}
		fmt.Fprintf(w, "%d of %s%d matching articles\n", len(res.Hits), atLeast, res.Total)
	}
	return nil
}

// writeExportArticle writes a as export writes it: JSON without HTML
// escaping, one a line (jsonl), or as the i-th element of json's list.
func writeExportArticle(w io.Writer, a *herald.Article, format string, i int) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return fmt.Errorf("article %s: %w", a.ID, err)
	}
	data := buf.Bytes()
	if format == "json" {
		sep := ",\n"
		if i == 0 {
			sep = "\n"
		}
		io.WriteString(w, sep)
		data = bytes.TrimSuffix(data, []byte("\n"))
	}
	_, err := w.Write(data)
	return err
}

// writeTextHit prints one hit for a person: rank, title, date and feed,
// link, and a snippet with the matches in brackets.
func writeTextHit(w io.Writer, rank int, a *herald.Article, q search.Query) {
	var feeds []string
	for _, s := range a.Sources {
		feeds = append(feeds, s.Feed)
	}
	date := ""
	if !a.Published.IsZero() {
		date = a.Published.Format(time.DateOnly) + ", "
	}
	fmt.Fprintf(w, "%d. %s\n   %s%s\n   %s\n", rank, oneLine(a.Title), date, strings.Join(feeds, ", "), a.URL)
	text := a.Text
	if strings.TrimSpace(text) == "" {
		text = a.Summary
	}
	if s := search.MakeSnippet(text, q.Words(), 200); s.Text != "" {
		fmt.Fprintf(w, "   %s\n", s.Bracketed("[", "]"))
	}
	fmt.Fprintln(w)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func reindexCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "reindex",
		Short: "rebuild the search index from the archive",
		Long: `Reindex builds the search index (the directory beside the archive named after it,
with .search added; for a PostgreSQL archive, search_index: or a directory in the
user's cache directory) anew from every article of the archive. The index is kept
in step with every write on its own; reindex is for a damaged or deleted index.`,
		Example: `  herald reindex`,
		Args:    noArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return cmdReindex(c.Context(), e) },
	}
}

func cmdReindex(ctx context.Context, e *env) (err error) {
	_, db, err := openConfigArchive(e)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close archive %s: %w", db.Path(), cerr)
		}
	}()
	start := time.Now()
	ix, err := openIndex(e, db)
	if err != nil {
		return err
	}
	defer ix.Close()
	applied, err := ix.Rebuild(ctx, db)
	if err != nil {
		return err
	}
	if err := trimChanges(db, applied); err != nil {
		return err
	}
	st, err := ix.Stats()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "indexed %d articles in %s (%s)\n", st.Docs, time.Since(start).Round(time.Millisecond), indexPlace(e, db))
	return nil
}

// keepIndex brings the search index of db up to date and trims the
// archive's change log of what it has applied: what a command that wrote
// the archive does before it closes it.
func keepIndex(ctx context.Context, e *env, db *archive.DB) error {
	ix, err := openIndex(e, db)
	if err != nil {
		return err
	}
	applied, err := ix.CatchUp(ctx, db)
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return trimChanges(db, applied)
}

// followEvery is how often the daemon brings the search index up to date
// with the archive: a new article is found by search within about this.
const followEvery = time.Second

// stopCatchUp bounds the daemon's last catch-up of the search index when
// it stops: DESIGN.md gives a stop a few seconds.
var stopCatchUp = 2 * time.Second

// followIndex opens the search index of db and keeps it in step while ctx
// lasts, catching up in the background (the first catch-up of a large
// archive takes a while; searches meanwhile see what is indexed). stop ends
// that, catches up a last time, trims the archive's change log and closes
// the index.
func followIndex(ctx context.Context, e *env, db *archive.DB) (ix search.Follower, stop func() error, err error) {
	ix, err = openIndex(e, db)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(followEvery)
		defer t.Stop()
		for {
			if applied, err := ix.CatchUp(ctx, db); err != nil && ctx.Err() == nil {
				e.log.Warn("search index behind the archive", "err", err)
			} else if err == nil {
				if err := trimChanges(db, applied); err != nil {
					e.log.Warn("trim the archive's change log", "err", err)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	stop = func() error {
		cancel()
		<-done
		// What is not indexed yet stays in the archive's change log and is
		// caught up on the next open, so a stop gives the last catch-up a
		// few seconds, not the minutes a large backlog takes.
		last, cancelLast := context.WithTimeout(context.Background(), stopCatchUp)
		defer cancelLast()
		applied, err := ix.CatchUp(last, db)
		switch {
		case last.Err() != nil:
			err = nil
		case err == nil:
			err = trimChanges(db, applied)
		}
		if cerr := ix.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return ix, stop, nil
}
