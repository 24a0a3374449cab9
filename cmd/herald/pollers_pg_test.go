package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"herald/archive"
	farmpkg "herald/internal/farm"
	"herald/internal/pgtest"
)

// The many-pollers tests (issue 15): several `herald run --role poll`
// processes share one PostgreSQL archive and poll a loopback farm spread
// over many sites. Each checks the round from the sites' side (every feed
// asked for, how often, and the politeness each site saw, whoever sent the
// request) and from the archive's (every item stored once, every feed's
// state written).

// fleet is the farm and the configuration the pollers share.
type fleet struct {
	sites   *farmpkg.Sites
	cfg     string
	dsn     string
	feeds   int
	items   int
	conc    int           // site_concurrency
	gap     time.Duration // site_gap
	pollers []*poller
}

// poller is one `herald run --role poll` process.
type poller struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	exited chan error
	done   bool // its exit has been received from exited
}

// exit waits up to within for the process to exit, and says whether it
// did and with what; a within of 0 only looks.
func (p *poller) exit(within time.Duration) (exited bool, err error) {
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	if within == 0 {
		select {
		case err = <-p.exited:
			p.done = true
			return true, err
		default:
			return false, nil
		}
	}
	select {
	case err = <-p.exited:
		p.done = true
		return true, err
	case <-timeout.C:
		return false, nil
	}
}

const (
	fleetFeeds = 2000
	fleetItems = 2
	fleetSites = 32
	// Each request is answered after fleetDelay, longer than the gap, so
	// that a site has two requests in flight at its busiest.
	fleetDelay = 150 * time.Millisecond
	fleetGap   = 100 * time.Millisecond
	fleetConc  = 2
	// Every fleetFullText-th feed is full text: its article pages go
	// through the same site leases and gates as its feed.
	fleetFullText = 20
)

func newFleet(t *testing.T) *fleet {
	t.Helper()
	dsn := pgtest.DB(t)
	sites, err := farmpkg.StartSites(fleetSites, fleetFeeds, fleetItems, fleetDelay)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sites.Close() })
	f := &fleet{sites: sites, dsn: dsn, feeds: fleetFeeds, items: fleetItems, conc: fleetConc, gap: fleetGap}
	var b strings.Builder
	fmt.Fprintf(&b, "archive: %s\nconcurrency: 16\ndefaults:\n  interval: 1h\n  full_text: false\n  timeout: 30s\n", dsn)
	fmt.Fprintf(&b, "  site_concurrency: %d\n  site_gap: %v\nfeeds:\n", f.conc, f.gap)
	for i := range f.feeds {
		fmt.Fprintf(&b, "  - url: %s\n    name: feed-%d\n", sites.FeedURL(i), i)
		if i%fleetFullText == 0 {
			b.WriteString("    full_text: true\n")
		}
	}
	f.cfg = writeFile(t, t.TempDir(), "feeds.yaml", b.String())
	return f
}

// start starts n pollers with the lease given.
func (f *fleet) start(t *testing.T, n int, lease time.Duration) {
	t.Helper()
	bin := heraldBinary(t)
	for range n {
		p := &poller{logs: &syncBuffer{}, exited: make(chan error, 1)}
		p.cmd = exec.Command(bin, "-c", f.cfg, "--log-format", "json", "--log-level", "debug",
			"run", "--role", "poll", "--lease", lease.String())
		p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { p.exited <- p.cmd.Wait() }()
		f.pollers = append(f.pollers, p)
	}
	t.Cleanup(func() {
		for i, p := range f.pollers {
			if !p.done {
				p.cmd.Process.Kill()
				p.exit(time.Minute)
			}
			if t.Failed() {
				t.Logf("poller %d, the end of its log:\n%s", i, lastLines(p.logs.String(), 30))
			}
		}
	})
}

// stop stops every poller still running with SIGTERM; each must exit 0.
func (f *fleet) stop(t *testing.T) {
	t.Helper()
	for i, p := range f.pollers {
		if p.done {
			continue
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		ok, err := p.exit(30 * time.Second)
		switch {
		case !ok:
			t.Errorf("poller %d did not stop within 30 s of SIGTERM", i)
			p.cmd.Process.Kill()
			p.exit(time.Minute)
		case err != nil:
			t.Errorf("poller %d: %v", i, err)
		}
	}
}

// kill SIGKILLs poller i.
func (f *fleet) kill(t *testing.T, i int) {
	t.Helper()
	p := f.pollers[i]
	p.cmd.Process.Kill()
	p.exit(time.Minute)
}

// answered is how many feeds the sites have answered at least once.
func (f *fleet) answered() int {
	counts := f.sites.Counts()
	n := 0
	for i := range f.feeds {
		if counts["/feed/"+strconv.Itoa(i)] > 0 {
			n++
		}
	}
	return n
}

// waitAnswered waits until at least n feeds have been answered.
func (f *fleet) waitAnswered(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for f.answered() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d feeds answered after %v, want %d", f.answered(), f.feeds, within, n)
		}
		f.checkRunning(t)
		time.Sleep(100 * time.Millisecond)
	}
}

