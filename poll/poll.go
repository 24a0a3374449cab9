// Package poll runs one poll of a feed end to end: fetch it, parse it, fetch
// and extract the pages of its new entries, and hand the whole outcome to the
// archive in one write. Round polls many feeds at once, one queue per site.
package poll

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"herald"
	"herald/archive"
	"herald/extract"
	"herald/feed"
	"herald/fetch"
)

// Getter does HTTP GETs with politeness; *fetch.Client is one.
type Getter interface {
	Get(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// Store is the part of the archive a poll needs; *archive.DB is one.
type Store interface {
	FeedState(name string) (herald.FeedState, bool, error)
	SaveFeedState(ctx context.Context, s herald.FeedState) error
	Plan(feed string, fullText bool, entries []herald.Entry) ([]archive.Plan, error)
	Ingest(ctx context.Context, s herald.FeedState, items []archive.Item) (archive.Result, error)
}

// Feed is what a poll needs to know about one configured feed.
type Feed struct {
	Name         string
	URL          string
	Tags         []string
	FullText     bool
	Timeout      time.Duration
	MaxBody      int64
	UserAgent    string
	AllowPrivate bool // see reachesPrivate
	// Username and Password go with requests to the configured URL's
	// origin (see withAuth). URL holds no credentials.
	Username, Password string
	Interval           time.Duration
	MinInterval        time.Duration
	MaxInterval        time.Duration
}

// Rules finds the extraction rules for a page's host, and the key of the
// site rule that matched ("" when none did).
type Rules func(host string) (rules *extract.Rules, site string)

// Poller polls feeds. Its zero value is not usable: Get and Store are needed.
type Poller struct {
	Get   Getter
	Store Store
	Rules Rules // nil: no site rules
	// Observe hears of every page fetch and extraction; nil: nothing does.
	Observe PageObserver
	// PageConcurrency is how many article pages of one feed are fetched at a
	// time (the fetch client's per-site limits still apply).
	PageConcurrency int
	Now             func() time.Time
	// Jitter returns a random duration in [0, d); nil means none. The
	// daemon spreads feeds due at the same moment with it.
	Jitter func(d time.Duration) time.Duration
}

// Outcome is what one poll did.
type Outcome struct {
	Feed        Feed
	State       herald.FeedState
	Result      archive.Result
	NotModified bool
	Skipped     string // why the feed was not polled (gone)
	Err         error  // the poll failed; State says why in a few words
	Moved       bool   // a permanent redirect seen on several polls in a row moved the feed's URL
	Bytes       int    // the feed document's size as fetched
	Pages       PageStats
	// Deferred, when not zero, says the feed was not polled: another
	// process holds its site (fetch.SiteBusyError) until about then.
	// Nothing was stored; the feed is due as it was.
	Deferred time.Time
}

// PageStats counts a poll's article page fetches.
type PageStats struct {
	Fetched, Failed int
	// RuleMissed counts, per site rule, pages where the rule's body selector
	// matched nothing: a stale rule must be visible.
	RuleMissed map[string]int
	Reasons    []string // why pages failed, one line each
}

func (p *Poller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Poll polls one feed and stores what it found.
func (p *Poller) Poll(ctx context.Context, f Feed) Outcome {
	out := Outcome{Feed: f}
	state, err := p.state(f)
	if err != nil {
		out.Err = err
		return out
	}
	// state() has already started afresh if the user changed the URL.
	if state.Outcome == herald.OutcomeGone {
		out.State = state
		out.Skipped = "gone (HTTP 410) since " + state.LastPoll.Format(time.DateOnly) + "; remove it from the config"
		return out
	}
	start := p.now()
	resp, err := p.Get.Get(ctx, f.withAuth(fetch.Request{
		URL: state.URL, ETag: state.ETag, LastModified: state.LastModified,
		UserAgent: f.UserAgent, Timeout: f.Timeout, MaxBody: f.MaxBody,
		DenyPrivate: !f.reachesPrivate(), NoWait: true,
	}))
	if busy := (*fetch.SiteBusyError)(nil); errors.As(err, &busy) {
		out.Deferred = busy.Until
		return out
	}
	state.LastPoll = start
	if err != nil {
		return p.failed(ctx, out, state, err)
	}
	state.Hints.MaxAge, state.Hints.Expires, state.Hints.RetryAfter = resp.MaxAge, resp.Expires, time.Time{}
	notePermanentRedirect(&state, resp)
	out.Moved = ApplyMove(&state)
	out.Bytes = len(resp.Body)
	if resp.NotModified {
		state.Outcome, state.ErrorCount, state.ErrorKind, state.LastError = herald.OutcomeNotModified, 0, "", ""
		state.LastSuccess = start
		state.Mark(start, herald.OutcomeNotModified)
		state.NextPoll = p.nextPoll(state, f, start)
		out.NotModified, out.State = true, state
		out.Err = p.Store.SaveFeedState(ctx, state)
		return out
	}
	doc, err := feed.Parse(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		return p.failed(ctx, out, state, &parseError{err})
	}
	withoutCredentials(doc)
	items, pages, err := p.items(ctx, f, state, doc, start)
	if err != nil {
		return p.failed(ctx, out, state, err)
	}
	state.ETag, state.LastModified = resp.ETag, resp.LastModified
	state.Outcome, state.ErrorCount, state.ErrorKind, state.LastError = herald.OutcomeOK, 0, "", ""
	if len(doc.Warnings) > 0 {
		state.LastError = oneLine(strings.Join(doc.Warnings, "; "), maxReason)
	}
	state.LastSuccess = start
	notePages(&state, start, pages)
	state.Title, state.SiteLink = doc.Title, doc.Link
	ttl, period, sh, sd := doc.Hints.TTL, doc.Hints.UpdatePeriod, doc.Hints.SkipHours, doc.Hints.SkipDays
	state.Hints.TTL, state.Hints.UpdatePeriod, state.Hints.SkipHours, state.Hints.SkipDays = ttl, period, sh, sd
	if gap := PublishGap(doc.Entries); gap > 0 {
		state.PublishGap = gap
	}
	state.NextPoll = p.nextPoll(state, f, start)
	res, err := p.Store.Ingest(ctx, state, items)
	// A round keeps every feed's outcome until it ends: the article ids
	// would make it grow with the articles archived, not with the feeds.
	res.IDs = nil
	out.State, out.Result, out.Pages = state, res, pages
	if err != nil {
		out.Err = fmt.Errorf("archive %s: %w", f.Name, err)
	}
	return out
}

// state loads the feed's stored state, or starts one. A URL changed in the
// config wins over the stored one (and its validators, which belong to it).
func (p *Poller) state(f Feed) (herald.FeedState, error) {
	s, ok, err := p.Store.FeedState(f.Name)
	if err != nil {
		return s, fmt.Errorf("feed %s: read state: %w", f.Name, err)
	}
	if !ok {
		return herald.FeedState{Name: f.Name, URL: f.URL, ConfigURL: f.URL}, nil
	}
	if s.ConfigURL != f.URL {
		s = herald.FeedState{Name: f.Name, URL: f.URL, ConfigURL: f.URL, ErrorCount: 0}
	}
	return s, nil
}

func (p *Poller) failed(ctx context.Context, out Outcome, state herald.FeedState, err error) Outcome {
	state.Outcome = herald.OutcomeFailed
	state.ErrorCount++
	state.ErrorKind, state.LastError = classify(err)
	var fe *fetch.Error
	if errors.As(err, &fe) {
		if fe.Kind == fetch.KindGone {
			state.Outcome = herald.OutcomeGone
		}
		state.Hints.RetryAfter = fe.RetryAfter
	}
	state.NextPoll = p.nextPoll(state, out.Feed, state.LastPoll)
	state.Mark(state.LastPoll, state.Outcome)
	out.State, out.Err = state, err
	if serr := p.Store.SaveFeedState(ctx, state); serr != nil {
		out.Err = fmt.Errorf("%w; and saving its state: %v", err, serr)
	}
	return out
}

// notePages keeps a successful poll's page counts, when it fetched pages,
// and marks it: a poll whose every page failed is marked so.
func notePages(s *herald.FeedState, at time.Time, pages PageStats) {
	mark := herald.OutcomeOK
	if pages.Fetched > 0 {
		s.PagesFetched, s.PagesFailed, s.PageError = pages.Fetched, pages.Failed, ""
		if len(pages.Reasons) > 0 {
			s.PageError = oneLine(pages.Reasons[len(pages.Reasons)-1], maxReason)
		}
		if pages.Failed == pages.Fetched {
			mark = herald.MarkPagesFailed
		}
	}
	s.Mark(at, mark)
}

// notePermanentRedirect counts polls in a row that were permanently
// redirected to one place; the scheduler moves the feed after a few.
func notePermanentRedirect(s *herald.FeedState, resp *fetch.Response) {
	switch {
	case resp.PermanentRedirect == "":
		s.MovedTo, s.MovedCount = "", 0
	case resp.PermanentRedirect == s.MovedTo:
		s.MovedCount++
	default:
		s.MovedTo, s.MovedCount = resp.PermanentRedirect, 1
	}
}

// kindParse is the failure kind of a feed that was fetched but not read; the
// other kinds are fetch's.
const kindParse = "parse"

// parseError marks a feed that was fetched but could not be read.
type parseError struct{ err error }

func (e *parseError) Error() string { return "parse: " + e.err.Error() }
func (e *parseError) Unwrap() error { return e.err }

// maxReason bounds the one line a feed's status gives for a failure.
// Reasons may quote what a server sent (a Content-Encoding, a charset
// label), which a hostile server can make as long as its headers.
const maxReason = 240

// classify gives a failure's kind and a few words for `herald stats`.
func classify(err error) (kind, reason string) {
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return string(fe.Kind), oneLine(fe.Reason(), maxReason)
	}
	var pe *parseError
	if errors.As(err, &pe) {
		return kindParse, oneLine(pe.err.Error(), maxReason)
	}
	if errors.Is(err, context.Canceled) {
		return string(fetch.KindCanceled), "canceled"
	}
	return "other", oneLine(err.Error(), maxReason)
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// withoutCredentials removes user info from the links a feed gives, and
// from GUIDs made of them, as the archive would (herald.StoredURL): what
// the archive is asked about must be what it stores. A page on the feed's
// own site still gets the feed's credentials (withAuth).
func withoutCredentials(doc *herald.Document) {
	doc.Link = herald.StoredURL(doc.Link)
	for i := range doc.Entries {
		e := &doc.Entries[i]
		for _, f := range []*string{&e.Link, &e.Image, &e.GUID, &e.Key} {
			*f = herald.StoredURL(*f)
		}
	}
}

// reachesPrivate reports whether the feed's requests, and those of its
// article pages, may connect to non-public addresses: when the config says
// so, or when the configured URL is itself on such an address (a feed on the
// local network links to pages there). Otherwise every hop of every request
// is refused such addresses, so that a feed or a redirect cannot point
// Herald at the local network.
func (f Feed) reachesPrivate() bool {
	return f.AllowPrivate || fetch.PrivateHost(f.URL)
}

// withAuth gives r the feed's credentials when it goes to the origin of
// the configured URL: the feed itself, unless it has moved to another
// host, and article pages on the feed's own site.
func (f Feed) withAuth(r fetch.Request) fetch.Request {
	if f.Username != "" && fetch.SameOrigin(f.URL, r.URL) {
		r.Username, r.Password = f.Username, f.Password
	}
	return r
}

// Round polls feeds concurrently: one queue per site, each worked by as
// many goroutines as the site allows, so that a slow site holds up only
// its own feeds. done is called after each feed (for a progress line).
// When every feed failed at the network level (MachineDown), the failures
// are the machine's and are not counted against the feeds (Forgive).
func (p *Poller) Round(ctx context.Context, feeds []Feed, perSite func(site string) int, done func(Outcome)) []Outcome {
	queues := map[string][]int{}
	var order []string
	for i, f := range feeds {
		site := siteOf(f.URL)
		if _, ok := queues[site]; !ok {
			order = append(order, site)
		}
		queues[site] = append(queues[site], i)
	}
	outs := make([]Outcome, len(feeds))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, site := range order {
		inTurn(&wg, queues[site], perSite(site), func(i int) {
			o := p.Poll(ctx, feeds[i])
			outs[i] = o
			if done != nil {
				mu.Lock()
				done(o)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if MachineDown(outs) {
		// A manual round while offline must not add to the feeds' backoff.
		p.forgiveRound(ctx, outs)
	}
	return outs
}

// inTurn calls fn with each of jobs from at most workers goroutines (at
// least one), which take the jobs in turn, and counts them in wg.
func inTurn(wg *sync.WaitGroup, jobs []int, workers int, fn func(job int)) {
	next := make(chan int, len(jobs))
	for _, j := range jobs {
		next <- j
	}
	close(next)
	for range max(1, min(workers, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				fn(j)
			}
		}()
	}
}

func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return fetch.Site(u.Host)
}
