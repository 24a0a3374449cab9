// Package pgkv is the archive's storage (kv.Engine) in PostgreSQL tables,
// shared by every herald process using the database: writers serialise on
// one locked row, reads see a snapshot, writes are pipelined.
package pgkv

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"herald/archive/kv"
)

// Engine is a kv.Engine over a pool of connections to one database.
type Engine struct {
	pool *pgxpool.Pool
	name string // user@host:port/database, for errors; never the password
}

var _ kv.Engine = (*Engine)(nil)

// Open connects to the database dsn names and migrates its schema to this
// build's version. It refuses a database whose schema is newer. Its errors
// never show the DSN's password.
func Open(ctx context.Context, dsn string) (*Engine, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgconn's ParseConfigError redacts the password it quotes.
		return nil, fmt.Errorf("pgkv: %w", err)
	}
	return open(ctx, cfg)
}

func open(ctx context.Context, cfg *pgxpool.Config) (*Engine, error) {
	var err error
	e := &Engine{name: Configure(cfg)}
	if e.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("pgkv: open %s: %w", e.name, err)
	}
	if err := migrate(ctx, e.pool); err != nil {
		e.pool.Close()
		return nil, fmt.Errorf("%w (database %s)", err, e.name)
	}
	return e, nil
}

// Configure gives cfg what every pool of Herald's has: a server that does
// not answer fails the connection after 10 s rather than hang a
// transaction. It returns the database's name as Herald shows it,
// user@host:port/database, never the password.
func Configure(cfg *pgxpool.Config) (name string) {
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	cc := cfg.ConnConfig
	return cc.User + "@" + cc.Host + ":" + strconv.Itoa(int(cc.Port)) + "/" + cc.Database
}

// Close closes the pool's connections.
func (e *Engine) Close() error {
	e.pool.Close()
	return nil
}

// Pool is the engine's connection pool, for the tables beside the archive
// (leases) that share its database.
func (e *Engine) Pool() *pgxpool.Pool { return e.pool }

// View runs fn in a read-only transaction that sees one snapshot of the
// archive (REPEATABLE READ), as bbolt's readers do.
func (e *Engine) View(fn func(kv.Tx) error) error { return e.run(false, fn) }

// Update runs fn in a transaction that first locks archive_lock's row, so
// writers across every process run one at a time and each reads what all
// earlier ones committed (READ COMMITTED after the lock).
func (e *Engine) Update(fn func(kv.Tx) error) error { return e.run(true, fn) }

func (e *Engine) run(writable bool, fn func(kv.Tx) error) error {
	ctx := context.Background()
	t, err := e.begin(ctx, writable)
	if err != nil {
		return err
	}
	// A connection released inside a transaction (fn panicked, a rollback
	// failed) is closed by the pool, which ends the transaction.
	defer t.conn.Release()
	ferr := fn(t)
	if t.err == nil && ferr == nil {
		if err := t.commit(ctx); err != nil {
			return fmt.Errorf("pgkv: commit on %s: %w", e.name, err)
		}
		return nil
	}
	t.rollback(ctx)
	if t.err != nil {
		return t.err
	}
	return ferr
}

const (
	beginRead  = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT bucket, n FROM kv_seq`
	beginWrite = `BEGIN ISOLATION LEVEL READ COMMITTED; SELECT id FROM archive_lock WHERE id = 1 FOR UPDATE; SELECT bucket, n FROM kv_seq`
)

// begin starts a transaction and reads the bucket list, in one round
// trip. A connection the pool kept across a server restart fails here,
// before anything is done: begin tries a fresh one.
func (e *Engine) begin(ctx context.Context, writable bool) (*tx, error) {
	sql := beginRead
	if writable {
		sql = beginWrite
	}
	var err error
	for range 3 {
		var conn *pgxpool.Conn
		if conn, err = e.pool.Acquire(ctx); err != nil {
			break
		}
		var res []*pgconn.Result
		if res, err = conn.Conn().PgConn().Exec(ctx, sql).ReadAll(); err == nil {
			t := &tx{engine: e, conn: conn, writable: writable}
			if err = t.loadBuckets(res, writable); err == nil {
				return t, nil
			}
		}
		closed := conn.Conn().IsClosed()
		conn.Release()
		if !closed {
			break
		}
	}
	return nil, fmt.Errorf("pgkv: begin on %s: %w", e.name, err)
}

// loadBuckets reads the bucket list begin's statement returned.
func (t *tx) loadBuckets(res []*pgconn.Result, writable bool) error {
	if writable && len(res[1].Rows) != 1 {
		return errors.New("archive_lock has no row to lock")
	}
	rows := res[len(res)-1].Rows
	t.buckets = make(map[string]*bucket, len(rows))
	for _, r := range rows {
		n, err := strconv.ParseInt(string(r[1]), 10, 64)
		if err != nil {
			return fmt.Errorf("kv_seq of %q: %w", r[0], err)
		}
		name := string(r[0])
		t.buckets[name] = &bucket{tx: t, name: name, seq: uint64(n)}
	}
	return nil
}
