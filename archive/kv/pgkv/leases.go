package pgkv

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Leases are named leases in the database's leases table, claimed under
// one holder's name: what lets many processes share the polling (schedule
// and fetch define the interface they use). Expiry is judged by the
// database's clock alone, so the holders' clocks need not agree; the
// times returned are on this process's clock.
type Leases struct {
	e      *Engine
	space  string // prefixed to names, so feed and site names cannot meet
	holder string
}

// Leases returns the leases named in space (say "feed" or "site") that
// holder claims. A holder's name must be unique among the processes
// sharing the database.
func (e *Engine) Leases(space, holder string) *Leases {
	return &Leases{e: e, space: space + ":", holder: holder}
}

// claimSQL takes the lease when it is free, expired or already ours, and
// returns whether we hold it and for how long (µs) it still runs. When
// another holder's row appeared after this statement's snapshot, the
// insert sees it but the select does not: no row, and Claim asks again.
const claimSQL = `WITH won AS (
	INSERT INTO leases AS l (name, holder, until)
	VALUES ($1, $2, now() + $3::float8 * interval '1 microsecond')
	ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
	WHERE l.until <= now() OR l.holder = excluded.holder
	RETURNING until
)
SELECT true, (extract(epoch FROM until - now()) * 1000000)::bigint FROM won
UNION ALL
SELECT false, (extract(epoch FROM until - now()) * 1000000)::bigint FROM leases
WHERE name = $1 AND NOT EXISTS (SELECT FROM won)`

// Claim takes the lease on name for ttl from now, or renews it when this
// holder has it already. When another holder's lease has not expired, ok
// is false and until is when it ends.
func (l *Leases) Claim(ctx context.Context, name string, ttl time.Duration) (until time.Time, ok bool, err error) {
	for range 3 {
		var left int64
		start := time.Now()
		err = l.e.pool.QueryRow(ctx, claimSQL, l.space+name, l.holder, float64(ttl.Microseconds())).Scan(&ok, &left)
		if err == pgx.ErrNoRows {
			continue
		}
		if err != nil {
			return time.Time{}, false, fmt.Errorf("pgkv: claim lease %s%s on %s: %w", l.space, name, l.e.name, err)
		}
		// From the statement's start: an early local until errs safe.
		return start.Add(time.Duration(left) * time.Microsecond), ok, nil
	}
	return time.Time{}, false, fmt.Errorf("pgkv: claim lease %s%s on %s: contended", l.space, name, l.e.name)
}

// Release gives up the lease on name, if this holder has it.
func (l *Leases) Release(ctx context.Context, name string) error {
	if _, err := l.e.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, l.space+name, l.holder); err != nil {
		return fmt.Errorf("pgkv: release lease %s%s on %s: %w", l.space, name, l.e.name, err)
	}
	return nil
}
