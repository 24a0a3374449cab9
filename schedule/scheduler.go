// Package schedule is the daemon's scheduler: it polls each feed when the
// archive's state says it is due, politely (a global limit and one per
// site), resumes where a restarted daemon left off, follows config reloads,
// and tells an offline machine from failing feeds.
package schedule

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"time"

	"herald"
	"herald/fetch"
	"herald/poll"
)

// Poller polls one feed end to end and stores its state, including when it is
// next due; *poll.Poller is one.
type Poller interface {
	Poll(ctx context.Context, f poll.Feed) poll.Outcome
}

// Options configure a Scheduler. Every field may be left zero.
type Options struct {
	// States returns the feeds' stored states (archive.DB.FeedStates); each
	// feed's NextPoll there is when it is due. Nil: nothing stored.
	States func() ([]herald.FeedState, error)
	// SiteOf names the site a feed's URL belongs to (default: fetch.Site
	// of its host); SiteConcurrency is how many polls of one site's feeds
	// may run at once (default 2).
	SiteOf          func(url string) string
	SiteConcurrency func(site string) int
	Concurrency     int // polls in flight over all sites; default 16
	Clock           Clock
	Rand            *rand.Rand // spreads overdue feeds; nil: the global source
	// SaveState stores a feed's state again when the scheduler forgives a
	// failure that was the machine's, not the feed's (the machine was
	// offline): archive.DB.SaveFeedState. Nil: the forgiven state is only
	// kept in memory.
	SaveState func(ctx context.Context, s herald.FeedState) error
	// OnOutcome is told of every poll as it ends, and once of each gone feed
	// it does not poll. It is called from the polls' goroutines.
	OnOutcome func(poll.Outcome)
	// Leases, when several processes poll one archive, lets one at a time
	// poll a feed (see lease.go); nil: this process alone polls. State
	// reads a feed's stored state under its lease (archive.DB.FeedState);
	// it is needed with Leases. LeaseTTL is how long a lease lasts unless
	// renewed (default DefaultLeaseTTL). OnLeaseError hears of the lease
	// store's failures, which are waited out.
	Leases       Leases
	State        func(name string) (herald.FeedState, bool, error)
	LeaseTTL     time.Duration
	OnLeaseError func(error)
}

// Scheduler polls feeds when they are due. Its methods are safe for
// concurrent use.
type Scheduler struct {
	p     Poller
	o     Options
	clock Clock
	wake  chan struct{} // something changed: look at the queue again

	mu      sync.Mutex
	q       *queue
	machine machine     // is the machine offline?
	pending []poll.Feed // set by SetFeeds, applied by Run
	changed bool
}

// New returns a scheduler that polls with p. Give it feeds with SetFeeds and
// start it with Run.
func New(p Poller, o Options) *Scheduler {
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.SiteConcurrency == nil {
		o.SiteConcurrency = func(string) int { return fetch.DefaultSiteLimit.Concurrency }
	}
	if o.SiteOf == nil {
		o.SiteOf = siteOf
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	return &Scheduler{
		p: p, o: o, clock: o.Clock, wake: make(chan struct{}, 1),
		q: newQueue(o.Concurrency, o.SiteConcurrency),
	}
}

// SetFeeds replaces the feeds to poll, at start and on a config reload:
// added feeds are scheduled from their stored state (now, if never polled),
// removed ones are no longer polled (a running poll finishes), and changed
// ones take effect (a new URL is polled at once).
func (s *Scheduler) SetFeeds(feeds []poll.Feed) {
	s.mu.Lock()
	s.pending, s.changed = slices.Clone(feeds), true
	s.mu.Unlock()
	s.poke()
}

// Lag is how late the most overdue feed is: zero while the scheduler keeps up.
func (s *Scheduler) Lag() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.q.lag(s.clock.Now())
}

// QueueDepth is how many feeds are due and waiting for a free slot.
func (s *Scheduler) QueueDepth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.q.nready
}