// checkRunning fails the test at once when a poller it did not stop has
// exited.
func (f *fleet) checkRunning(t *testing.T) {
	t.Helper()
	for i, p := range f.pollers {
		if p.done {
			continue // stopped by the test
		}
		if exited, err := p.exit(0); exited {
			t.Fatalf("poller %d exited in the round: %v\n%s", i, err, lastLines(p.logs.String(), 30))
		}
	}
}

// waitStored waits until the archive holds every item and every feed's
// state says it was polled: the round has ended on the archive's side.
func (f *fleet) waitStored(t *testing.T, within time.Duration) archive.Stats {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		st, polled := f.archived(t)
		if st.Articles >= f.feeds*f.items && polled == f.feeds {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d articles of %d, %d feeds of %d with a poll stored", within, st.Articles, f.feeds*f.items, polled, f.feeds)
		}
		f.checkRunning(t)
		time.Sleep(500 * time.Millisecond)
	}
}

// archived reads the archive's counts and how many feeds have a poll
// stored, through a read-only open of the database, as `herald stats` does.
func (f *fleet) archived(t *testing.T) (archive.Stats, int) {
	t.Helper()
	db, err := archive.Open(f.dsn, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open the archive: %v", err)
	}
	defer db.Close()
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	polled := 0
	for _, s := range states {
		if !s.LastPoll.IsZero() {
			polled++
		}
	}
	return st, polled
}

// checkArchive holds the archive to one article and one source for every
// item of every feed: nothing lost, nothing doubled.
func (f *fleet) checkArchive(t *testing.T, st archive.Stats) {
	t.Helper()
	want := f.feeds * f.items
	if st.Articles != want || st.Sources != want {
		t.Errorf("the archive holds %d articles with %d sources, want %d of each", st.Articles, st.Sources, want)
	}
	for i := range f.feeds {
		if n := st.Feeds[fmt.Sprintf("feed-%d", i)]; n != f.items {
			t.Errorf("feed-%d has %d articles, want %d", i, n, f.items)
			return
		}
	}
}

// checkPoliteness holds every site to its limits over all the requests it
// was sent, whichever process sent them: never more than site_concurrency
// in flight, as the site counted them, and starts at least the gap apart,
// as the pollers' gates decided them (each poller logs a request's start
// before it sends it). The site's own clock cannot judge the gap: on a
// loaded machine a request can reach it late, and then looks closer to the
// next. That every request the sites answered was logged keeps the logs
// to the truth.
func (f *fleet) checkPoliteness(t *testing.T) {
	t.Helper()
	for site, most := range f.sites.MostInFlight() {
		if most > f.conc {
			t.Errorf("site %s had %d requests in flight at once, want at most %d", site, most, f.conc)
		}
	}
	bySite := map[string][]sent{}
	logged := map[string]int{}
	for _, reqs := range f.sent(t) {
		for _, r := range reqs {
			bySite[r.Site] = append(bySite[r.Site], r)
			logged[r.path()]++
		}
	}
	for path, n := range f.sites.Counts() {
		if n > logged[path] {
			t.Errorf("the sites answered %d requests for %s, the pollers logged %d", n, path, logged[path])
		}
	}
	// Less a millisecond: the processes' wall clocks may be slewed.
	least := f.gap - time.Millisecond
	for site, reqs := range bySite {
		sort.Slice(reqs, func(i, j int) bool { return reqs[i].Start.Before(reqs[j].Start) })
		short := 0
		for i := 1; i < len(reqs); i++ {
			if d := reqs[i].Start.Sub(reqs[i-1].Start); d < least {
				if short == 0 {
					t.Errorf("site %s: %s started %v after %s, want at least %v", site, reqs[i].path(), d, reqs[i-1].path(), f.gap)
				}
				short++
			}
		}
		if short > 1 {
			t.Errorf("site %s: %d requests in all started too soon after the one before", site, short)
		}
	}
}

// sent is a request a poller logged as its gate let it go.
type sent struct {
	Site, URL string
	Start     time.Time
}

