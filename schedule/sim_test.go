package schedule

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"herald"
	"herald/poll"
)

// The simulation drives the scheduler's own steps (step and finish, what Run
// calls) through simulated days over hundreds of feeds on a few sites, with a
// fake publisher behind each feed, and records every poll.

var simStart = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC) // a Monday

const (
	simMin      = 5 * time.Minute
	simMax      = 24 * time.Hour
	simInterval = 30 * time.Minute
	simSiteCap  = 2
	simGlobal   = 10
)

// A publisher's behaviour, by kind of feed.
const (
	kindHourly  = "hourly"  // publishes hourly
	kindDaily   = "daily"   // publishes daily
	kindTTL     = "ttl"     // publishes often but asks for ttl 3h
	kindSkip    = "skip"    // asks to skip 00-05 GMT and Sundays
	kindRetry   = "retry"   // every third poll: 429 with Retry-After 2h
	kindFlaky   = "flaky"   // times out from day 1 to day 2, then recovers
	kindGone    = "gone"    // answers 410 from day 2 on
	kindUnknown = "unknown" // entries carry no dates: interval from config
	kindSlow    = "slow"    // on the slow site: each poll takes 10 minutes
	kindNoDNS   = "no-dns"  // its host name does not resolve
)

type simPoll struct {
	start, end time.Time
	ok         bool
	state      herald.FeedState // after the poll
}

type simWorld struct {
	rng    *rand.Rand
	kinds  map[string]string
	states map[string]herald.FeedState
	polls  map[string][]simPoll
	count  map[string]int
	// in flight, checked against the limits at every start
	inflight  map[string]int
	global    int
	maxSite   map[string]int
	maxGlobal int
	reported  []poll.Outcome
	offline   func(now time.Time) bool // nil: never; else when no name resolves
}

func (w *simWorld) site(url string) string {
	var host string
	fmt.Sscanf(url, "https://%s", &host)
	for i, c := range host {
		if c == '/' {
			return host[:i]
		}
	}
	return host
}

// poll simulates one poll started at now the way poll.Poller keeps state,
// with poll.NextPoll and a jitter of at most a tenth, and says how long it
// takes.
func (w *simWorld) poll(f poll.Feed, now time.Time) (poll.Outcome, time.Duration) {
	kind := w.kinds[f.Name]
	w.count[f.Name]++
	n := w.count[f.Name]
	st := w.states[f.Name]
	st.Name, st.URL, st.ConfigURL, st.LastPoll = f.Name, f.URL, f.URL, now
	st.Hints.RetryAfter = time.Time{}
	took := time.Duration(1+w.rng.IntN(5)) * time.Second
	day := now.Sub(simStart) / (24 * time.Hour)
	var err error
	switch {
	case kind == kindNoDNS || w.offline != nil && w.offline(now):
		err, st.ErrorKind, took = fmt.Errorf("lookup: no such host"), "dns", 50*time.Millisecond
	case kind == kindSlow:
		took = 10 * time.Minute
	case kind == kindFlaky && day == 1:
		err, st.ErrorKind, took = fmt.Errorf("timeout"), "timeout", 30*time.Second
	case kind == kindRetry && n%3 == 0:
		err, st.ErrorKind = fmt.Errorf("429"), "http-4xx"
		st.Hints.RetryAfter = now.Add(2 * time.Hour)
	case kind == kindGone && day >= 2:
		err, st.ErrorKind = fmt.Errorf("410"), "gone"
	}
	if err != nil {
		st.Outcome = herald.OutcomeFailed
		if kind == kindGone {
			st.Outcome = herald.OutcomeGone
		}
		st.ErrorCount++
	} else {
		st.Outcome, st.ErrorCount, st.ErrorKind = herald.OutcomeOK, 0, ""
		st.LastSuccess = now
		st.PublishGap = map[string]time.Duration{
			kindHourly: time.Hour, kindDaily: 24 * time.Hour, kindTTL: 10 * time.Minute,
			kindSkip: time.Hour, kindRetry: time.Hour, kindFlaky: time.Hour, kindGone: time.Hour,
			kindSlow: time.Hour,
		}[kind]
		switch kind {
		case kindTTL:
			st.Hints.TTL = 3 * time.Hour
		case kindSkip:
			st.Hints.SkipHours = []int{0, 1, 2, 3, 4, 5}
			st.Hints.SkipDays = []time.Weekday{time.Sunday}
		}
	}
	next := poll.NextPoll(st, f, now)
	st.NextPoll = next.Add(time.Duration(w.rng.Int64N(int64(next.Sub(now)/10) + 1)))
	if len(st.Hints.SkipHours) > 0 && slices.Contains(st.Hints.SkipHours, st.NextPoll.UTC().Hour()) {
		st.NextPoll = next // the real poller skips again after its jitter
	}
	w.states[f.Name] = st
	w.polls[f.Name] = append(w.polls[f.Name], simPoll{start: now, end: now.Add(took), ok: err == nil, state: st})
	return poll.Outcome{Feed: f, State: st, Err: err}, took
}

