package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"herald"
)

// Leases grants named leases that expire unless renewed, shared by every
// process polling one archive. With Options.Leases, a process polls a
// feed only while it holds the feed's lease, so that each due poll happens
// once whichever process finds it due.
type Leases interface {
	// Claim takes the lease on name for ttl from now, or renews it when
	// this holder has it already. When another holder's lease has not yet
	// expired, ok is false and until is when it ends.
	Claim(ctx context.Context, name string, ttl time.Duration) (until time.Time, ok bool, err error)
	// Release gives up the lease on name, if this holder has it.
	Release(ctx context.Context, name string) error
}

// DefaultLeaseTTL is a feed lease's time to live when Options gives none.
const DefaultLeaseTTL = 2 * time.Minute

// leaseErrorRetry is how soon a feed is tried again when the lease store
// (the database) failed: it is waited out, never polled without a lease.
const leaseErrorRetry = 5 * time.Second

var errLeaseLost = errors.New("feed lease lost to another process")

// feedLease is a feed's lease, held for one poll: renewed until release,
// and its context canceled if another process took it meanwhile (this one
// could not renew it in time), so that the poll stops.
type feedLease struct {
	s      *Scheduler
	name   string
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   chan struct{}
	done   chan struct{}
}

// lease claims e's feed before its poll, then reads the feed's stored
// state again: if another process polled it since this one last looked,
// e is not polled. Then, or when another process holds the lease or the
// store fails, lease returns false and when to try again.
//
// Invariant: a feed is polled only under its lease, after its state was
// read under that lease, and its new state is stored before the lease is
// released; so whoever claims next sees that poll.
func (s *Scheduler) lease(ctx context.Context, e *entry) (*feedLease, time.Time, bool) {
	name := e.feed.Name
	until, ok, err := s.o.Leases.Claim(ctx, name, s.o.LeaseTTL)
	now := s.clock.Now()
	if err != nil {
		s.leaseError(ctx, fmt.Errorf("feed %s: claim lease: %w", name, err))
		return nil, now.Add(min(leaseErrorRetry, s.o.LeaseTTL)), false
	}
	if !ok {
		return nil, until, false
	}
	st, found, err := s.o.State(name)
	if err != nil {
		s.releaseLease(name)
		s.leaseError(ctx, fmt.Errorf("feed %s: read state: %w", name, err))
		return nil, now.Add(min(leaseErrorRetry, s.o.LeaseTTL)), false
	}
	if found && s.polledElsewhere(e, st, now) {
		s.releaseLease(name)
		return nil, st.NextPoll, false
	}
	l := &feedLease{s: s, name: name, stop: make(chan struct{}), done: make(chan struct{})}
	l.ctx, l.cancel = context.WithCancelCause(ctx)
	go l.renew()
	return l, time.Time{}, true
}

// polledElsewhere reports whether st, read under the lease, shows a poll
// this process did not make and says the feed is not yet due. It then
// takes st as e's last known state.
func (s *Scheduler) polledElsewhere(e *entry, st herald.FeedState, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.ConfigURL != "" && st.ConfigURL != e.feed.URL {
		return false // the config moved the feed: poll the new URL now
	}
	if st.LastPoll.Equal(e.state.LastPoll) || !st.NextPoll.After(now) {
		return false
	}
	e.state = st
	return true
}

// postpone puts e back in the schedule at next without a poll: nothing is
// reported or counted.
func (s *Scheduler) postpone(e *entry, next time.Time) {
	s.requeue(e, latest(next, s.clock.Now()), e.gone)
	s.poke()
}

func (s *Scheduler) leaseError(ctx context.Context, err error) {
	if ctx.Err() == nil && s.o.OnLeaseError != nil {
		s.o.OnLeaseError(err)
	}
}

func (s *Scheduler) releaseLease(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), leaseErrorRetry)
	defer cancel()
	if err := s.o.Leases.Release(ctx, name); err != nil {
		// It expires by itself; others wait until then.
		s.leaseError(ctx, fmt.Errorf("feed %s: release lease: %w", name, err))
	}
}

// renew keeps the lease until release. A failed renewal is tried again at
// the next tick; a lease found taken cancels the poll.
func (l *feedLease) renew() {
	defer close(l.done)
	t := time.NewTicker(l.s.o.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		_, ok, err := l.s.o.Leases.Claim(l.ctx, l.name, l.s.o.LeaseTTL)
		switch {
		case err != nil:
			l.s.leaseError(l.ctx, fmt.Errorf("feed %s: renew lease: %w", l.name, err))
		case !ok:
			l.cancel(errLeaseLost)
			return
		}
	}
}

// release stops renewing and gives the lease up; the poll's state is
// stored by then.
func (l *feedLease) release() {
	close(l.stop)
	<-l.done
	l.cancel(nil)
	l.s.releaseLease(l.name)
}
