package fetch

import (
	"context"
	"sync"
	"time"
)

// SiteLimit is the politeness owed to one site.
type SiteLimit struct {
	Concurrency int           // requests in flight at once; 0 means the default, 2
	Gap         time.Duration // least time between two request starts
}

// DefaultSiteLimit applies when Options.Limits is nil.
var DefaultSiteLimit = SiteLimit{Concurrency: 2, Gap: time.Second}

// gate keeps the politeness rules: per site, at most Concurrency requests in
// flight and starts at least Gap apart; over all sites, at most cap(global)
// in flight; and a site that answered with Retry-After gets no request
// before then. With leases (several processes sharing the work), a request
// starts only while this process holds its site's lease (sitelease.go).
//
// A request takes its site slot first and only then a global one, so that
// requests waiting on a slow site's gap never hold global slots. Times are
// taken from the monotonic clock, not Options.Now, so that a test's frozen
// clock cannot stall the gate.
type gate struct {
	limits func(site string) SiteLimit
	global chan struct{}
	leases Leases // nil: this process alone talks to every site
	ttl    time.Duration

	mu      sync.Mutex
	sites   map[string]*siteState
	sweepAt int // sweep idle sites when the map grows past this
}

type siteState struct {
	inflight int
	// starting is set while a request holds a site slot but waits for a
	// global one: the gap counts from its start, which is not known yet.
	starting   bool
	next       time.Time // earliest next start
	hold       time.Time // no start before this (Retry-After)
	holdStatus int       // the status that asked for the hold
	wake       chan struct{}
	lease      siteLease
}

// heldError is returned by acquire when the site is held back past the
// request's deadline.
type heldError struct {
	until  time.Time
	status int
}

func (e *heldError) Error() string { return "site held back by Retry-After" }

func newGate(global int, limits func(string) SiteLimit) *gate {
	if limits == nil {
		limits = func(string) SiteLimit { return DefaultSiteLimit }
	}
	return &gate{limits: limits, global: make(chan struct{}, global), sites: map[string]*siteState{}, sweepAt: 64}
}

func (g *gate) limit(site string) SiteLimit {
	l := g.limits(site)
	if l.Concurrency <= 0 {
		l.Concurrency = DefaultSiteLimit.Concurrency
	}
	l.Gap = max(l.Gap, 0)
	return l
}

// acquire waits until a request to site may start, and returns the function
// that ends it and the instant it let the request start (from which the
// site's gap counts). If the site is held back by Retry-After past
// deadline (when not zero), it returns a *heldError at once rather than
// wait in vain; if noWait and another process holds the site's lease, a
// *SiteBusyError.
func (g *gate) acquire(ctx context.Context, site string, deadline time.Time, noWait bool) (release func(), start time.Time, err error) {
	lim := g.limit(site)
	for {
		st, err := g.turn(ctx, site, lim, deadline, noWait)
		if err != nil {
			return nil, time.Time{}, err
		}
		if err := g.takeGlobal(ctx, site, st, lim); err != nil {
			return nil, time.Time{}, err
		}
		g.mu.Lock()
		start = time.Now()
		if g.leaseLapsed(st, start, lim) {
			// The site's lease came near its end while the request waited
			// for a global slot (its renewals failing): another process
			// may have the site by now. Wait for the lease again.
			<-g.global
			g.unstart(site, st, lim)
			g.mu.Unlock()
			continue
		}
		st.starting = false
		st.next = start.Add(lim.Gap)
		st.broadcast()
		g.mu.Unlock()
		var once sync.Once
		return func() {
			once.Do(func() {
				<-g.global
				g.mu.Lock()
				st.inflight--
				st.broadcast()
				g.idle(site, st, lim)
				g.mu.Unlock()
			})
		}, start, nil
	}
}

// turn waits until site's limits and lease let a request start, and counts
// it in flight.
func (g *gate) turn(ctx context.Context, site string, lim SiteLimit, deadline time.Time, noWait bool) (*siteState, error) {
	for {
		g.mu.Lock()
		st := g.state(site)
		now := time.Now()
		if !deadline.IsZero() && st.hold.After(deadline) {
			err := &heldError{until: st.hold, status: st.holdStatus}
			g.mu.Unlock()
			return nil, err
		}
		wait := st.wait(now, lim)
		if wait == 0 {
			wait = g.leaseWait(st, now, lim)
			if wait == 0 && g.leases != nil && !st.lease.held {
				st.lease.busy = true
				g.mu.Unlock()
				g.claim(ctx, site, st, lim)
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				continue
			}
			if wait > 0 && noWait {
				g.mu.Unlock()
				return nil, &SiteBusyError{Site: site, Until: now.Add(wait)}
			}
		}
		if wait == 0 {
			st.inflight++
			st.starting = lim.Gap > 0
			st.lease.gen++ // a pending release is off
			g.mu.Unlock()
			return st, nil
		}
		wake := st.wake
		g.mu.Unlock()
		if err := sleep(ctx, wait, wake); err != nil {
			return nil, err
		}
	}
}

// takeGlobal waits for a global slot for a request counted in flight to
// site, and uncounts it when ctx ends first.
func (g *gate) takeGlobal(ctx context.Context, site string, st *siteState, lim SiteLimit) error {
	select {
	case g.global <- struct{}{}:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		g.unstart(site, st, lim)
		g.mu.Unlock()
		return ctx.Err()
	}
}

// unstart uncounts a request that took its turn at site but does not
// start after all, and wakes the site's waiters. Called with g.mu held.
func (g *gate) unstart(site string, st *siteState, lim SiteLimit) {
	st.inflight--
	st.starting = false
	st.broadcast()
	g.idle(site, st, lim)
}

// hold keeps requests to site from starting before until.
func (g *gate) hold(site string, until time.Time, status int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.state(site)
	if until.After(st.hold) {
		st.hold, st.holdStatus = until, status
	}
}

// state returns site's state, creating it. Called with g.mu held.
func (g *gate) state(site string) *siteState {
	st := g.sites[site]
	if st != nil {
		return st
	}
	if len(g.sites) >= g.sweepAt {
		g.sweep(time.Now())
	}
	st = &siteState{wake: make(chan struct{})}
	g.sites[site] = st
	return st
}

// sweep forgets the sites that nothing waits on and whose gap and hold are
// over, so that a long-running daemon does not keep every site it ever saw.
func (g *gate) sweep(now time.Time) {
	for site, st := range g.sites {
		if st.inflight == 0 && !st.starting && !st.next.After(now) && !st.hold.After(now) && !st.lease.held && !st.lease.busy {
			delete(g.sites, site)
		}
	}
	g.sweepAt = max(64, 2*len(g.sites))
}

// wait returns how long to wait before trying again: 0 to go now, -1 to wait
// for a wake-up (a slot is freed).
func (st *siteState) wait(now time.Time, lim SiteLimit) time.Duration {
	if st.inflight >= lim.Concurrency || st.starting {
		return -1
	}
	at := st.next
	if st.hold.After(at) {
		at = st.hold
	}
	return max(at.Sub(now), 0)
}

// broadcast wakes every waiter of the site. Called with g.mu held.
func (st *siteState) broadcast() {
	close(st.wake)
	st.wake = make(chan struct{})
}

func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	var timeout <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
		return nil
	case <-timeout:
		return nil
	}
}