type completion struct {
	at time.Time
	e  *entry
	o  poll.Outcome
}

type completions []completion

func (c completions) Len() int           { return len(c) }
func (c completions) Less(i, j int) bool { return c[i].at.Before(c[j].at) }
func (c completions) Swap(i, j int)      { c[i], c[j] = c[j], c[i] }
func (c *completions) Push(x any)        { *c = append(*c, x.(completion)) }
func (c *completions) Pop() any {
	old := *c
	x := old[len(old)-1]
	*c = old[:len(old)-1]
	return x
}

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }
func (c *fixedClock) Timer(time.Duration) (<-chan time.Time, func() bool) {
	return nil, func() bool { return false }
}

// run advances simulated time to until, starting polls as the scheduler
// says and finishing them after their simulated duration.
func (w *simWorld) run(t *testing.T, s *Scheduler, clock *fixedClock, pending *completions, until time.Time) {
	t.Helper()
	for {
		now := clock.t
		for _, o := range s.reload(nil) {
			w.reported = append(w.reported, o)
		}
		jobs, wakeAt, timed := s.step(now)
		for _, e := range jobs {
			site := w.site(e.feed.URL)
			w.inflight[site]++
			w.global++
			w.maxSite[site] = max(w.maxSite[site], w.inflight[site])
			w.maxGlobal = max(w.maxGlobal, w.global)
			o, took := w.poll(e.feed, now)
			heap.Push(pending, completion{at: now.Add(took), e: e, o: o})
		}
		next := until
		if timed && wakeAt.Before(next) {
			next = wakeAt
		}
		if pending.Len() > 0 && (*pending)[0].at.Before(next) {
			next = (*pending)[0].at
		}
		if !next.After(now) {
			return // at until, with nothing due before it
		}
		clock.t = next
		for pending.Len() > 0 && !(*pending)[0].at.After(clock.t) {
			c := heap.Pop(pending).(completion)
			w.inflight[w.site(c.e.feed.URL)]--
			w.global--
			if o, forgiven := s.finish(c.e, c.o, c.at); forgiven {
				w.states[c.e.feed.Name] = o.State // as Options.SaveState stores it
			}
			if c.o.State.Outcome == herald.OutcomeGone {
				w.reported = append(w.reported, c.o)
			}
		}
	}
}

func simFeed(name, site string) poll.Feed {
	return poll.Feed{
		Name: name, URL: "https://" + site + "/" + name,
		Interval: simInterval, MinInterval: simMin, MaxInterval: simMax,
	}
}

