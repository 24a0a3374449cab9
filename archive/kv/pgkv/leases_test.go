package pgkv_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"herald/archive/kv/pgkv"
	"herald/internal/pgtest"
)

// The interface schedule and fetch define, as they define it.
type leases interface {
	Claim(ctx context.Context, name string, ttl time.Duration) (until time.Time, ok bool, err error)
	Release(ctx context.Context, name string) error
}

var _ leases = (*pgkv.Leases)(nil)

func claim(t *testing.T, l leases, name string, ttl time.Duration) (time.Time, bool) {
	t.Helper()
	until, ok, err := l.Claim(context.Background(), name, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return until, ok
}

// Many holders claiming one name at once, on two engines: exactly one
// wins, and every loser is told when the winner's lease ends.
func TestLeaseClaimedByOne(t *testing.T) {
	dsn := pgtest.DB(t)
	engines := []*pgkv.Engine{open(t, dsn), open(t, dsn)}
	const holders = 24
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		won    []int
		untils []time.Time
	)
	start := time.Now()
	for i := range holders {
		l := engines[i%2].Leases("feed", fmt.Sprint("holder-", i))
		wg.Go(func() {
			until, ok, err := l.Claim(context.Background(), "a-feed", time.Minute)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				won = append(won, i)
			}
			untils = append(untils, until)
		})
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("%d holders won the lease: %v", len(won), won)
	}
	for _, u := range untils {
		if u.Before(start.Add(59*time.Second)) || u.After(time.Now().Add(time.Minute)) {
			t.Errorf("until %v is not about a minute after %v", u, start)
		}
	}
}

// A holder renews its own lease; another is refused until it expires or
// is released, and only its holder can release it.
func TestLeaseRenewExpireRelease(t *testing.T) {
	e := open(t, pgtest.DB(t))
	a, b := e.Leases("feed", "a"), e.Leases("feed", "b")
	first, ok := claim(t, a, "x", 300*time.Millisecond)
	if !ok {
		t.Fatal("a free lease was refused")
	}
	renewed, ok := claim(t, a, "x", time.Minute)
	if !ok || !renewed.After(first) {
		t.Fatalf("renewal: ok=%v until %v, first until %v", ok, renewed, first)
	}
	if until, ok := claim(t, b, "x", time.Minute); ok || until.Before(renewed.Add(-time.Second)) {
		t.Fatalf("b claimed a's lease: ok=%v, until %v (a's ends %v)", ok, until, renewed)
	}
	if err := b.Release(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if _, ok := claim(t, b, "x", time.Minute); ok {
		t.Fatal("b released a's lease")
	}
	if err := a.Release(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if _, ok := claim(t, b, "x", 200*time.Millisecond); !ok {
		t.Fatal("a released lease was refused")
	}
	if _, ok := claim(t, a, "x", time.Minute); ok {
		t.Fatal("a took b's live lease")
	}
	time.Sleep(300 * time.Millisecond)
	if _, ok := claim(t, a, "x", time.Minute); !ok {
		t.Fatal("an expired lease was refused")
	}
	if _, ok := claim(t, b, "x", time.Minute); ok {
		t.Fatal("b renewed a lease it lost on expiry")
	}
}

// Names in different spaces are different leases.
func TestLeaseSpaces(t *testing.T) {
	e := open(t, pgtest.DB(t))
	if _, ok := claim(t, e.Leases("feed", "a"), "example.org", time.Minute); !ok {
		t.Fatal("refused")
	}
	if _, ok := claim(t, e.Leases("site", "b"), "example.org", time.Minute); !ok {
		t.Fatal("a site lease collided with a feed lease of the same name")
	}
}
