package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/poll"
	"herald/schedule"
)

// leaseTable is an in-memory lease table shared by several processes,
// each of which sees it through a holder.
type leaseTable struct {
	mu     sync.Mutex
	leases map[string]lease
	down   map[string]bool // holders cut off from the store: their calls fail
}

type lease struct {
	holder string
	until  time.Time
}

var errStoreDown = errors.New("lease store unreachable")

func (lt *leaseTable) cut(holder string, down bool) {
	lt.mu.Lock()
	lt.down[holder] = down
	lt.mu.Unlock()
}

type holderView struct {
	t    *leaseTable
	name string
}

func (h holderView) Claim(ctx context.Context, name string, ttl time.Duration) (time.Time, bool, error) {
	h.t.mu.Lock()
	defer h.t.mu.Unlock()
	if h.t.down[h.name] || h.t.down["*"] {
		return time.Time{}, false, errStoreDown
	}
	now := time.Now()
	if l := h.t.leases[name]; l.holder != h.name && now.Before(l.until) {
		return l.until, false, nil
	}
	h.t.leases[name] = lease{h.name, now.Add(ttl)}
	return now.Add(ttl), true, nil
}

func (h holderView) Release(ctx context.Context, name string) error {
	h.t.mu.Lock()
	defer h.t.mu.Unlock()
	if h.t.down[h.name] || h.t.down["*"] {
		return errStoreDown
	}
	if h.t.leases[name].holder == h.name {
		delete(h.t.leases, name)
	}
	return nil
}

// shared is the archive the processes share: feed states and the polls
// that stored one, by feed.
type shared struct {
	mu     sync.Mutex
	states map[string]herald.FeedState
	polls  map[string][]string // feed: the processes that polled it
}

func (s *shared) State(name string) (herald.FeedState, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.states[name]
	return st, ok, nil
}

func (s *shared) States() ([]herald.FeedState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []herald.FeedState
	for _, st := range s.states {
		list = append(list, st)
	}
	return list, nil
}

func (s *shared) polled() (feeds int, twice []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, by := range s.polls {
		if len(by) > 1 {
			twice = append(twice, fmt.Sprintf("%s by %v", name, by))
		}
	}
	return len(s.polls), twice
}

// storingPoller polls like poll.Poller as far as the archive sees it: it
// stores the feed's new state before returning. A feed in hang never
// returns before its context ends, and stores nothing.
type storingPoller struct {
	name  string
	store *shared
	hang  map[string]bool
	began chan string
}

func (p *storingPoller) Poll(ctx context.Context, f poll.Feed) poll.Outcome {
	if p.hang[f.Name] {
		p.began <- f.Name
		<-ctx.Done()
		return poll.Outcome{Feed: f, Err: ctx.Err()}
	}
	now := time.Now()
	time.Sleep(time.Millisecond)
	st := herald.FeedState{Name: f.Name, URL: f.URL, ConfigURL: f.URL, LastPoll: now,
		Outcome: herald.OutcomeOK, NextPoll: now.Add(f.Interval)}
	p.store.mu.Lock()
	p.store.states[f.Name] = st
	p.store.polls[f.Name] = append(p.store.polls[f.Name], p.name)
	p.store.mu.Unlock()
	return poll.Outcome{Feed: f, State: st}
}

func leaseFeeds(n int) []poll.Feed {
	feeds := make([]poll.Feed, n)
	for i := range feeds {
		feeds[i] = poll.Feed{Name: fmt.Sprintf("feed%04d", i), URL: fmt.Sprintf("http://site%d.example/feed/%d", i%10, i),
			Interval: time.Hour, MinInterval: time.Minute, MaxInterval: 24 * time.Hour}
	}
	return feeds
}

type cluster struct {
	store   *shared
	leases  *leaseTable
	pollers []*storingPoller
	reports sync.Map // feed name: count of outcomes reported
	errs    chan error
}

func newCluster(n int) *cluster {
	c := &cluster{
		store:  &shared{states: map[string]herald.FeedState{}, polls: map[string][]string{}},
		leases: &leaseTable{leases: map[string]lease{}, down: map[string]bool{}},
		errs:   make(chan error, 1000),
	}
	for i := range n {
		c.pollers = append(c.pollers, &storingPoller{name: fmt.Sprintf("worker%d", i), store: c.store,
			hang: map[string]bool{}, began: make(chan string, 100)})
	}
	return c
}

// start runs every process's scheduler on feeds until ctx ends; the
// returned function waits for them to stop.
func (c *cluster) start(ctx context.Context, pollers []*storingPoller, feeds []poll.Feed, ttl time.Duration) func() {
	var wg sync.WaitGroup
	for _, p := range pollers {
		s := schedule.New(p, schedule.Options{
			States:   c.store.States,
			State:    c.store.State,
			Leases:   holderView{c.leases, p.name},
			LeaseTTL: ttl,
			OnOutcome: func(o poll.Outcome) {
				n, _ := c.reports.LoadOrStore(o.Feed.Name, new(int))
				c.store.mu.Lock()
				*n.(*int)++
				c.store.mu.Unlock()
			},
			OnLeaseError: func(err error) {
				select {
				case c.errs <- err:
				default:
				}
			},
		})
		s.SetFeeds(feeds)
		wg.Go(func() { s.Run(ctx) })
	}
	return wg.Wait
}