func TestSimulation(t *testing.T) {
	w := &simWorld{
		rng: rand.New(rand.NewPCG(1, 2)), kinds: map[string]string{}, states: map[string]herald.FeedState{},
		polls: map[string][]simPoll{}, count: map[string]int{}, inflight: map[string]int{}, maxSite: map[string]int{},
	}
	kinds := []string{kindHourly, kindDaily, kindTTL, kindSkip, kindRetry, kindFlaky, kindUnknown}
	sites := []string{"a.example", "b.example", "c.example", "d.example", "e.example", "f.example"}
	var feeds []poll.Feed
	var stored []herald.FeedState
	for i := range 350 {
		kind := kinds[i%len(kinds)]
		f := simFeed(fmt.Sprintf("%s-%03d", kind, i), sites[i%len(sites)])
		w.kinds[f.Name] = kind
		feeds = append(feeds, f)
		// A third never polled, a third overdue, a third due later.
		switch i % 3 {
		case 1:
			stored = append(stored, herald.FeedState{Name: f.Name, URL: f.URL, ConfigURL: f.URL, Outcome: herald.OutcomeOK,
				LastPoll: simStart.Add(-3 * time.Hour), NextPoll: simStart.Add(-2 * time.Hour)})
		case 2:
			stored = append(stored, herald.FeedState{Name: f.Name, URL: f.URL, ConfigURL: f.URL, Outcome: herald.OutcomeOK,
				LastPoll: simStart.Add(-10 * time.Minute), NextPoll: simStart.Add(20 * time.Minute)})
		}
	}
	for i := range 10 {
		f := simFeed(fmt.Sprintf("slow-%02d", i), "slow.example")
		w.kinds[f.Name] = kindSlow
		feeds = append(feeds, f)
	}
	gone := simFeed("gone-1", "a.example")
	w.kinds[gone.Name] = kindGone
	feeds = append(feeds, gone)
	// A feed found gone by an earlier run: reported at start, never polled.
	oldGone := simFeed("gone-before", "b.example")
	feeds = append(feeds, oldGone)
	stored = append(stored, herald.FeedState{Name: oldGone.Name, URL: oldGone.URL, ConfigURL: oldGone.URL,
		Outcome: herald.OutcomeGone, LastPoll: simStart.Add(-48 * time.Hour)})
	for _, st := range stored {
		w.states[st.Name] = st
	}

	clock := &fixedClock{t: simStart}
	s := New(nil, Options{
		States:          func() ([]herald.FeedState, error) { return stored, nil },
		SiteConcurrency: func(string) int { return simSiteCap },
		Concurrency:     simGlobal,
		Clock:           clock,
		Rand:            rand.New(rand.NewPCG(3, 4)),
	})
	s.SetFeeds(feeds)
	states, err := s.states(true)
	if err != nil {
		t.Fatal(err)
	}
	w.reported = append(w.reported, s.reload(states)...)
	var pending completions
	w.run(t, s, clock, &pending, simStart.Add(3*24*time.Hour))

	// Day 3: a config reload removes a feed, adds one and moves one.
	removed, moved := feeds[0].Name, feeds[7]
	added := simFeed("added", "c.example")
	w.kinds[added.Name] = kindHourly
	moved.URL += "-new"
	reload := slices.Clone(feeds[1:])
	reload[6] = moved
	reload = append(reload, added)
	s.SetFeeds(reload)
	reloadAt := clock.t
	w.run(t, s, clock, &pending, simStart.Add(5*24*time.Hour))
	end := clock.t

	t.Run("limits", func(t *testing.T) {
		for site, n := range w.maxSite {
			if n > simSiteCap {
				t.Errorf("site %s had %d polls in flight, limit %d", site, n, simSiteCap)
			}
		}
		if w.maxGlobal > simGlobal {
			t.Errorf("%d polls in flight, global limit %d", w.maxGlobal, simGlobal)
		}
		if w.maxGlobal < simGlobal {
			t.Errorf("at most %d polls in flight: the global limit %d was never reached, the test proves little", w.maxGlobal, simGlobal)
		}
	})

	t.Run("start", func(t *testing.T) {
		byName := map[string]herald.FeedState{}
		for _, st := range stored {
			byName[st.Name] = st
		}
		for _, f := range feeds {
			ps := w.polls[f.Name]
			st, known := byName[f.Name]
			if w.kinds[f.Name] == kindSlow || f.Name == oldGone.Name {
				continue
			}
			if len(ps) == 0 {
				t.Fatalf("%s never polled", f.Name)
			}
			first := ps[0].start
			switch {
			case !known:
				if first.Sub(simStart) > 10*time.Minute {
					t.Errorf("%s, never polled before, first polled %v after start", f.Name, first.Sub(simStart))
				}
			case st.NextPoll.Before(simStart):
				// Overdue: spread within a tenth of the interval (plus the wait for a slot).
				if d := first.Sub(simStart); d > simInterval/10+5*time.Minute {
					t.Errorf("%s, overdue, first polled %v after start", f.Name, d)
				}
			default:
				if first.Before(st.NextPoll) {
					t.Errorf("%s polled at %v, before its stored next poll %v", f.Name, first, st.NextPoll)
				}
			}
		}
	})

	t.Run("adapts", func(t *testing.T) {
		mean := func(kind string) time.Duration {
			var sum time.Duration
			var n int
			for name, ps := range w.polls {
				if w.kinds[name] != kind || name == added.Name {
					continue
				}
				for i := 1; i < len(ps); i++ {
					if ps[i-1].ok {
						sum += ps[i].start.Sub(ps[i-1].start)
						n++
					}
				}
			}
			if n == 0 {
				t.Fatalf("no %s polls", kind)
			}
			return sum / time.Duration(n)
		}
		hourly, daily, unknown := mean(kindHourly), mean(kindDaily), mean(kindUnknown)
		t.Logf("mean interval: hourly publisher %v, daily publisher %v, undated %v", hourly, daily, unknown)
		if hourly < 30*time.Minute || hourly > 40*time.Minute {
			t.Errorf("hourly publisher polled every %v on average, want about 30m (half its gap)", hourly)
		}
		if daily < 12*time.Hour || daily > 14*time.Hour {
			t.Errorf("daily publisher polled every %v on average, want about 12h", daily)
		}
		if unknown < simInterval || unknown > simInterval*12/10 {
			t.Errorf("feed without dates polled every %v, want about the configured %v", unknown, simInterval)
		}
		for name, ps := range w.polls {
			for i := 1; i < len(ps); i++ {
				gap := ps[i].start.Sub(ps[i-1].start)
				if gap < simMin && name != moved.Name {
					t.Fatalf("%s polled %v after its last poll, under min_interval %v", name, gap, simMin)
				}
				if ps[i-1].ok && w.kinds[name] != kindSkip && gap > simMax*11/10 {
					t.Fatalf("%s polled %v after its last poll, over max_interval", name, gap)
				}
			}
		}
	})

	t.Run("hints", func(t *testing.T) {
		checked := map[string]int{}
		for name, ps := range w.polls {
			for i, p := range ps {
				if w.kinds[name] == kindSkip && i > 0 {
					if h := p.start.UTC().Hour(); h <= 5 || p.start.UTC().Weekday() == time.Sunday {
						t.Fatalf("%s polled at %v, in its skipHours/skipDays", name, p.start)
					}
					checked["skip"]++
				}
				if i == 0 {
					continue
				}
				prev := ps[i-1].state
				if ttl := prev.Hints.TTL; ttl > 0 && p.start.Sub(prev.LastPoll) < ttl {
					t.Fatalf("%s polled %v after the last poll, under its ttl %v", name, p.start.Sub(prev.LastPoll), ttl)
				} else if ttl > 0 {
					checked["ttl"]++
				}
				if ra := prev.Hints.RetryAfter; !ra.IsZero() {
					if p.start.Before(ra) {
						t.Fatalf("%s polled at %v, before its Retry-After %v", name, p.start, ra)
					}
					checked["retry-after"]++
				}
			}
		}
		for _, k := range []string{"skip", "ttl", "retry-after"} {
			if checked[k] < 20 {
				t.Errorf("only %d polls checked for %s", checked[k], k)
			}
		}
	})

	t.Run("backoff", func(t *testing.T) {
		for name, ps := range w.polls {
			if w.kinds[name] != kindFlaky {
				continue
			}
			var gaps []time.Duration
			recovered := false
			for i := 1; i < len(ps); i++ {
				gap := ps[i].start.Sub(ps[i-1].start)
				if !ps[i-1].ok {
					gaps = append(gaps, gap)
					continue
				}
				if ps[i-1].start.Sub(simStart) > 2*24*time.Hour+2*time.Hour && gap < 2*time.Hour {
					recovered = true
				}
			}
			if len(gaps) < 4 {
				t.Fatalf("%s: only %d polls during its failures", name, len(gaps))
			}
			for i := 1; i < len(gaps); i++ {
				if gaps[i] < gaps[i-1]*15/10 && gaps[i-1] < simMax*9/10 {
					t.Fatalf("%s: backoff did not grow: %v", name, gaps)
				}
			}
			if !recovered {
				t.Errorf("%s: intervals did not come back after the failures ended: %v", name, ps)
			}
		}
	})

	t.Run("gone", func(t *testing.T) {
		ps := w.polls[gone.Name]
		for i, p := range ps {
			if p.state.Outcome == herald.OutcomeGone && i != len(ps)-1 {
				t.Fatalf("%s polled again after 410", gone.Name)
			}
		}
		if ps[len(ps)-1].state.Outcome != herald.OutcomeGone {
			t.Fatalf("%s: last poll was not the 410", gone.Name)
		}
		if len(w.polls[oldGone.Name]) != 0 {
			t.Errorf("%s, gone before the start, was polled", oldGone.Name)
		}
		reports := map[string]int{}
		for _, o := range w.reported {
			reports[o.Feed.Name]++
		}
		if reports[gone.Name] != 1 || reports[oldGone.Name] != 1 || len(reports) != 2 {
			t.Errorf("gone reports: %v; want each gone feed once", reports)
		}
	})

	t.Run("reload", func(t *testing.T) {
		for _, p := range w.polls[removed] {
			if p.start.After(reloadAt) {
				t.Fatalf("removed feed %s polled at %v, after the reload", removed, p.start)
			}
		}
		ps := w.polls[added.Name]
		if len(ps) < 10 || ps[0].start.Sub(reloadAt) > 5*time.Minute {
			t.Errorf("added feed: %d polls, the first %v after the reload", len(ps), ps[0].start.Sub(reloadAt))
		}
		var movedAt time.Time
		for _, p := range w.polls[moved.Name] {
			if p.state.URL == moved.URL {
				movedAt = p.start
				break
			}
		}
		if movedAt.IsZero() || movedAt.Sub(reloadAt) > 5*time.Minute {
			t.Errorf("feed with a new URL: first polled there at %v, reload at %v", movedAt, reloadAt)
		}
	})

	t.Run("slow site starves no one", func(t *testing.T) {
		// The slow site has a backlog all along (10 feeds, polls of 10
		// minutes, 2 at a time); the others must still start on time.
		var late int
		for name, ps := range w.polls {
			if w.kinds[name] == kindSlow {
				continue
			}
			for i := 1; i < len(ps); i++ {
				if lag := ps[i].start.Sub(ps[i-1].state.NextPoll); lag > 2*time.Minute {
					late++
				}
			}
		}
		if late > 0 {
			t.Errorf("%d polls started over 2 minutes late", late)
		}
		if n := len(w.polls["slow-00"]); n < 10 {
			t.Errorf("slow site feed polled %d times", n)
		}
	})
	t.Logf("simulated %v: %d feeds, max in flight %d, per site %v", end.Sub(simStart), len(feeds), w.maxGlobal, w.maxSite)
}

