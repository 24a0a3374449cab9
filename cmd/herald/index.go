package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"herald/archive"
	"herald/config"
	"herald/search"
	"herald/search/pgsearch"
)

// indexPath is the directory of a bbolt archive's search index:
// --search-index, else the config's search_index: when db is the
// config's archive, else beside the file (its path with .search added).
func indexPath(e *env, db *archive.DB) (string, error) {
	switch {
	case e.searchIndex != "":
		return filepath.Abs(e.searchIndex)
	case e.configIndex != "" && e.dbPath == "":
		return e.configIndex, nil
	}
	return search.PathFor(db.Path()), nil
}

// indexPlace says where db's search index is, for people.
func indexPlace(e *env, db *archive.DB) string {
	if config.IsPostgres(db.Path()) {
		return "in the database"
	}
	path, _ := indexPath(e, db)
	return path
}

// openIndex opens db's search index: in the database of a PostgreSQL
// archive (search_index: and --search-index do not apply), else the
// bleve directory, creating its parent.
func openIndex(e *env, db *archive.DB) (search.Follower, error) {
	if config.IsPostgres(db.Path()) {
		return pgsearch.Open(context.Background(), withPassword(db.Path(), e.password()))
	}
	path, err := indexPath(e, db)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return search.Open(path)
}

// trimChanges trims db's change log of what the index has applied, on a
// bbolt archive, whose one writer process keeps the one index. A shared
// archive's log is not trimmed: the stories of every process sharing it
// are caught up from it too (README: the change log on a shared archive).
func trimChanges(db *archive.DB, applied uint64) error {
	if db.Shared() {
		return nil
	}
	return db.TrimChanges(applied)
}