func (r sent) path() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return r.URL
	}
	return u.Path
}

// sent reads, from each poller's log, the requests it sent.
func (f *fleet) sent(t *testing.T) [][]sent {
	t.Helper()
	out := make([][]sent, len(f.pollers))
	for i, p := range f.pollers {
		p.logLines(t, i, func(b []byte) {
			var line struct {
				Msg string
				sent
			}
			if json.Unmarshal(b, &line) == nil && line.Msg == "request" {
				out[i] = append(out[i], line.sent)
			}
		})
	}
	return out
}

// polledBy counts, in each poller's log, the feeds it logged a poll of:
// the round's work seen from the processes' side.
func (f *fleet) polledBy(t *testing.T) []map[string]int {
	t.Helper()
	out := make([]map[string]int, len(f.pollers))
	for i, p := range f.pollers {
		out[i] = map[string]int{}
		p.logLines(t, i, func(b []byte) {
			var line struct{ Msg, Feed string }
			if json.Unmarshal(b, &line) == nil && line.Msg == "polled" {
				out[i][line.Feed]++
			}
		})
	}
	return out
}

// warnings counts each poller's warnings and errors by message.
func (f *fleet) warnings(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for i, p := range f.pollers {
		p.logLines(t, i, func(b []byte) {
			var line struct{ Level, Msg string }
			if json.Unmarshal(b, &line) == nil && (line.Level == "WARN" || line.Level == "ERROR") {
				out[line.Level+" "+line.Msg]++
			}
		})
	}
	return out
}

