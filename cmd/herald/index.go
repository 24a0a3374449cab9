package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"herald/archive"
	"herald/config"
	"herald/search"
)

// indexPath is the directory of db's search index: --search-index, else
// the config's search_index: when db is the config's archive, else beside
// a bbolt file (its path with .search added), else, for a database, in the
// user's cache directory under a name made from the database's URL
// (without its password): every process keeps its own index of a shared
// archive, caught up from the archive's change log.
func indexPath(e *env, db *archive.DB) (string, error) {
	switch {
	case e.searchIndex != "":
		return filepath.Abs(e.searchIndex)
	case e.configIndex != "" && e.dbPath == "":
		return e.configIndex, nil
	case !config.IsPostgres(db.Path()):
		return search.PathFor(db.Path()), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no directory for the search index of %s (give search_index: in the config): %w", db.Path(), err)
	}
	return filepath.Join(cache, "herald", "index-"+dsnHash(db.Path())), nil
}

// dsnHash names a database's index: the same database URL, the same name.
func dsnHash(shown string) string {
	h := sha256.Sum256([]byte(shown))
	return hex.EncodeToString(h[:8])
}

// openIndex opens db's search index, creating its directory's parent.
func openIndex(e *env, db *archive.DB) (*search.Index, error) {
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
// bbolt archive, whose one writer process keeps the one index. On a shared
// engine each process keeps its own index, which the archive does not
// know of: none trims the log, so that no index ever finds what it has not
// applied trimmed away (README: the change log on a shared archive).
func trimChanges(db *archive.DB, applied uint64) error {
	if db.Shared() {
		return nil
	}
	return db.TrimChanges(applied)
}
