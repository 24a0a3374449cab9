package fetch_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/fetch"
)

// leaseTable is an in-memory lease table shared by several "processes",
// each of which sees it through a holder.
type leaseTable struct {
	mu     sync.Mutex
	leases map[string]lease
	down   map[string]bool // holders whose calls fail, as if cut off from the store
}

type lease struct {
	holder string
	until  time.Time
}

func newLeaseTable() *leaseTable {
	return &leaseTable{leases: map[string]lease{}, down: map[string]bool{}}
}

func (lt *leaseTable) cut(holder string, down bool) {
	lt.mu.Lock()
	lt.down[holder] = down
	lt.mu.Unlock()
}

func (lt *leaseTable) holder(name string) string {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if l := lt.leases[name]; time.Now().Before(l.until) {
		return l.holder
	}
	return ""
}

// holderView is one process's view of a leaseTable.
type holderView struct {
	t    *leaseTable
	name string
}

var errStoreDown = errors.New("lease store unreachable")

func (h holderView) Claim(ctx context.Context, name string, ttl time.Duration) (time.Time, bool, error) {
	h.t.mu.Lock()
	defer h.t.mu.Unlock()
	if h.t.down[h.name] {
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
	if h.t.down[h.name] {
		return errStoreDown
	}
	if h.t.leases[name].holder == h.name {
		delete(h.t.leases, name)
	}
	return nil
}

// siteLog records, on the server's side, every request's start and end.
type siteLog struct {
	mu       sync.Mutex
	inflight int
	most     int
	reqs     []request
	byUA     map[string]int
	hold     time.Duration
}

type request struct {
	ua         string
	start, end time.Time
}

func (s *siteLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.inflight++
	s.most = max(s.most, s.inflight)
	s.byUA[r.UserAgent()]++
	i := len(s.reqs)
	s.reqs = append(s.reqs, request{ua: r.UserAgent(), start: time.Now()})
	s.mu.Unlock()
	time.Sleep(s.hold)
	s.mu.Lock()
	s.inflight--
	s.reqs[i].end = time.Now()
	s.mu.Unlock()
	w.Write([]byte("ok"))
}

func workers(t *testing.T, lt *leaseTable, n int, limit fetch.SiteLimit, ttl time.Duration) []*fetch.Client {
	var cs []*fetch.Client
	for i := range n {
		c := fetch.New(fetch.Options{
			UserAgent: "worker" + string(rune('a'+i)),
			Limits:    func(string) fetch.SiteLimit { return limit },
			Sites:     holderView{lt, "worker" + string(rune('a'+i))},
			LeaseTTL:  ttl,
		})
		t.Cleanup(c.CloseIdleConnections)
		cs = append(cs, c)
	}
	return cs
}

// Three processes send requests to one site at once: the site never sees
// more than its concurrency, nor two starts closer than its gap, whoever
// sends them.
func TestSiteLeasesHoldLimitsAcrossProcesses(t *testing.T) {
	const gap = 50 * time.Millisecond
	log := &siteLog{byUA: map[string]int{}, hold: 5 * time.Millisecond}
	srv := httptest.NewServer(log)
	defer srv.Close()
	lt := newLeaseTable()
	cs := workers(t, lt, 3, fetch.SiteLimit{Concurrency: 2, Gap: gap}, time.Minute)
	// A first request dials, which on a loaded machine delays its start
	// at the server by tens of milliseconds: warm each process up first.
	for _, c := range cs {
		if _, err := c.Get(context.Background(), fetch.Request{URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * gap)
	log.mu.Lock()
	log.reqs, log.byUA, log.most = nil, map[string]int{}, 0
	log.mu.Unlock()

	var wg sync.WaitGroup
	for i, c := range cs {
		for range 8 {
			wg.Go(func() {
				// Spread over time, so that the lease changes hands.
				time.Sleep(time.Duration(i) * 100 * time.Millisecond)
				if _, err := c.Get(context.Background(), fetch.Request{URL: srv.URL}); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()

	if log.most > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", log.most)
	}
	reqs := slices.SortedFunc(slices.Values(log.reqs), func(a, b request) int { return a.start.Compare(b.start) })
	for i := 1; i < len(reqs); i++ {
		// The margin covers the time between a grant and the server's
		// clock reading, which a new connection, a loaded machine or
		// -race make vary.
		if d := reqs[i].start.Sub(reqs[i-1].start); d < gap/3 {
			t.Errorf("starts %d and %d %v apart, want >= %v", i-1, i, d, gap)
		}
		if reqs[i].ua == reqs[i-1].ua {
			continue
		}
		// Handed over: the new holder starts a gap after the old one's
		// last request ended.
		for _, r := range reqs[:i] {
			if d := reqs[i].start.Sub(r.end); r.ua != reqs[i].ua && d < gap*9/10 {
				t.Errorf("%s started %v after %s's last request ended, want >= %v", reqs[i].ua, d, r.ua, gap)
			}
		}
	}
	if d := reqs[len(reqs)-1].start.Sub(reqs[0].start); d < gap*time.Duration(len(reqs)-1)*9/10 {
		t.Errorf("%d starts within %v, want them %v apart", len(reqs), d, gap)
	}
	if len(log.byUA) != 3 {
		t.Errorf("requests by %v, want all three processes", log.byUA)
	}
}

// A process holds a site for its gap after its last request, then lets
// it go; another process gets it only then.
func TestSiteLeaseReleasedAfterGap(t *testing.T) {
	const gap = 150 * time.Millisecond
	log := &siteLog{byUA: map[string]int{}}
	srv := httptest.NewServer(log)
	defer srv.Close()
	lt := newLeaseTable()
	cs := workers(t, lt, 2, fetch.SiteLimit{Concurrency: 1, Gap: gap}, time.Minute)
	site := "127.0.0.1"

	if _, err := cs[0].Get(context.Background(), fetch.Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if h := lt.holder(site); h != "workera" {
		t.Fatalf("site held by %q right after a request, want workera", h)
	}
	if _, err := cs[1].Get(context.Background(), fetch.Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if d := log.reqs[1].start.Sub(log.reqs[0].end); d < gap*9/10 {
		t.Errorf("the second process started %v after the first's request ended, want >= %v", d, gap)
	}
	deadline := time.Now().Add(5 * time.Second)
	for lt.holder(site) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("site still held by %q long after its last request", lt.holder(site))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Waiting for a site another process holds ends with the caller's
// context.
func TestSiteLeaseWaitRespectsContext(t *testing.T) {
	srv := httptest.NewServer(&siteLog{byUA: map[string]int{}})
	defer srv.Close()
	lt := newLeaseTable()
	other := holderView{lt, "other"}
	if _, ok, err := other.Claim(context.Background(), "127.0.0.1", time.Hour); !ok || err != nil {
		t.Fatal(ok, err)
	}
	c := workers(t, lt, 1, fetch.SiteLimit{Concurrency: 2}, time.Minute)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Get(ctx, fetch.Request{URL: srv.URL})
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Kind != fetch.KindCanceled && fe.Kind != fetch.KindTimeout {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("gave up after %v, want about the caller's 100ms", d)
	}
}

// A process cut off from the lease store stops renewing: its sites go to
// another once the leases expire. A process whose store calls fail waits
// and goes on when the store is back.
func TestSiteLeaseExpiresAndStoreOutage(t *testing.T) {
	const ttl = 300 * time.Millisecond
	log := &siteLog{byUA: map[string]int{}, hold: 10 * time.Millisecond}
	srv := httptest.NewServer(log)
	defer srv.Close()
	lt := newLeaseTable()
	cs := workers(t, lt, 2, fetch.SiteLimit{Concurrency: 1, Gap: time.Hour}, ttl)

	if _, err := cs[0].Get(context.Background(), fetch.Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	lt.cut("workera", true) // as if killed: it neither renews nor releases
	start := time.Now()
	time.AfterFunc(2*ttl, func() { lt.cut("workerb", true) })
	time.AfterFunc(4*ttl, func() { lt.cut("workerb", false) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := cs[1].Get(ctx, fetch.Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < ttl/2 {
		t.Errorf("second process got the site after %v, before the first's lease (%v) expired", d, ttl)
	}
	if log.byUA["workerb"] != 1 {
		t.Errorf("requests by %v, want one by workerb", log.byUA)
	}
}

// A NoWait request to a site another process holds fails at once with a
// *SiteBusyError saying when this process will ask again, and sends
// nothing; one that may wait waits (TestSiteLeaseWaitRespectsContext).
func TestSiteBusyNoWait(t *testing.T) {
	log := &siteLog{byUA: map[string]int{}}
	srv := httptest.NewServer(log)
	defer srv.Close()
	lt := newLeaseTable()
	if _, ok, _ := (holderView{lt, "other"}).Claim(context.Background(), "127.0.0.1", time.Hour); !ok {
		t.Fatal("the other process could not claim the site")
	}
	c := workers(t, lt, 1, fetch.SiteLimit{Concurrency: 2}, time.Minute)[0]
	start := time.Now()
	_, err := c.Get(context.Background(), fetch.Request{URL: srv.URL, NoWait: true})
	var busy *fetch.SiteBusyError
	if !errors.As(err, &busy) || busy.Site != "127.0.0.1" || !busy.Until.After(start) {
		t.Fatalf("err = %v, want a SiteBusyError for 127.0.0.1 with a time to come", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v, want at once", d)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.reqs) != 0 {
		t.Errorf("%d requests reached the site", len(log.reqs))
	}
}

// A process whose renewals fail stops sending to a site it keeps busy
// before its lease may have expired, when another may hold it. It claims
// the site again first, and waits while the store cannot be reached.
func TestSiteLeaseNotUsedPastItsTerm(t *testing.T) {
	const ttl = 300 * time.Millisecond
	log := &siteLog{byUA: map[string]int{}, hold: 5 * time.Millisecond}
	srv := httptest.NewServer(log)
	defer srv.Close()
	lt := newLeaseTable()
	cs := workers(t, lt, 1, fetch.SiteLimit{Concurrency: 1, Gap: 10 * time.Millisecond}, ttl)
	get := func(within time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), within)
		defer cancel()
		_, err := cs[0].Get(ctx, fetch.Request{URL: srv.URL})
		return err
	}
	if err := get(time.Second); err != nil {
		t.Fatal(err)
	}
	// The site is kept busy, so the lease is held throughout, while its
	// renewals fail.
	lt.cut("workera", true)
	cut := time.Now()
	for time.Since(cut) < 2*ttl {
		get(ttl)
	}
	log.mu.Lock()
	var late int
	for _, r := range log.reqs {
		if r.start.After(cut.Add(ttl)) {
			late++
		}
	}
	log.mu.Unlock()
	if late > 0 {
		t.Errorf("%d requests started more than the lease's %v after its last renewal, with the store out of reach", late, ttl)
	}
	lt.cut("workera", false)
	if err := get(5 * time.Second); err != nil {
		t.Errorf("with the store back: %v", err)
	}
}

// A request that took its turn while its site's lease was held, and then
// waited for a global slot until the lease ran out (its renewals failing),
// does not start on the lapsed lease: another process may hold the site
// by then.
func TestSiteLeaseRecheckedAfterGlobalWait(t *testing.T) {
	const ttl = 300 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time // of the requests that do not hold the slot
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			time.Sleep(2 * ttl)
			return
		}
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()
	lt := newLeaseTable()
	c := fetch.New(fetch.Options{
		UserAgent:   "workera",
		Concurrency: 1, // one global slot, which the held request takes
		Limits:      func(string) fetch.SiteLimit { return fetch.SiteLimit{Concurrency: 2, Gap: 10 * time.Millisecond} },
		Sites:       holderView{lt, "workera"},
		LeaseTTL:    ttl,
	})
	t.Cleanup(c.CloseIdleConnections)
	get := func(path string, within time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), within)
		defer cancel()
		_, err := c.Get(ctx, fetch.Request{URL: srv.URL + path})
		return err
	}
	held := make(chan error, 1)
	go func() { held <- get("/hold", 5*time.Second) }()
	for lt.holder(fetch.Site(strings.TrimPrefix(srv.URL, "http://"))) == "" {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // the held request is in flight
	lt.cut("workera", true)
	cut := time.Now()
	get("/next", 10*ttl) // takes its turn, then waits for the slot past the lease's term
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range starts {
		if s.After(cut.Add(ttl)) {
			t.Errorf("a request started %v after the store went out of reach, past the lease's %v", s.Sub(cut).Round(time.Millisecond), ttl)
		}
	}
}
