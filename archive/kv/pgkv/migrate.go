package pgkv

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's versions, in order: migration i+1 takes the
// schema from version i to i+1. Shipped ones are never edited; a change is
// a new one at the end.
var migrations = []string{
	// 1: the buckets. A bucket exists while its kv_seq row does, so
	// listing the buckets is one small read. archive_lock's one row is
	// what every Update locks first, serialising writers across processes.
	`CREATE TABLE kv_seq (
		bucket text COLLATE "C" PRIMARY KEY,
		n bigint NOT NULL DEFAULT 0
	);
	CREATE TABLE kv (
		bucket text COLLATE "C" NOT NULL,
		key bytea NOT NULL,
		value bytea NOT NULL,
		PRIMARY KEY (bucket, key)
	);
	CREATE TABLE archive_lock (id integer PRIMARY KEY CHECK (id = 1));
	INSERT INTO archive_lock (id) VALUES (1);`,
	// 2: leases (leases.go).
	`CREATE TABLE leases (
		name text COLLATE "C" PRIMARY KEY,
		holder text NOT NULL,
		until timestamptz NOT NULL
	);`,
}

// Version is the schema version this build of pgkv writes and reads.
func Version() int { return len(migrations) }

// migrate brings the database's schema to Version, one process at a time,
// and refuses a database whose schema is newer than this build knows.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	// Version 0's row is the migrations' lock: a row lock works on every
	// PostgreSQL-compatible engine, where LOCK TABLE and advisory locks may
	// not. Two processes creating the table at once can collide in the
	// catalog; the loser finds it made.
	const create = `CREATE TABLE IF NOT EXISTS herald_migrations (
		version integer PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`
	var err error
	for range 5 {
		if _, err = pool.Exec(ctx, create); err == nil {
			_, err = pool.Exec(ctx, `INSERT INTO herald_migrations (version) VALUES (0) ON CONFLICT DO NOTHING`)
		}
		if !IsCatalogRace(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("pgkv: create the migrations table: %w", err)
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT version FROM herald_migrations WHERE version = 0 FOR UPDATE`); err != nil {
			return fmt.Errorf("pgkv: lock the migrations: %w", err)
		}
		var at int
		if err := tx.QueryRow(ctx, `SELECT max(version) FROM herald_migrations`).Scan(&at); err != nil {
			return fmt.Errorf("pgkv: read the schema version: %w", err)
		}
		if at > len(migrations) {
			return fmt.Errorf("pgkv: the database's schema is at version %d, newer than this herald knows (%d): upgrade herald", at, len(migrations))
		}
		for v := at + 1; v <= len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
				return fmt.Errorf("pgkv: migrate the schema to version %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO herald_migrations (version) VALUES ($1)`, v); err != nil {
				return fmt.Errorf("pgkv: record schema version %d: %w", v, err)
			}
		}
		return nil
	})
}

// IsCatalogRace reports whether err is two processes' CREATE TABLE IF NOT
// EXISTS colliding in PostgreSQL's catalog (as a duplicate table, type or
// key): the loser finds the table made when it tries again.
func IsCatalogRace(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42710")
}