// logLines gives each line of poller i's log to fn.
func (p *poller) logLines(t *testing.T, i int, fn func([]byte)) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		fn(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("poller %d's log: %v", i, err)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Three pollers share a round of 2,000 feeds on 32 sites: each feed is
// polled once, by one of them, each of them polls a share, every item is
// stored once, and no site sees more than its limits.
func TestPollersShareARound(t *testing.T) {
	f := newFleet(t)
	f.start(t, 3, 10*time.Second)
	f.waitAnswered(t, f.feeds, 5*time.Minute)
	st := f.waitStored(t, 2*time.Minute)
	// A feed polled twice would be asked for again well within this: its
	// next poll is an hour away, so a second request is a lease that failed.
	time.Sleep(2 * time.Second)
	f.stop(t)

	for path, n := range f.sites.Counts() {
		if strings.HasPrefix(path, "/feed/") && n != 1 {
			t.Errorf("%s was asked for %d times in the round, want once", path, n)
		}
	}
	total := 0
	for i, polled := range f.polledBy(t) {
		if len(polled) == 0 {
			t.Errorf("poller %d polled no feed: the work was not shared", i)
		}
		for feed, n := range polled {
			if n != 1 {
				t.Errorf("poller %d logged %d polls of %s", i, n, feed)
			}
		}
		total += len(polled)
		t.Logf("poller %d polled %d feeds", i, len(polled))
	}
	if total != f.feeds {
		t.Errorf("the pollers logged polls of %d feeds in all, want %d", total, f.feeds)
	}
	f.checkArchive(t, st)
	f.checkPoliteness(t)
}

// A poller SIGKILLed mid-round loses its leases when they expire: the
// others poll its feeds after that, not before, and nothing is lost or
// stored twice. A feed it had asked for but not yet stored is asked for
// again (the poll died with it), by one of the others; no feed is asked
// for three times. Who asked, and when, is read from the pollers' logs: a
// request the killed one sent just before it died can reach the site
// after the kill.
func TestPollerKilledMidRound(t *testing.T) {
	const lease = 3 * time.Second
	f := newFleet(t)
	f.start(t, 3, lease)
	f.waitAnswered(t, f.feeds/3, 5*time.Minute)
	killed := time.Now()
	f.kill(t, 0)
	f.waitAnswered(t, f.feeds, 5*time.Minute)
	st := f.waitStored(t, 2*time.Minute)
	time.Sleep(2 * time.Second)
	f.stop(t)

	// Leases are renewed every third of their term, so a lease the killed
	// process held lasts at least two thirds of it past the kill.
	notBefore := killed.Add(lease * 2 / 3)
	sent := f.sent(t)
	byKilled := map[string]bool{}
	for _, r := range sent[0] {
		byKilled[r.path()] = true
	}
	byOthers := map[string][]time.Time{}
	for _, reqs := range sent[1:] {
		for _, r := range reqs {
			byOthers[r.path()] = append(byOthers[r.path()], r.Start)
		}
	}
	counts := f.sites.Counts()
	again := 0
	for i := range f.feeds {
		path := "/feed/" + strconv.Itoa(i)
		others := byOthers[path]
		switch {
		case counts[path] > 2:
			t.Errorf("%s was asked for %d times, want at most twice", path, counts[path])
		case len(others) > 1:
			t.Errorf("the pollers left running asked for %s %d times, want once", path, len(others))
		case counts[path] == 2 && !byKilled[path]:
			t.Errorf("%s was asked for twice, neither time by the poller killed", path)
		case byKilled[path] && len(others) == 1:
			again++
			if others[0].Before(notBefore) {
				t.Errorf("%s was asked for again %v after the kill, before its lease could expire", path, others[0].Sub(killed).Round(time.Millisecond))
			}
		}
	}
	// The killed process had at most its 16 polls in flight.
	if again > 16 {
		t.Errorf("%d feeds were asked for again, more than the killed process had in flight", again)
	}
	t.Logf("%d feeds were asked for again after the kill", again)
	for i, polled := range f.polledBy(t)[1:] {
		if len(polled) == 0 {
			t.Errorf("poller %d polled no feed", i+1)
		}
	}
	f.checkArchive(t, st)
	f.checkPoliteness(t)
}

// The database is stopped mid-round for a few seconds and started again:
// the pollers keep running, wait, and finish the round once it is back,
// with every item stored once and every feed's state written.
func TestPollersSurviveDatabaseRestart(t *testing.T) {
	f := newFleet(t)
	f.start(t, 3, 5*time.Second)
	f.waitAnswered(t, f.feeds/3, 5*time.Minute)
	pgtest.Stop(t)
	time.Sleep(3 * time.Second)
	pgtest.Start(t)
	f.waitAnswered(t, f.feeds, 5*time.Minute)
	st := f.waitStored(t, 5*time.Minute)
	f.checkRunning(t)
	f.stop(t)

	for path, n := range f.sites.Counts() {
		// A poll whose write the outage failed is polled again.
		if strings.HasPrefix(path, "/feed/") && n > 2 {
			t.Errorf("%s was asked for %d times, want at most twice", path, n)
		}
	}
	f.checkArchive(t, st)
	f.checkPoliteness(t)
	// The outage must have been met, or this test tested nothing.
	warned := f.warnings(t)
	if len(warned) == 0 {
		t.Errorf("no poller logged a warning while the database was down")
	}
	t.Logf("the pollers' warnings and errors: %v", warned)
}

// Processes serving one PostgreSQL archive behind one address (base_url:)
// answer with the same bytes and ETags, so a reader's conditional GET gets
// 304 from whichever it reaches; when a poller adds an article, both
// change, and agree again.
func TestServersAgreeOnETags(t *testing.T) {
	dsn := pgtest.DB(t)
	bin := heraldBinary(t)
	feeds := &rssServer{items: map[string][]string{}}
	feeds.add("/wire", "First story")
	srv := httptest.NewServer(feeds)
	defer srv.Close()
	dir := t.TempDir()
	config := func(name, listen string) string {
		return writeFile(t, dir, name+".yaml", fmt.Sprintf(`archive: %s
search_index: %s.index
listen: %s
base_url: https://news.example
`+quickLoopback+`feeds:
  - url: %s/wire
    name: wire
`, dsn, name, listen, srv.URL))
	}
	listenA, listenB := freePort(t), freePort(t)
	startDaemon(t, bin, config("a", listenA), "--role", "all")
	startDaemon(t, bin, config("b", listenB), "--role", "serve")

	paths := []string{"/feed.atom", "/feed.rss", "/feed.json", "/api/articles"}
	agree := func(want string) {
		t.Helper()
		for _, path := range paths {
			var a, b response
			waitFor(t, path+" with "+want+" from both", func() bool {
				a, b = get(t, "http://"+listenA+path, nil), get(t, "http://"+listenB+path, nil)
				return strings.Contains(a.body, want) && strings.Contains(b.body, want)
			})
			if a.body != b.body || a.header.Get("ETag") == "" || a.header.Get("ETag") != b.header.Get("ETag") {
				t.Errorf("%s: ETags %q and %q, bodies equal %v", path, a.header.Get("ETag"), b.header.Get("ETag"), a.body == b.body)
				continue
			}
			if r := get(t, "http://"+listenB+path, map[string]string{"If-None-Match": a.header.Get("ETag")}); r.status != http.StatusNotModified {
				t.Errorf("%s: the other process answered the first's ETag with %d, want 304", path, r.status)
			}
		}
	}
	agree("First story")
	feeds.add("/wire", "Second story")
	agree("Second story")
}
