package pgsearch_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"herald"
	"herald/archive"
	"herald/internal/pgtest"
	"herald/search"
	"herald/search/pgsearch"
	"herald/search/searchtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// engine is a PostgreSQL archive and its text search, each test in a
// database of its own; dsn gives an archive's database.
func engine() (e searchtest.Engine, dsn func(*archive.DB) string) {
	dsns := map[*archive.DB]string{}
	return searchtest.Engine{
		Archive: func(t testing.TB) *archive.DB {
			dsn := pgtest.DB(t)
			db, err := archive.Open(dsn, archive.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dsns[db] = dsn
			return db
		},
		Open: func(t testing.TB, db *archive.DB) search.Follower {
			ix, err := pgsearch.Open(context.Background(), dsns[db])
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ix.Close() })
			return ix
		},
	}, func(db *archive.DB) string { return dsns[db] }
}

func TestEngine(t *testing.T) {
	e, _ := engine()
	searchtest.Run(t, e)
}

// Processes sharing the database catch up together while the archive
// grows: each article is in the index once, and the index ends at the
// log's end.
func TestSharedCatchUp(t *testing.T) {
	e, _ := engine()
	f := searchtest.NewFixture(t, e)
	other := e.Open(t, f.DB)
	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 2)
	for _, ix := range []search.Follower{f.Ix, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := ix.CatchUp(ctx, f.DB); err != nil {
					errs <- err
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	const n = 300
	for i := range n {
		u := fmt.Sprintf("https://shared.example/%d", i)
		item := archive.Item{Article: herald.Article{URL: u, Title: fmt.Sprint("shared ", i), Text: "a quokka story",
			Sources: []herald.Source{{Feed: "shared", FeedURL: "https://shared.example/feed", GUID: u, Link: u}}}}
		if _, err := f.DB.Ingest(ctx, herald.FeedState{Name: "shared"}, []archive.Item{item}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	applied, err := other.CatchUp(ctx, f.DB)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := f.DB.Changes(0, 0); applied != l.Last {
		t.Errorf("applied %d, the log ends at %d", applied, l.Last)
	}
	st, err := f.Ix.Stats()
	if err != nil || st.Docs != uint64(n+len(searchtest.Docs)) {
		t.Errorf("stats %+v (%v), want %d rows", st, err, n+len(searchtest.Docs))
	}
	res, err := f.Ix.Search(ctx, search.Request{Query: searchtest.MustParse(t, "quokka"), Limit: 1})
	if err != nil || res.Total != n {
		t.Errorf("quokka: %d matches (%v), want %d", res.Total, err, n)
	}
}

// fixtureConn is the suite's fixture, a connection to its database for
// changing the index's tables behind its back, and the database's DSN.
func fixtureConn(t *testing.T) (*searchtest.Fixture, *pgx.Conn, string) {
	t.Helper()
	e, dsnOf := engine()
	f := searchtest.NewFixture(t, e)
	dsn := dsnOf(f.DB)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return f, conn, dsn
}

// Rows made by an earlier format are dropped on open and rebuilt.
func TestOlderFormatRebuilt(t *testing.T) {
	f, conn, dsn := fixtureConn(t)
	if _, err := conn.Exec(context.Background(), `UPDATE search_state SET format = 0; DELETE FROM search_articles WHERE doc @@ 'missile'`); err != nil {
		t.Fatal(err)
	}
	if err := f.Ix.Close(); err != nil {
		t.Fatal(err)
	}
	f.Ix = f.OpenIndex(t)
	if got := f.Titles(t, search.Request{Query: searchtest.MustParse(t, "missile")}); !slices.Equal(got, []string{searchtest.Docs[0].Title()}) {
		t.Errorf("after rows of an older format: %q", got)
	}
	// A newer format is refused, not overwritten.
	if _, err := conn.Exec(context.Background(), `UPDATE search_state SET format = 99`); err != nil {
		t.Fatal(err)
	}
	if _, err := pgsearch.Open(context.Background(), dsn); err == nil || !strings.Contains(err.Error(), "newer Herald") {
		t.Errorf("open an index of a newer format: %v", err)
	}
}

// Processes starting together on a database without the index's tables
// all open it: the one that loses the race to create a table finds it
// made (a daemon failed to start on "type search_articles already
// exists").
func TestOpenTogether(t *testing.T) {
	for round := range 20 {
		dsn := pgtest.DB(t)
		var wg sync.WaitGroup
		errs := make([]error, 12)
		for i := range errs {
			wg.Go(func() {
				ix, err := pgsearch.Open(context.Background(), dsn)
				if err == nil {
					ix.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, process %d: %v", round, i, err)
			}
		}
	}
}

// doc's statistics target, which keeps rare words in date order off the
// date index (pgsearch.go), is set on open, also on an index made before
// it was.
func TestDocStatistics(t *testing.T) {
	f, conn, _ := fixtureConn(t)
	target := func() string {
		t.Helper()
		var s *string
		err := conn.QueryRow(context.Background(), `SELECT attstattarget::text FROM pg_attribute
			WHERE attrelid = 'search_articles'::regclass AND attname = 'doc'`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		if s == nil {
			return "the default"
		}
		return *s
	}
	if got := target(); got != "1000" {
		t.Errorf("doc's statistics target is %s, want 1000", got)
	}
	if _, err := conn.Exec(context.Background(), `ALTER TABLE search_articles ALTER COLUMN doc SET STATISTICS -1`); err != nil {
		t.Fatal(err)
	}
	if err := f.Ix.Close(); err != nil {
		t.Fatal(err)
	}
	f.Ix = f.OpenIndex(t)
	if got := target(); got != "1000" {
		t.Errorf("after open, doc's statistics target is %s, want 1000", got)
	}
}

// Whatever a user types, a search is answered or refused as the query's
// fault: the tsquery compiled from it is never malformed.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"a b", `"a b" -c`, `title:"o'brien's" site:x`, `it\'s`, "대통령 -桜", `'&|!<->:*`, `"a" "b"`, "feed:'x'"} {
		f.Add(s)
	}
	e, _ := engine()
	fx := searchtest.NewFixture(f, e)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := search.ParseQuery(s)
		if err != nil {
			return
		}
		for _, byDate := range []bool{false, true} {
			if _, err := fx.Ix.Search(context.Background(), search.Request{Query: q, ByDate: byDate}); err != nil && !search.IsUserError(err) {
				t.Fatalf("%q: %v", s, err)
			}
		}
	})
}
