package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"herald/archive"
	"herald/internal/pgtest"
	"herald/search"
	"herald/search/pgsearch"
)

// The known-item rates hold on PostgreSQL's text search too: the
// extraction corpus in a database archive, searched with pgsearch.
func TestKnownItemSearchPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("known-item search skipped in -short mode")
	}
	dir := filepath.Join(sharedDir(), "corpus", "extraction")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no extraction corpus at %s (set HERALD_SHARED)", dir)
	}
	db, ix := pgArchive(t)
	n := importCorpus(t, db, dir)
	t.Logf("%d corpus pages extracted and archived", n)
	knownItems(t, db, ix)
}

// Korean, Chinese and Japanese words find their articles on PostgreSQL's
// text search too.
func TestCJKWordsFindTheirArticlesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	db, ix := pgArchive(t)
	cjkWords(t, db, ix)
}

// pgArchive is an empty archive in a database of its own, and its text
// search.
func pgArchive(t *testing.T) (*archive.DB, search.Follower) {
	t.Helper()
	dsn := pgtest.DB(t)
	db, err := archive.Open(dsn, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ix, err := pgsearch.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return db, ix
}
