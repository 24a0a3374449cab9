// Package pgsearch is the full-text search of an archive kept in
// PostgreSQL, in PostgreSQL's own text search: a table of the articles'
// terms (tsvectors of Herald's analysis, so that Korean, Chinese and
// Japanese words are found as in the bleve index) that follows the
// archive's change log, and search's query language compiled to tsquery.
package pgsearch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"herald"
	"herald/archive"
	"herald/archive/kv/pgkv"
	"herald/search"
)

// The index is two tables beside the archive's, shared by every process
// using the database:
//
//	search_articles  one row an article: its id, date, feeds, tags and
//	                 hosts, doc (title, byline, summary and text, weighted
//	                 A, D, C and B) and site (its site name)
//	search_state     one row: the format the rows were made in, and applied,
//	                 the archive's change sequence up to which every article
//	                 write is in search_articles (NULL: never built)
//
// Invariant: applied changes in the transaction that writes the rows it
// covers, and that transaction holds search_state's row lock from the
// start, so that processes catch up one at a time and a crash leaves
// exactly what applied says.

// format names how the rows are made; rows of another are dropped and
// rebuilt.
const format = 1

// stateSchema makes search_state, whose row is the lock under which
// schema makes the rest: one process at a time, so that only these two
// statements can collide with another process's.
var stateSchema = []string{
	`CREATE TABLE IF NOT EXISTS search_state (
		id integer PRIMARY KEY CHECK (id = 1),
		format integer NOT NULL,
		applied bigint)`,
	`INSERT INTO search_state (id, format) VALUES (1, ` + strconv.Itoa(format) + `) ON CONFLICT (id) DO NOTHING`,
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS search_articles (
		id text PRIMARY KEY,
		published timestamptz,
		feeds text[] NOT NULL,
		tags text[] NOT NULL,
		hosts text[] NOT NULL,
		doc tsvector NOT NULL,
		site tsvector NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS search_articles_doc ON search_articles USING gin (doc)`,
	// The planner takes a word missing from doc's list of most common
	// words for half as common as the least common listed. With the
	// default 1,000 listed that is 0.2 %: a rare word in date order seemed
	// found within a few thousand rows along the date index, which then
	// read 323,000 rows of a million (1.7 s) for its 21 matches. 10,000
	// listed put it at 155 rows, and the plan on GIN (6 ms); ANALYZE takes
	// 5 s at a million. Altered only when not set, since altering waits
	// for an ANALYZE under way.
	`DO $$ BEGIN
		IF (SELECT attstattarget FROM pg_attribute WHERE attrelid = 'search_articles'::regclass AND attname = 'doc') IS DISTINCT FROM ` + docStatistics + ` THEN
			ALTER TABLE search_articles ALTER COLUMN doc SET STATISTICS ` + docStatistics + `;
		END IF;
	END $$`,
	`CREATE INDEX IF NOT EXISTS search_articles_site ON search_articles USING gin (site)`,
	`CREATE INDEX IF NOT EXISTS search_articles_feeds ON search_articles USING gin (feeds)`,
	`CREATE INDEX IF NOT EXISTS search_articles_tags ON search_articles USING gin (tags)`,
	`CREATE INDEX IF NOT EXISTS search_articles_hosts ON search_articles USING gin (hosts)`,
	// Newest first: a search reads its window of the newest matches (and
	// a date-ordered page) along it.
	`CREATE INDEX IF NOT EXISTS search_articles_published ON search_articles (published DESC NULLS LAST, id DESC)`,
}

// docStatistics is doc's statistics target: ANALYZE lists ten times as
// many most common words.
const docStatistics = "1000"

// batchSize is how many changed articles one catch-up transaction takes.
const batchSize = 500

// Index is the text search of one PostgreSQL archive. Its methods are safe
// for concurrent use, in this process and across processes.
type Index struct {
	pool *pgxpool.Pool
	name string // user@host:port/database, for errors; never the password
}

var _ search.Follower = (*Index)(nil)

// Open connects to the database dsn names and makes the index's tables
// when they are missing. Its errors never show the DSN's password.
func Open(ctx context.Context, dsn string) (*Index, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgconn's ParseConfigError redacts the password it quotes.
		return nil, fmt.Errorf("search index: %w", err)
	}
	// A search's plan depends on its words: a word most articles hold is
	// read newest first along the date index, a rare one through GIN. A
	// generic plan, which PostgreSQL switches a prepared statement to
	// after five runs, cannot see the words, and read every match of a
	// common word (200 ms against 4 at 100,000 articles).
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	ix := &Index{name: pgkv.Configure(cfg)}
	if ix.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, ix.errorf("connect: %w", err)
	}
	if err := ix.migrate(ctx); err != nil {
		ix.pool.Close()
		return nil, err
	}
	return ix, nil
}

func (ix *Index) errorf(f string, args ...any) error {
	return fmt.Errorf("search index in %s: "+f, append([]any{ix.name}, args...)...)
}

// migrate makes the tables, and empties rows of another format (the next
// CatchUp rebuilds them). Processes starting together may race to create
// search_state; the loser tries again and finds it.
func (ix *Index) migrate(ctx context.Context) error {
	var err error
	for range 5 {
		if err = execAll(ctx, ix.pool, stateSchema); !pgkv.IsCatalogRace(err) {
			break
		}
	}
	if err == nil {
		err = pgx.BeginFunc(ctx, ix.pool, ix.migrateTx)
	}
	if err != nil {
		return ix.errorf("make its tables: %w", err)
	}
	return nil
}

func (ix *Index) migrateTx(tx pgx.Tx) error {
	ctx := context.Background()
	var f int
	if err := tx.QueryRow(ctx, `SELECT format FROM search_state WHERE id = 1 FOR UPDATE`).Scan(&f); err != nil {
		return err
	}
	if err := execAll(ctx, tx, schema); err != nil {
		return err
	}
	if f == format {
		return nil
	}
	if f > format {
		return fmt.Errorf("made by a newer Herald (format %d; this one knows %d)", f, format)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM search_articles`); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE search_state SET format = $1, applied = NULL WHERE id = 1`, format)
	return err
}

// execer is a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// execAll runs stmts in order, stopping at the first error.
func execAll(ctx context.Context, db execer, stmts []string) error {
	for _, stmt := range stmts {
		if _, err := db.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the index's connections.
func (ix *Index) Close() error {
	ix.pool.Close()
	return nil
}

// Applied is the archive's change sequence the index has applied, and
// whether it has been built at all.
func (ix *Index) Applied() (uint64, bool, error) {
	applied, built, err := scanApplied(ix.pool.QueryRow(context.Background(), selectApplied))
	if err != nil {
		return 0, false, ix.errorf("%w", err)
	}
	return applied, built, nil
}

const selectApplied = `SELECT applied FROM search_state WHERE id = 1`

// scanApplied reads search_state's applied, NULL until the index is built.
func scanApplied(row pgx.Row) (applied uint64, built bool, err error) {
	var v *int64
	if err := row.Scan(&v); err != nil || v == nil {
		return 0, false, err
	}
	return uint64(*v), true, nil
}

// CatchUp applies the archive's changes since the index last did, or
// rebuilds the index when it has never been built or the archive's log no
// longer holds what it missed. It returns the sequence now applied.
func (ix *Index) CatchUp(ctx context.Context, a search.Archive) (uint64, error) {
	for {
		applied, more, err := ix.catchUpBatch(ctx, a)
		if errors.Is(err, errStale) {
			return ix.Rebuild(ctx, a)
		}
		if err != nil || !more {
			return applied, err
		}
	}
}

var errStale = errors.New("stale")

// catchUpBatch applies up to batchSize changes in one transaction; more
// says there may be others.
func (ix *Index) catchUpBatch(ctx context.Context, a search.Archive) (applied uint64, more bool, err error) {
	err = pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
		var built bool
		if applied, built, err = lockState(ctx, tx); err != nil {
			return err
		}
		log, err := a.Changes(applied, batchSize)
		if err != nil {
			return err
		}
		if search.Stale(applied, built, log) {
			return errStale
		}
		if log.Next == applied {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeChanged(ctx, tx, a, log.IDs); err != nil {
			return err
		}
		if err := setApplied(ctx, tx, log.Next); err != nil {
			return err
		}
		applied, more = log.Next, true
		return nil
	})
	if err != nil && !errors.Is(err, errStale) {
		return 0, false, ix.errorf("catch up: %w", err)
	}
	return applied, more, err
}

// lockState reads applied, holding search_state's row until tx ends.
func lockState(ctx context.Context, tx pgx.Tx) (applied uint64, built bool, err error) {
	return scanApplied(tx.QueryRow(ctx, selectApplied+` FOR UPDATE`))
}

func setApplied(ctx context.Context, tx pgx.Tx, seq uint64) error {
	if seq > math.MaxInt64 {
		return fmt.Errorf("change sequence %d out of range", seq)
	}
	_, err := tx.Exec(ctx, `UPDATE search_state SET applied = $1 WHERE id = 1`, int64(seq))
	return err
}

// writeChanged writes the rows of the articles ids, deleting those the
// archive no longer holds.
func writeChanged(ctx context.Context, tx pgx.Tx, a search.Archive, ids []string) error {
	var b pgx.Batch
	for _, id := range ids {
		art, err := a.Article(id)
		switch {
		case errors.Is(err, archive.ErrNotFound):
			b.Queue(`DELETE FROM search_articles WHERE id = $1`, id)
		case err != nil:
			return err
		default:
			queueRow(&b, id, search.DocumentOf(&art))
		}
	}
	return tx.SendBatch(ctx, &b).Close()
}

const upsert = `INSERT INTO search_articles (id, published, feeds, tags, hosts, doc, site)
	VALUES ($1, $2, $3, $4, $5, $6::tsvector, $7::tsvector)
	ON CONFLICT (id) DO UPDATE SET published = EXCLUDED.published, feeds = EXCLUDED.feeds,
		tags = EXCLUDED.tags, hosts = EXCLUDED.hosts, doc = EXCLUDED.doc, site = EXCLUDED.site`

func queueRow(b *pgx.Batch, id string, d search.Document) {
	var published *time.Time
	if !d.Published.IsZero() {
		published = &d.Published
	}
	b.Queue(upsert, id, published, nonNil(d.Feeds), nonNil(d.Tags), nonNil(d.Hosts), docVector(d), siteVector(d))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Rebuild indexes every article of the archive anew, then what changed
// while it ran, in one transaction: until it commits, searches see the
// index as it was, and a rebuild cut short leaves it so.
func (ix *Index) Rebuild(ctx context.Context, a search.Archive) (uint64, error) {
	err := pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
		if _, _, err := lockState(ctx, tx); err != nil {
			return err
		}
		log, err := a.Changes(math.MaxUint64-1, 1)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM search_articles`); err != nil {
			return err
		}
		var b pgx.Batch
		err = a.Each(ctx, archive.Query{}, func(art herald.Article) error {
			queueRow(&b, art.ID, search.DocumentOf(&art))
			if b.Len() < batchSize {
				return nil
			}
			err := tx.SendBatch(ctx, &b).Close()
			b = pgx.Batch{}
			return err
		})
		if err == nil {
			err = tx.SendBatch(ctx, &b).Close()
		}
		if err != nil {
			return err
		}
		return setApplied(ctx, tx, log.Last)
	})
	if err != nil {
		return 0, ix.errorf("rebuild: %w", err)
	}
	// The planner chooses between the date index and GIN by how many
	// articles hold a word: statistics of a table just filled, not left
	// for autovacuum to gather minutes later (a one-word search at 100,000
	// articles: p99 320 ms without them, 49 ms with them).
	if _, err := ix.pool.Exec(ctx, `ANALYZE search_articles`); err != nil {
		return 0, ix.errorf("rebuild: %w", err)
	}
	return ix.CatchUp(ctx, a)
}

// Stats counts the index's rows and the bytes of its table and indexes.
func (ix *Index) Stats() (search.Stats, error) {
	var st search.Stats
	var n, size int64
	err := ix.pool.QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM search_articles), pg_total_relation_size('search_articles')`).Scan(&n, &size)
	if err != nil {
		return st, ix.errorf("%w", err)
	}
	return search.Stats{Docs: uint64(n), Bytes: size}, nil
}