func (c *cluster) waitPolled(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, _ := c.store.polled()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d feeds polled after %v", got, n, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Three processes find the same feeds due at once: each feed is polled
// once, and only its poll is reported.
func TestLeasesPollEachFeedOnce(t *testing.T) {
	const n, ttl = 300, 200 * time.Millisecond
	c := newCluster(3)
	ctx, cancel := context.WithCancel(context.Background())
	wait := c.start(ctx, c.pollers, leaseFeeds(n), ttl)
	c.waitPolled(t, n, 30*time.Second)
	time.Sleep(3 * ttl) // refused claims come back when the leases would expire
	cancel()
	wait()

	if _, twice := c.store.polled(); len(twice) > 0 {
		t.Errorf("%d feeds polled twice: %v", len(twice), twice[:min(5, len(twice))])
	}
	by := map[string]int{}
	for _, p := range c.store.polls {
		by[p[0]]++
	}
	if len(by) != 3 {
		t.Errorf("polls by process %v, want all three to share the work", by)
	}
	c.reports.Range(func(k, v any) bool {
		if *v.(*int) != 1 {
			t.Errorf("%s reported %d times, want once (its poll)", k, *v.(*int))
		}
		return true
	})
}

// A process that dies mid-poll stores nothing and renews nothing: another
// polls its feed once the lease expires, and no feed is polled twice.
func TestLeasesDeadProcessFeedPolledAfterExpiry(t *testing.T) {
	const n, ttl = 60, 300 * time.Millisecond
	c := newCluster(2)
	c.pollers[0].hang["feed0000"] = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first process alone takes feed0000, then "dies".
	wait0 := c.start(ctx, c.pollers[:1], leaseFeeds(1), ttl)
	<-c.pollers[0].began
	c.leases.cut("worker0", true)
	start := time.Now()

	ctx2, cancel2 := context.WithCancel(context.Background())
	wait := c.start(ctx2, c.pollers[1:], leaseFeeds(n), ttl)
	c.waitPolled(t, n, 30*time.Second)
	cancel2()
	wait()
	cancel()
	wait0()

	c.store.mu.Lock()
	by, at := c.store.polls["feed0000"], c.store.states["feed0000"].LastPoll
	c.store.mu.Unlock()
	if len(by) != 1 || by[0] != "worker1" {
		t.Errorf("feed0000 polled by %v, want worker1 once", by)
	}
	if d := at.Sub(start); d < ttl/2 {
		t.Errorf("feed0000 polled %v after its holder died, before its lease (%v) expired", d, ttl)
	}
	if _, twice := c.store.polled(); len(twice) > 0 {
		t.Errorf("polled twice: %v", twice)
	}
}

// While the lease store is down nothing is polled; the processes wait it
// out and then poll every feed once.
func TestLeasesStoreOutageWaitedOut(t *testing.T) {
	const n, ttl = 40, 200 * time.Millisecond
	c := newCluster(2)
	c.leases.cut("*", true)
	ctx, cancel := context.WithCancel(context.Background())
	wait := c.start(ctx, c.pollers, leaseFeeds(n), ttl)
	time.Sleep(300 * time.Millisecond)
	if got, _ := c.store.polled(); got != 0 {
		t.Fatalf("%d feeds polled without a lease", got)
	}
	if len(c.errs) == 0 {
		t.Error("the lease store's failures were not reported")
	}
	c.leases.cut("*", false)
	c.waitPolled(t, n, 30*time.Second)
	cancel()
	wait()
	if _, twice := c.store.polled(); len(twice) > 0 {
		t.Errorf("polled twice: %v", twice)
	}
}

// deferringPoller defers each feed's first poll for a while (its site is
// another process's), then polls as storingPoller does.
type deferringPoller struct {
	storingPoller
	mu       sync.Mutex
	deferred map[string]time.Time // feed: until when its first poll put it off
}

func (p *deferringPoller) Poll(ctx context.Context, f poll.Feed) poll.Outcome {
	p.mu.Lock()
	_, seen := p.deferred[f.Name]
	if !seen {
		until := time.Now().Add(300 * time.Millisecond)
		p.deferred[f.Name] = until
		p.mu.Unlock()
		return poll.Outcome{Feed: f, Deferred: until}
	}
	p.mu.Unlock()
	return p.storingPoller.Poll(ctx, f)
}

// A poll deferred because another process holds the feed's site is not an
// outcome: nothing is reported of it, its feed lease is released at once
// (another process may poll it), and it is polled again once the time it
// gave has come.
func TestDeferredPollIsPutOff(t *testing.T) {
	c := newCluster(1)
	p := &deferringPoller{storingPoller: *c.pollers[0], deferred: map[string]time.Time{}}
	feeds := leaseFeeds(20)
	polledAt := sync.Map{}
	s := schedule.New(p, schedule.Options{
		States: c.store.States, State: c.store.State,
		Leases: holderView{c.leases, "worker0"}, LeaseTTL: time.Minute,
		OnOutcome: func(o poll.Outcome) {
			if _, dup := polledAt.LoadOrStore(o.Feed.Name, time.Now()); dup {
				t.Errorf("%s reported twice", o.Feed.Name)
			}
		},
	})
	s.SetFeeds(feeds)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	c.waitPolled(t, len(feeds), 10*time.Second)
	// While a feed waits out its deferral, no one holds its lease.
	cancel()
	<-done
	for _, f := range feeds {
		at, ok := polledAt.Load(f.Name)
		p.mu.Lock()
		until := p.deferred[f.Name]
		p.mu.Unlock()
		if !ok || at.(time.Time).Before(until) {
			t.Errorf("%s reported at %v, want after its deferral ended at %v", f.Name, at, until)
		}
	}
	c.leases.mu.Lock()
	defer c.leases.mu.Unlock()
	for name, l := range c.leases.leases {
		if time.Now().Before(l.until) {
			t.Errorf("feed %s's lease still held after its poll", name)
		}
	}
}
