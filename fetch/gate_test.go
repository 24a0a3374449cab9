package fetch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func limitAll(l SiteLimit) func(string) SiteLimit {
	return func(string) SiteLimit { return l }
}

// flight counts how many are inside at once and remembers the most.
type flight struct {
	now, most atomic.Int32
}

func (f *flight) enter() {
	n := f.now.Add(1)
	for {
		m := f.most.Load()
		if n <= m || f.most.CompareAndSwap(m, n) {
			return
		}
	}
}

func (f *flight) leave() { f.now.Add(-1) }

// run acquires for each site in sites at once, holds the slot for hold, and
// returns the times the slots were granted.
func run(t *testing.T, g *gate, sites []string, hold time.Duration, f *flight) []time.Time {
	t.Helper()
	starts := make([]time.Time, len(sites))
	var wg sync.WaitGroup
	for i, site := range sites {
		wg.Go(func() {
			release, _, err := g.acquire(context.Background(), site, time.Time{}, false)
			if err != nil {
				t.Error(err)
				return
			}
			starts[i] = time.Now()
			f.enter()
			time.Sleep(hold)
			f.leave()
			release()
		})
	}
	wg.Wait()
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	return starts
}

func repeat(site string, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = site
	}
	return s
}

func TestGateSiteConcurrency(t *testing.T) {
	g := newGate(100, limitAll(SiteLimit{Concurrency: 3}))
	var f flight
	run(t, g, repeat("example.com", 24), 5*time.Millisecond, &f)
	if m := f.most.Load(); m > 3 || m < 2 {
		t.Fatalf("at most %d in flight to one site, want 2 or 3 (limit 3)", m)
	}
}

func TestGateGap(t *testing.T) {
	const gap = 50 * time.Millisecond
	g := newGate(100, limitAll(SiteLimit{Concurrency: 10, Gap: gap}))
	var f flight
	starts := run(t, g, repeat("example.com", 6), 0, &f)
	for i := 1; i < len(starts); i++ {
		// The margin covers the time between the gate's grant and the
		// goroutine reading the clock.
		if d := starts[i].Sub(starts[i-1]); d < gap*7/10 {
			t.Errorf("starts %d and %d %v apart, want >= %v", i-1, i, d, gap)
		}
	}
}

func TestGateGapPerSite(t *testing.T) {
	// Two sites with a long gap each: their first requests do not wait on
	// each other.
	g := newGate(100, limitAll(SiteLimit{Concurrency: 1, Gap: time.Hour}))
	for _, site := range []string{"a.example", "b.example"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		release, _, err := g.acquire(ctx, site, time.Time{}, false)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", site, err)
		}
		release()
	}
}

func TestGateGlobal(t *testing.T) {
	g := newGate(2, limitAll(SiteLimit{Concurrency: 10}))
	var sites []string
	for i := range 16 {
		sites = append(sites, fmt.Sprintf("site%d.example", i%4))
	}
	var f flight
	run(t, g, sites, 5*time.Millisecond, &f)
	if m := f.most.Load(); m != 2 {
		t.Fatalf("at most %d in flight in all, want 2", m)
	}
}

func TestGateHold(t *testing.T) {
	g := newGate(10, limitAll(SiteLimit{Concurrency: 2}))
	const hold = 100 * time.Millisecond
	start := time.Now()
	g.hold("example.com", start.Add(hold), 503)

	// A deadline before the hold's end fails at once.
	_, _, err := g.acquire(context.Background(), "example.com", start.Add(hold/2), false)
	var held *heldError
	if !errors.As(err, &held) || held.status != 503 || !held.until.Equal(start.Add(hold)) {
		t.Fatalf("err = %#v, want a heldError until the hold's end", err)
	}

	// Another site is not held.
	release, _, err := g.acquire(context.Background(), "other.example", start.Add(hold/2), false)
	if err != nil {
		t.Fatal(err)
	}
	release()

	release, _, err = g.acquire(context.Background(), "example.com", time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if waited := time.Since(start); waited < hold {
		t.Fatalf("held site granted after %v, want >= %v", waited, hold)
	}

	// A shorter hold does not shorten a longer one.
	g.hold("example.com", time.Now().Add(time.Hour), 429)
	g.hold("example.com", time.Now().Add(time.Second), 503)
	if _, _, err := g.acquire(context.Background(), "example.com", time.Now().Add(time.Minute), false); !errors.As(err, &held) || held.status != 429 {
		t.Fatalf("err = %v, want the hour-long 429 hold", err)
	}
}

func TestGateCancelWhileWaitingForSite(t *testing.T) {
	g := newGate(10, limitAll(SiteLimit{Concurrency: 1}))
	first, _, err := g.acquire(context.Background(), "example.com", time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := g.acquire(ctx, "example.com", time.Time{}, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	first()
	first() // a second release must not free a second slot
	assertFree(t, g, "example.com", 1)
}

func TestGateCancelWhileWaitingForGlobal(t *testing.T) {
	g := newGate(1, limitAll(SiteLimit{Concurrency: 1, Gap: time.Millisecond}))
	busy, _, err := g.acquire(context.Background(), "a.example", time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, _, err := g.acquire(ctx, "b.example", time.Time{}, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	busy()
	assertFree(t, g, "b.example", 1)
	assertFree(t, g, "a.example", 1)
}

// assertFree checks that n slots of site can be taken at once, without
// waiting long: none leaked.
func assertFree(t *testing.T, g *gate, site string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var releases []func()
	for range n {
		release, _, err := g.acquire(ctx, site, time.Time{}, false)
		if err != nil {
			t.Fatalf("%s: slot leaked: %v", site, err)
		}
		releases = append(releases, release)
	}
	for _, r := range releases {
		r()
	}
}

func TestGateDefaults(t *testing.T) {
	g := newGate(10, nil)
	if l := g.limit("example.com"); l != DefaultSiteLimit {
		t.Errorf("nil limits give %+v, want %+v", l, DefaultSiteLimit)
	}
	g = newGate(10, limitAll(SiteLimit{Concurrency: -1, Gap: -time.Second}))
	if l := g.limit("example.com"); l.Concurrency != DefaultSiteLimit.Concurrency || l.Gap != 0 {
		t.Errorf("bad limits give %+v, want concurrency %d and no gap", l, DefaultSiteLimit.Concurrency)
	}
}

func TestGateForgetsIdleSites(t *testing.T) {
	g := newGate(10, limitAll(SiteLimit{Concurrency: 1}))
	for i := range 10000 {
		release, _, err := g.acquire(context.Background(), fmt.Sprintf("site%d.example", i), time.Time{}, false)
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	g.mu.Lock()
	n := len(g.sites)
	g.mu.Unlock()
	if n > 1000 {
		t.Fatalf("gate keeps %d sites after 10000 idle ones", n)
	}
}

func BenchmarkGate(b *testing.B) {
	g := newGate(64, limitAll(SiteLimit{Concurrency: 8}))
	sites := []string{"a.example", "b.example", "c.example", "d.example"}
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		site := sites[n.Add(1)%int64(len(sites))]
		for pb.Next() {
			release, _, err := g.acquire(context.Background(), site, time.Time{}, false)
			if err != nil {
				b.Error(err)
				return
			}
			release()
		}
	})
}