// An offline machine is not many broken feeds: eight hours without a
// network, then back. Once feeds of two sites fail at the network level the
// scheduler takes it for the machine: the failures do not count against the
// feeds, which are retried every few minutes, so that all of them are
// polled again within minutes of the network's return. Meanwhile a feed
// whose own name does not resolve, while the others answer, is counted and
// backs off in minutes at first.
func TestSimulationOffline(t *testing.T) {
	down, up := simStart.Add(8*time.Hour), simStart.Add(16*time.Hour)
	w := &simWorld{
		rng: rand.New(rand.NewPCG(5, 6)), kinds: map[string]string{}, states: map[string]herald.FeedState{},
		polls: map[string][]simPoll{}, count: map[string]int{}, inflight: map[string]int{}, maxSite: map[string]int{},
		offline: func(now time.Time) bool { return !now.Before(down) && now.Before(up) },
	}
	var feeds []poll.Feed
	for i := range 14 {
		f := simFeed(fmt.Sprintf("feed-%02d", i), fmt.Sprintf("s%d.example", i%7))
		if i%2 == 1 {
			f.Interval = 6 * time.Hour // a rare feed: once, one failure moved it 12.5 hours out
		}
		w.kinds[f.Name] = kindHourly
		feeds = append(feeds, f)
	}
	broken := simFeed("broken", "broken.example")
	w.kinds[broken.Name] = kindNoDNS
	clock := &fixedClock{t: simStart}
	s := New(nil, Options{SiteConcurrency: func(string) int { return simSiteCap }, Concurrency: simGlobal, Clock: clock, Rand: rand.New(rand.NewPCG(7, 8))})
	s.SetFeeds(append(slices.Clone(feeds), broken))
	var pending completions
	w.run(t, s, clock, &pending, simStart.Add(24*time.Hour))

	for _, f := range feeds {
		var last time.Time
		back := false
		for _, p := range w.polls[f.Name] {
			if !last.Before(down.Add(30*time.Minute)) && p.start.Before(up) && p.start.Sub(last) > 10*time.Minute+time.Minute {
				t.Errorf("%s: offline, polled at %v after %v: want a retry every few minutes", f.Name, p.start.Sub(simStart), p.start.Sub(last))
			}
			// The failure that reveals the outage counts once; no more.
			if !p.start.Before(down) && p.start.Before(up) && p.state.ErrorCount > 2 {
				t.Errorf("%s: offline failures counted: error count %d", f.Name, p.state.ErrorCount)
			}
			if p.ok && !p.start.Before(up) && !back {
				back = true
				if d := p.start.Sub(up); d > offlineCap+time.Minute {
					t.Errorf("%s: first poll %v after the network returned, want within %v", f.Name, d, offlineCap+time.Minute)
				}
			}
			last = p.start
		}
		if !back {
			t.Errorf("%s: never polled after the network returned", f.Name)
		}
	}

	// The feed whose own name does not resolve, outside the outage: counted,
	// retried in minutes at first, then less and less often.
	var gaps []time.Duration
	var counts []int
	ps := w.polls[broken.Name]
	for i := 1; i < len(ps) && ps[i].start.Before(down); i++ {
		gaps = append(gaps, ps[i].start.Sub(ps[i-1].start))
		counts = append(counts, ps[i].state.ErrorCount)
	}
	if len(gaps) < 4 || gaps[0] > 15*time.Minute || !slices.IsSorted(counts) || counts[len(counts)-1] < 4 || gaps[len(gaps)-1] < 2*gaps[0] {
		t.Errorf("a broken feed's retries before the outage: gaps %v, error counts %v; want minutes first, counted, growing", gaps, counts)
	}
}
