package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/poll"
)

// manualClock is a fake clock for Run: time moves only with Advance.
type manualClock struct {
	mu     sync.Mutex
	t      time.Time
	timers map[*manualTimer]bool
}

type manualTimer struct {
	at time.Time
	c  chan time.Time
}

func newManualClock(t time.Time) *manualClock {
	return &manualClock{t: t, timers: map[*manualTimer]bool{}}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	mt := &manualTimer{at: c.t.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		mt.c <- c.t
		return mt.c, func() bool { return false }
	}
	c.timers[mt] = true
	return mt.c, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := c.timers[mt]
		delete(c.timers, mt)
		return was
	}
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	for mt := range c.timers {
		if !mt.at.After(c.t) {
			mt.c <- c.t
			delete(c.timers, mt)
		}
	}
}

// gatedPoller blocks each poll until the test releases it, and checks the
// limits as polls start.
type gatedPoller struct {
	clock   *manualClock
	release chan struct{}
	started chan string

	mu                 sync.Mutex
	site               map[string]int
	global             int
	maxSite, maxGlobal int
	polls              map[string]int
	canceled           int
}

func (p *gatedPoller) Poll(ctx context.Context, f poll.Feed) poll.Outcome {
	site := siteOf(f.URL)
	now := p.clock.Now()
	p.mu.Lock()
	p.site[site]++
	p.global++
	p.maxSite = max(p.maxSite, p.site[site])
	p.maxGlobal = max(p.maxGlobal, p.global)
	p.polls[f.Name]++
	p.mu.Unlock()
	p.started <- f.Name

	var err error
	select {
	case <-p.release:
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.mu.Lock()
	p.site[site]--
	p.global--
	if err != nil {
		p.canceled++
	}
	p.mu.Unlock()
	st := herald.FeedState{Name: f.Name, URL: f.URL, LastPoll: now, Outcome: herald.OutcomeOK, NextPoll: now.Add(time.Hour)}
	return poll.Outcome{Feed: f, State: st, Err: err}
}

func (p *gatedPoller) count(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polls[name]
}

func TestRun(t *testing.T) {
	clock := newManualClock(simStart)
	p := &gatedPoller{clock: clock, release: make(chan struct{}), started: make(chan string, 100),
		site: map[string]int{}, polls: map[string]int{}}
	var feeds []poll.Feed
	for i := range 12 {
		feeds = append(feeds, simFeed(fmt.Sprintf("f%02d", i), fmt.Sprintf("s%d.example", i%3)))
	}
	var mu sync.Mutex
	var outcomes int
	s := New(p, Options{
		SiteConcurrency: func(string) int { return 2 },
		Concurrency:     4,
		Clock:           clock,
		OnOutcome:       func(poll.Outcome) { mu.Lock(); outcomes++; mu.Unlock() },
	})
	s.SetFeeds(feeds)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	// Round one: all 12 were never polled, so all are due; 4 run at a time.
	waitStarted(t, p, 4)
	if d := s.QueueDepth(); d != 8 {
		t.Errorf("QueueDepth = %d with 4 of 12 due feeds running, want 8", d)
	}
	clock.Advance(time.Minute)
	if lag := s.Lag(); lag != time.Minute {
		t.Errorf("Lag = %v, want 1m (the waiting feeds were due a minute ago)", lag)
	}
	finishRound(p, 4, 8)
	for _, f := range feeds {
		if n := p.count(f.Name); n != 1 {
			t.Fatalf("%s polled %d times in round one", f.Name, n)
		}
	}

	// Nothing is due for an hour; then all are again.
	clock.Advance(30 * time.Minute)
	expectIdle(t, p)
	clock.Advance(31 * time.Minute)
	waitStarted(t, p, 4)
	finishRound(p, 4, 8)

	// A reload adds a feed: it is polled at once, without the clock moving.
	added := simFeed("added", "s9.example")
	s.SetFeeds(append(feeds[1:], added))
	if name := waitStarted(t, p, 1); name[0] != added.Name {
		t.Fatalf("after the reload %s was polled, want %s", name[0], added.Name)
	}
	p.release <- struct{}{}

	// Another round: the removed feed is not polled; leave 4 in flight and stop.
	clock.Advance(2 * time.Hour)
	waitStarted(t, p, 4)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if p.canceled != 4 {
		t.Errorf("%d in-flight polls saw the cancel, want 4", p.canceled)
	}
	if p.maxSite > 2 || p.maxGlobal > 4 {
		t.Errorf("in flight: %d per site, %d in all; limits 2 and 4", p.maxSite, p.maxGlobal)
	}
	if n := p.count(feeds[0].Name); n != 2 {
		t.Errorf("removed feed polled %d times, want 2 (before the reload only)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if outcomes != 12+12+1+4 {
		t.Errorf("OnOutcome called %d times, want %d", outcomes, 12+12+1+4)
	}
}

func waitStarted(t *testing.T, p *gatedPoller, n int) []string {
	t.Helper()
	var names []string
	for range n {
		select {
		case name := <-p.started:
			names = append(names, name)
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d of %d polls started", len(names), n)
		}
	}
	return names
}

// finishRound releases polls one at a time until n more have started (a
// release frees a slot of some site, which may or may not let another
// start), then releases the rest. running is how many are in flight.
func finishRound(p *gatedPoller, running, n int) {
	for started := 0; started < n; {
		p.release <- struct{}{}
		running--
		for more := true; more; {
			select {
			case <-p.started:
				started++
				running++
			case <-time.After(20 * time.Millisecond):
				more = false
			}
		}
	}
	for ; running > 0; running-- {
		p.release <- struct{}{}
	}
}

func expectIdle(t *testing.T, p *gatedPoller) {
	t.Helper()
	select {
	case name := <-p.started:
		t.Fatalf("%s polled before it was due", name)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestRunStatesError(t *testing.T) {
	s := New(&gatedPoller{}, Options{States: func() ([]herald.FeedState, error) { return nil, errors.New("disk on fire") }})
	if err := s.Run(context.Background()); err == nil {
		t.Fatal("Run with unreadable states returned nil")
	}
}

func TestStartFromStates(t *testing.T) {
	now := simStart
	f := func(name string) poll.Feed { return simFeed(name, "a.example") }
	states := map[string]herald.FeedState{
		"later":   {Name: "later", URL: f("later").URL, ConfigURL: f("later").URL, NextPoll: now.Add(time.Hour), LastPoll: now.Add(-time.Hour)},
		"overdue": {Name: "overdue", URL: f("overdue").URL, ConfigURL: f("overdue").URL, NextPoll: now.Add(-time.Hour)},
		"moved":   {Name: "moved", URL: "https://a.example/old", ConfigURL: "https://a.example/old", NextPoll: now.Add(time.Hour)},
		"gone":    {Name: "gone", URL: f("gone").URL, ConfigURL: f("gone").URL, Outcome: herald.OutcomeGone},
	}
	s := New(nil, Options{Clock: &fixedClock{t: now}})
	reports := s.apply([]poll.Feed{f("new"), f("later"), f("overdue"), f("moved"), f("gone")}, states, now)
	want := map[string][2]time.Duration{ // due, from now: [earliest, latest]
		"new":     {0, 0},
		"moved":   {0, 0},
		"later":   {time.Hour, time.Hour},
		"overdue": {0, simInterval / 10},
	}
	for name, w := range want {
		e := s.q.feeds[name]
		if d := e.due.Sub(now); d < w[0] || d > w[1] {
			t.Errorf("%s due in %v, want in [%v, %v]", name, d, w[0], w[1])
		}
	}
	if e := s.q.feeds["gone"]; !e.gone || e.index >= 0 {
		t.Errorf("gone feed scheduled: %+v", e)
	}
	if len(reports) != 1 || reports[0].Feed.Name != "gone" || reports[0].Skipped == "" {
		t.Errorf("reports = %+v, want one for the gone feed", reports)
	}

	// A changed interval reschedules from the last poll; a changed URL is due now.
	later := f("later")
	later.Interval, later.MinInterval = 2*time.Hour, 2*time.Hour
	gone := f("gone")
	gone.URL += "-new"
	s.apply([]poll.Feed{later, gone}, nil, now)
	if d := s.q.feeds["later"].due.Sub(now); d != time.Hour {
		t.Errorf("later, interval 2h, last polled an hour ago: due in %v, want 1h", d)
	}
	if e := s.q.feeds["gone"]; e.gone || !e.due.Equal(now) {
		t.Errorf("gone feed with a new URL: %+v, want due now", e)
	}
	if len(s.q.feeds) != 2 || s.q.timers.Len() != 2 {
		t.Errorf("after the reload: %d feeds, %d timers; want 2 and 2", len(s.q.feeds), s.q.timers.Len())
	}
}

func TestSiteChangeWhileRunning(t *testing.T) {
	now := simStart
	s := New(nil, Options{Clock: &fixedClock{t: now}, SiteConcurrency: func(string) int { return 1 }})
	a := simFeed("a", "one.example")
	s.apply([]poll.Feed{a}, nil, now)
	jobs, _, _ := s.step(now)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
	moved := simFeed("a", "two.example")
	s.apply([]poll.Feed{moved}, nil, now)
	s.finish(jobs[0], poll.Outcome{Feed: a, State: herald.FeedState{Name: "a", NextPoll: now.Add(time.Hour)}}, now)
	if len(s.q.busy) != 0 || s.q.inflight != 0 {
		t.Fatalf("slots not freed: busy %v, inflight %d", s.q.busy, s.q.inflight)
	}
	if e := s.q.feeds["a"]; e.site != "two.example" || e.index < 0 || !e.due.Equal(now) {
		t.Errorf("after the move: %+v, want due now on two.example (the poll that ran was of the old URL)", e)
	}
}

func TestFinishWithoutState(t *testing.T) {
	// A poll that could not even read its state must not be retried at once.
	now := simStart
	s := New(nil, Options{Clock: &fixedClock{t: now}})
	f := simFeed("a", "one.example")
	s.apply([]poll.Feed{f}, nil, now)
	jobs, _, _ := s.step(now)
	s.finish(jobs[0], poll.Outcome{Feed: f, Err: errors.New("archive: read state")}, now)
	if d := s.q.feeds["a"].due.Sub(now); d != simMin {
		t.Errorf("due again in %v, want min_interval %v", d, simMin)
	}
}

func TestFinishArchiveFailed(t *testing.T) {
	// A feed read well whose articles could not be stored is due again at
	// min_interval, not at the next poll its (unstored) state planned.
	now := simStart
	s := New(nil, Options{Clock: &fixedClock{t: now}})
	f := simFeed("a", "one.example")
	s.apply([]poll.Feed{f}, nil, now)
	jobs, _, _ := s.step(now)
	st := herald.FeedState{Name: "a", Outcome: herald.OutcomeOK, LastPoll: now, NextPoll: now.Add(3 * time.Hour)}
	s.finish(jobs[0], poll.Outcome{Feed: f, State: st, Err: errors.New("archive a: connection refused")}, now)
	if d := s.q.feeds["a"].due.Sub(now); d != simMin {
		t.Errorf("due again in %v, want min_interval %v", d, simMin)
	}
	// A feed that failed keeps its backoff.
	jobs, _, _ = s.step(now.Add(simMin))
	st.Outcome, st.NextPoll = herald.OutcomeFailed, now.Add(3*time.Hour)
	s.finish(jobs[0], poll.Outcome{Feed: f, State: st, Err: errors.New("HTTP 500")}, now)
	if d := s.q.feeds["a"].due.Sub(now); d != 3*time.Hour {
		t.Errorf("failed feed due again in %v, want its backoff 3h", d)
	}
}
