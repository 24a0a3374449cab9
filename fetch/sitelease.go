package fetch

import (
	"context"
	"time"
)

// Leases grants named leases that expire unless renewed, shared by every
// process polling one archive; the gate leases each site from it (see
// Options.Sites). Each process's Leases claims under its own holder name.
type Leases interface {
	// Claim takes the lease on name for ttl from now, or renews it when
	// this holder has it already. When another holder's lease has not yet
	// expired, ok is false and until is when it ends.
	Claim(ctx context.Context, name string, ttl time.Duration) (until time.Time, ok bool, err error)
	// Release gives up the lease on name, if this holder has it.
	Release(ctx context.Context, name string) error
}

// Site leases, when several processes share the work: a request to site S
// starts only while this process holds S's lease, so one process at a
// time talks to S and the gate's concurrency and gap, kept here, hold for
// every process. The lease is claimed before the first request, renewed
// while held, and released once nothing has been in flight to S for its
// gap (at least leaseLinger): the next holder's first request then comes
// at least a gap after this one's last. A lease is never held while
// waiting for another, so two processes cannot wait on each other.
const (
	leaseLinger     = 50 * time.Millisecond // least time held after the last request
	leaseRetryMin   = 50 * time.Millisecond // least time before asking again for a site another holds
	leaseRetryMax   = time.Second
	leaseErrorRetry = time.Second // the lease store failed: ask again after this
	// DefaultLeaseTTL is the site leases' time to live when Options gives
	// none: a process that dies holds its sites this long at most.
	DefaultLeaseTTL = 2 * time.Minute
)

// siteLease is the gate's side of one site's lease. Guarded by gate.mu.
type siteLease struct {
	held    bool
	until   time.Time // when held: the lease's end, as the last claim or renewal left it
	busy    bool      // a claim or a release is under way
	retryAt time.Time // refused or failed: no claim before this
	gen     int       // counts idle timers, so that a stale one does nothing
	renewal chan struct{}
}

// leaseWait says how long a request that may otherwise start must wait for
// its site's lease: 0 when held or when this request should claim it, -1
// while another request claims or releases it.
//
// A held lease whose renewals have failed until its end is near (a gap
// away, at most a third of its term, which healthy renewals keep it beyond)
// is forgotten, and claimed again before the next request: once it
// expires, another process may take the site, and its first request must
// come a gap after this one's last. The claim renews it if it is still this
// process's.
func (g *gate) leaseWait(st *siteState, now time.Time, lim SiteLimit) time.Duration {
	if st.lease.held && g.leaseLapsed(st, now, lim) {
		g.drop(st)
	}
	switch {
	case g.leases == nil || st.lease.held:
		return 0
	case st.lease.busy:
		return -1
	}
	return max(st.lease.retryAt.Sub(now), 0)
}

// leaseLapsed says whether a request that took its turn with site's lease
// held must not start after all: the lease came near its end (as
// leaseWait judges) or was lost meanwhile. Called with g.mu held.
func (g *gate) leaseLapsed(st *siteState, now time.Time, lim SiteLimit) bool {
	if g.leases == nil {
		return false
	}
	near := min(max(lim.Gap, leaseLinger), g.ttl/3)
	return !st.lease.held || !now.Add(near).Before(st.lease.until)
}

// claim asks the lease store for site's lease, called without g.mu and
// with st.lease.busy set by the caller.
func (g *gate) claim(ctx context.Context, site string, st *siteState, lim SiteLimit) {
	until, ok, err := g.leases.Claim(ctx, site, g.ttl)
	g.mu.Lock()
	defer g.mu.Unlock()
	st.lease.busy = false
	now := time.Now()
	switch {
	case err != nil:
		st.lease.retryAt = now.Add(leaseErrorRetry)
	case !ok:
		retry := min(max(lim.Gap, leaseRetryMin), leaseRetryMax)
		st.lease.retryAt = now.Add(max(min(retry, time.Until(until)), 0))
	default:
		st.lease.held, st.lease.until = true, until
		st.lease.renewal = make(chan struct{})
		go g.renew(site, st, st.lease.renewal)
	}
	st.broadcast()
}

// renew keeps site's lease while held, until stop is closed, and its end
// up to date. A lease found taken by another (this process could not renew
// it in time) is let go: the next request claims it again.
func (g *gate) renew(site string, st *siteState, stop chan struct{}) {
	t := time.NewTicker(g.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), g.ttl/3)
		until, ok, err := g.leases.Claim(ctx, site, g.ttl)
		cancel()
		if err != nil {
			continue // leaseWait forgets the lease if it comes near its end
		}
		g.mu.Lock()
		if st.lease.renewal == stop {
			if ok {
				st.lease.until = until
			} else {
				st.lease.held = false
				st.lease.renewal = nil
				st.broadcast()
			}
		}
		g.mu.Unlock()
		if !ok {
			return
		}
	}
}

// idle starts the linger after the last request to a held site ended.
// Called with g.mu held.
func (g *gate) idle(site string, st *siteState, lim SiteLimit) {
	if !st.lease.held || st.inflight > 0 || st.starting {
		return
	}
	st.lease.gen++
	gen := st.lease.gen
	time.AfterFunc(max(lim.Gap, leaseLinger), func() { g.letGo(site, st, gen) })
}

// letGo releases site's lease if nothing was sent to it since idle armed
// the timer of generation gen.
func (g *gate) letGo(site string, st *siteState, gen int) {
	g.mu.Lock()
	if st.lease.gen != gen || !st.lease.held || st.inflight > 0 || st.starting {
		g.mu.Unlock()
		return
	}
	g.unhold(st)
	g.mu.Unlock()
	g.release(site, st)
}

// drop stops renewing st's lease and marks it not held. Called with g.mu
// held.
func (g *gate) drop(st *siteState) {
	st.lease.held = false
	close(st.lease.renewal)
	st.lease.renewal = nil
}

// unhold marks st's lease as being released. Called with g.mu held.
func (g *gate) unhold(st *siteState) {
	g.drop(st)
	st.lease.busy = true
}

// release gives the lease back, called without g.mu after unhold. A failed
// release only makes others wait for the lease to expire.
func (g *gate) release(site string, st *siteState) {
	ctx, cancel := context.WithTimeout(context.Background(), leaseErrorRetry)
	_ = g.leases.Release(ctx, site)
	cancel()
	g.mu.Lock()
	st.lease.busy = false
	st.broadcast()
	g.mu.Unlock()
}

// releaseAll gives back every site lease with nothing in flight, for a
// process that stops: others need not wait for them to expire.
func (g *gate) releaseAll() {
	if g.leases == nil {
		return
	}
	g.mu.Lock()
	var sites []string
	var states []*siteState
	for site, st := range g.sites {
		if st.lease.held && st.inflight == 0 && !st.starting {
			g.unhold(st)
			sites, states = append(sites, site), append(states, st)
		}
	}
	g.mu.Unlock()
	for i, site := range sites {
		g.release(site, states[i])
	}
}