// Run polls feeds as they fall due until ctx is done, then waits for the
// polls in flight, which see ctx canceled, and returns nil. It returns an
// error only when the stored states cannot be read at start.
func (s *Scheduler) Run(ctx context.Context) error {
	states, err := s.states(true)
	if err != nil {
		return fmt.Errorf("read feed states: %w", err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		for _, o := range s.reload(states) {
			s.report(o)
		}
		states = nil
		jobs, wakeAt, ok := s.step(s.clock.Now())
		for _, e := range jobs {
			wg.Go(func() { s.poll(ctx, e) })
		}
		s.sleep(ctx, wakeAt, ok)
	}
	return nil
}

// states reads the stored states by feed name. Only the first read may
// fail Run; later, a feed whose state cannot be read is polled right away,
// and the poll itself reads its state.
func (s *Scheduler) states(first bool) (map[string]herald.FeedState, error) {
	if s.o.States == nil {
		return nil, nil
	}
	list, err := s.o.States()
	if err != nil && first {
		return nil, err
	}
	m := make(map[string]herald.FeedState, len(list))
	for _, st := range list {
		m[st.Name] = st
	}
	return m, nil
}

// reload applies the feeds given to SetFeeds since the last look. It
// returns a report for each gone feed newly added, which is not polled.
func (s *Scheduler) reload(states map[string]herald.FeedState) []poll.Outcome {
	s.mu.Lock()
	if !s.changed {
		s.mu.Unlock()
		return nil
	}
	feeds := s.pending
	s.pending, s.changed = nil, false
	added := slices.ContainsFunc(feeds, func(f poll.Feed) bool { return s.q.feeds[f.Name] == nil })
	s.mu.Unlock()

	if added && states == nil {
		states, _ = s.states(false)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apply(feeds, states, s.clock.Now())
}

// apply makes feeds the schedule. Called with s.mu held.
func (s *Scheduler) apply(feeds []poll.Feed, states map[string]herald.FeedState, now time.Time) []poll.Outcome {
	keep := make(map[string]bool, len(feeds))
	var gone []poll.Outcome
	for _, f := range feeds {
		keep[f.Name] = true
		if e := s.q.feeds[f.Name]; e != nil {
			s.change(e, f, now)
			continue
		}
		if o, ok := s.add(f, states, now); !ok {
			gone = append(gone, o)
		}
	}
	for name, e := range s.q.feeds {
		if !keep[name] {
			s.q.remove(e)
		}
	}
	return gone
}

// add schedules a new feed from its stored state: never polled or moved in
// the config, now; overdue, within a tenth of its interval, so that a
// restart after a long stop does not poll everything at once; else when
// the state says. A gone feed is not scheduled; add reports it instead.
func (s *Scheduler) add(f poll.Feed, states map[string]herald.FeedState, now time.Time) (poll.Outcome, bool) {
	e := &entry{feed: f, site: s.o.SiteOf(f.URL), index: -1}
	s.q.feeds[f.Name] = e
	st, known := states[f.Name]
	if !known || (st.ConfigURL != "" && st.ConfigURL != f.URL) {
		s.q.schedule(e, now)
		return poll.Outcome{}, true
	}
	e.state = st
	if isGone(st, f) {
		e.gone = true
		return poll.Outcome{Feed: f, State: st, Skipped: goneReason(st)}, false
	}
	due := st.NextPoll
	if !due.After(now) {
		due = now.Add(s.jitter(f.Interval / 10))
	}
	s.q.schedule(e, due)
	return poll.Outcome{}, true
}

// change applies a feed's new config. A new URL is polled at once; new
// intervals reschedule it from its last poll.
func (s *Scheduler) change(e *entry, f poll.Feed, now time.Time) {
	old := e.feed
	e.feed = f
	if site := s.o.SiteOf(f.URL); site != e.site {
		s.q.unqueue(e) // its ready list is the old site's
		e.site = site
		if e.running == "" && !e.gone {
			s.q.schedule(e, now)
		}
	}
	switch {
	case old.URL != f.URL:
		e.gone, e.state = false, herald.FeedState{}
		if e.running == "" {
			s.q.schedule(e, now)
		} else {
			e.repoll = true // the running poll is of the old URL
		}
	case e.running != "" || e.gone || e.ready || e.state.LastPoll.IsZero():
		// Its next time comes from a poll, running or about to.
	case old.Interval != f.Interval || old.MinInterval != f.MinInterval || old.MaxInterval != f.MaxInterval:
		s.q.schedule(e, latest(now, poll.NextPoll(e.state, f, e.state.LastPoll)))
	}
}

// step starts what is due at now and says when to look again.
func (s *Scheduler) step(now time.Time) (jobs []*entry, wakeAt time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	jobs = s.q.due(now)
	wakeAt, ok = s.q.wakeAt()
	return jobs, wakeAt, ok
}

// poll runs one poll and puts the feed back in the schedule.
func (s *Scheduler) poll(ctx context.Context, e *entry) {
	if ctx.Err() != nil {
		// Stopping: a poll dispatched as the context ended is not begun
		// (it would only fail as canceled); the feed stays due.
		s.mu.Lock()
		s.q.done(e, s.clock.Now(), false)
		s.mu.Unlock()
		return
	}
	var l *feedLease
	if s.o.Leases != nil {
		var next time.Time
		var ok bool
		if l, next, ok = s.lease(ctx, e); !ok {
			s.postpone(e, next)
			return
		}
		ctx = l.ctx
	}
	o := s.p.Poll(ctx, e.feed)
	if !o.Deferred.IsZero() {
		// Not polled: its site is another process's. Its slot goes to
		// another feed; this one waits for the site, or for that process
		// to poll it, as it holds the site.
		if l != nil {
			l.release()
		}
		s.postpone(e, o.Deferred)
		return
	}
	o, forgiven, next, gone := s.settle(e, o, s.clock.Now())
	if forgiven && s.o.SaveState != nil {
		if err := s.o.SaveState(ctx, o.State); err != nil {
			o.Err = fmt.Errorf("%w; and saving its state: %v", o.Err, err)
		}
	}
	if l != nil {
		// Before the feed is back in the schedule, where it could be
		// claimed again, and once its state is stored.
		l.release()
	}
	s.requeue(e, next, gone)
	s.poke()
	s.report(o)
}

// finish puts e back in the schedule after its poll gave o (settle, then
// requeue).
func (s *Scheduler) finish(e *entry, o poll.Outcome, now time.Time) (poll.Outcome, bool) {
	o, forgiven, next, gone := s.settle(e, o, now)
	s.requeue(e, next, gone)
	return o, forgiven
}

// settle takes in e's poll outcome o and says when e is next due, and
// whether it is gone. A poll that stored no usable next time (its state
// could not be read) waits min_interval rather than spin, and so does one
// whose outcome could not be stored. When the machine is offline (see machine),
// a failure at the network level is forgiven (poll.Forgive): settle returns
// the outcome with the state to store instead, and true.
func (s *Scheduler) settle(e *entry, o poll.Outcome, now time.Time) (_ poll.Outcome, forgiven bool, next time.Time, gone bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	retry, forgiven := s.machine.record(e.site, o, now)
	if forgiven && !e.repoll {
		o.State = poll.Forgive(o.State, retry)
	}
	if o.State.Name != "" && !e.repoll {
		e.state = o.State
	}
	next = o.State.NextPoll
	floor := now.Add(max(e.feed.MinInterval, time.Second))
	if next.Before(floor) && o.Err != nil && !forgiven {
		next = floor
	}
	if o.Err != nil && o.State.Outcome != herald.OutcomeFailed && o.State.Outcome != herald.OutcomeGone && next.After(floor) {
		// The feed was read but its outcome could not be stored (the
		// archive failed: a database restarting): what it gave is not
		// archived, so it is due again soon, not at its usual next poll.
		next = floor
	}
	next = latest(next, now)
	gone = o.Skipped != "" || o.State.Outcome == herald.OutcomeGone
	if e.repoll {
		forgiven = false
	}
	return o, forgiven, next, gone
}

// requeue ends e's poll and schedules it at next; a URL changed while it
// ran is polled again at once.
func (s *Scheduler) requeue(e *entry, next time.Time, gone bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.repoll {
		next, gone, e.repoll = s.clock.Now(), false, false
	}
	s.q.done(e, next, gone)
}

func (s *Scheduler) report(o poll.Outcome) {
	if s.o.OnOutcome != nil {
		s.o.OnOutcome(o)
	}
}

// poke wakes Run without blocking; one pending wake-up is enough.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Scheduler) sleep(ctx context.Context, at time.Time, timed bool) {
	var fire <-chan time.Time
	if timed {
		d := at.Sub(s.clock.Now())
		if d <= 0 {
			return
		}
		c, stop := s.clock.Timer(d)
		defer stop()
		fire = c
	}
	select {
	case <-ctx.Done():
	case <-s.wake:
	case <-fire:
	}
}

// jitter returns a random duration in [0, d).
func (s *Scheduler) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	if s.o.Rand != nil {
		return time.Duration(s.o.Rand.Int64N(int64(d)))
	}
	return time.Duration(rand.Int64N(int64(d)))
}

func isGone(st herald.FeedState, f poll.Feed) bool {
	return st.Outcome == herald.OutcomeGone && (st.ConfigURL == "" || st.ConfigURL == f.URL)
}

func goneReason(st herald.FeedState) string {
	return "gone (HTTP 410) since " + st.LastPoll.Format(time.DateOnly) + "; remove it from the config"
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return fetch.Site(u.Host)
}
