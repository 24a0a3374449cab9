package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"time"

	"herald/archive/kv/pgkv"
	"herald/config"
)

// minLease is the shortest --lease: leases are renewed every third of it.
const minLease = time.Second

// leases are this process's feed and site leases in a PostgreSQL
// archive's database, when several `herald run` processes share it (README:
// Many pollers). A bbolt archive has one process and takes none.
type leases struct {
	engine       *pgkv.Engine
	feeds, sites *pgkv.Leases
	ttl          time.Duration
	holder       string
}

// openLeases connects to the archive's database for its leases; nil for a
// bbolt archive.
func openLeases(ctx context.Context, path string, pw config.Secret, ttl time.Duration) (*leases, error) {
	if !config.IsPostgres(path) {
		return nil, nil
	}
	eng, err := pgkv.Open(ctx, withPassword(path, pw))
	if err != nil {
		return nil, fmt.Errorf("leases in %s: %w", path, err)
	}
	holder := holderName()
	return &leases{engine: eng, feeds: eng.Leases("feed", holder), sites: eng.Leases("site", holder), ttl: ttl, holder: holder}, nil
}

func (l *leases) close() {
	if l != nil {
		l.engine.Close()
	}
}

// holderName names this process among those sharing the database: the
// host, the process id, and a random part, since both may repeat.
func holderName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// withPassword puts the password back into a PostgreSQL URL kept without
// it, for the driver only: the result is never logged or shown.
func withPassword(shown string, pw config.Secret) string {
	if pw == "" {
		return shown
	}
	u, err := url.Parse(shown)
	if err != nil {
		return shown
	}
	u.User = url.UserPassword(u.User.Username(), string(pw))
	return u.String()
}

// rareLog logs at most once per every, counting what it left out: a
// database that is down fails every feed's lease every few seconds.
type rareLog struct {
	log   *slog.Logger
	every time.Duration

	mu      sync.Mutex
	last    time.Time
	skipped int
}

func (r *rareLog) warn(msg string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.last) >= r.every {
		r.log.Warn(msg, "err", err, "like_it_since_last", r.skipped)
		r.last, r.skipped = now, 0
		return
	}
	r.skipped++
}
