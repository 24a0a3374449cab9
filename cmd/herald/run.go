package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"herald"
	"herald/archive"
	"herald/config"
	"herald/extract"
	"herald/fetch"
	"herald/poll"
	"herald/schedule"
	"herald/search"
	"herald/serve"
)

// gaugeEvery is how often the scheduler's queue depth and lag go to the
// metrics.
const gaugeEvery = 5 * time.Second

func runCommand(e *env) *cobra.Command {
	var roleName string
	var lease time.Duration
	c := &cobra.Command{
		Use:   "run",
		Short: "the daemon: poll, extract, archive, serve HTTP",
		Long: `Run is the daemon: it polls each feed on its own adaptive schedule, politely per
site, extracts and archives what is new, and serves the merged feed, the API,
metrics and a status page on the config's listen: address. SIGHUP reloads
feeds.yaml (a bad file is rejected and the running config kept); SIGINT or
SIGTERM stop it cleanly.

--role splits the work between processes: "poll" polls and archives without
serving HTTP, "serve" serves the archive without polling, "all" (the default)
does both. Any number of processes may poll one PostgreSQL archive: each due
feed is polled by one of them, which holds the feed's lease meanwhile, and one
at a time talks to a site. --lease is how long a lease lasts unless renewed:
how soon the feeds and sites of a process that died go to the others.`,
		Example: `  herald run
  herald run -c /etc/herald/feeds.yaml --log-format json
  herald run --role poll --lease 1m`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			r, err := parseRole(roleName)
			if err != nil {
				return err
			}
			if lease < minLease {
				return usagef("--lease: %v is less than %v", lease, minLease)
			}
			return cmdRun(c.Context(), e, r, lease)
		},
	}
	c.Flags().StringVar(&roleName, "role", string(roleAll), "what this process does: `all`, poll (no HTTP) or serve (no polling)")
	c.Flags().DurationVar(&lease, "lease", 2*time.Minute, "how long a feed's or a site's lease lasts unless renewed, with a PostgreSQL archive")
	return c
}

// role is what a `herald run` process does.
type role string

const (
	roleAll   role = "all"
	rolePoll  role = "poll"
	roleServe role = "serve"
)

func parseRole(s string) (role, error) {
	switch r := role(s); r {
	case roleAll, rolePoll, roleServe:
		return r, nil
	}
	return "", usagef("--role: %q is not one of all, poll, serve", s)
}

func (r role) polls() bool  { return r != roleServe }
func (r role) serves() bool { return r != rolePoll }

// cmdRun is the daemon: it polls feeds as they fall due and serves the
// archive over HTTP until SIGINT or SIGTERM; SIGHUP reloads feeds.yaml.
func cmdRun(ctx context.Context, e *env, r role, lease time.Duration) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	logWarnings(e, cfg)
	token, err := cfg.Token()
	if err != nil {
		return err
	}
	db, err := openArchive(e, cfg)
	if err != nil {
		return err
	}
	// Only a process that serves searches; the index catches up on the
	// archive's change log wherever it is opened next.
	var ix search.Follower
	stopIndex := func() error { return nil }
	if r.serves() {
		if ix, stopIndex, err = followIndex(ctx, e, db); err != nil {
			db.Close()
			return err
		}
	}
	var ls *leases
	if r.polls() {
		if ls, err = openLeases(ctx, db.Path(), e.password(), lease); err != nil {
			stopIndex()
			db.Close()
			return err
		}
		defer ls.close()
	}
	d := newDaemon(e, cfg, db, ls)
	d.role = r
	d.index = ix
	d.token = token
	defer d.client.CloseIdleConnections()
	err = d.run(ctx)
	if ierr := stopIndex(); ierr != nil && err == nil {
		err = fmt.Errorf("search index: %w", ierr)
	}
	if cerr := db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close archive %s: %w", db.Path(), cerr)
	}
	if err == nil {
		e.log.Info("stopped; archive closed", "archive", db.Path())
	}
	return err
}

// daemon holds what `herald run` wires together. The config is swapped
// whole on reload; the closures given to the client and the poller read
// the current one, so that site rules and politeness follow reloads.
type daemon struct {
	e       *env
	cfg     atomic.Pointer[config.Config]
	db      *archive.DB
	client  *fetch.Client
	sched   *schedule.Scheduler
	metrics *serve.Metrics
	running atomic.Bool
	index   search.Follower // the search index, kept in step by followIndex; nil when not serving
	token   string          // from token_file:, read once at start
	role    role
}

// newDaemon wires the daemon; ls, when not nil, shares the polling with
// other processes.
func newDaemon(e *env, cfg *config.Config, db *archive.DB, ls *leases) *daemon {
	d := &daemon{e: e, db: db, metrics: serve.NewMetrics()}
	d.cfg.Store(cfg)
	fo := fetch.Options{
		UserAgent:   cfg.Defaults.UserAgent,
		Timeout:     cfg.Defaults.Timeout,
		MaxBody:     cfg.Defaults.MaxBody,
		Concurrency: cfg.Concurrency,
		Limits:      func(site string) fetch.SiteLimit { return siteLimit(d.cfg.Load(), site) },
	}
	so := schedule.Options{
		States:          db.FeedStates,
		SaveState:       db.SaveFeedState,
		SiteConcurrency: func(site string) int { return siteLimit(d.cfg.Load(), site).Concurrency },
		Concurrency:     cfg.Concurrency,
		OnOutcome:       d.logOutcome,
	}
	if e.log.Enabled(context.Background(), slog.LevelDebug) {
		fo.Started = d.logRequest
	}
	if ls != nil {
		fo.Sites, fo.LeaseTTL = ls.sites, ls.ttl
		rare := &rareLog{log: e.log, every: 10 * time.Second}
		so.Leases, so.State, so.LeaseTTL = ls.feeds, db.FeedState, ls.ttl
		so.OnLeaseError = func(err error) { rare.warn("feed lease: waiting for the database", err) }
	}
	d.client = fetch.New(fo)
	p := &poll.Poller{
		Get: d.client, Store: db, PageConcurrency: 4, Observe: d.metrics,
		Rules:  func(host string) (*extract.Rules, string) { return siteRules(d.cfg.Load())(host) },
		Jitter: func(n time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(n))) },
	}
	d.sched = schedule.New(observed{p, d}, so)
	return d
}

// run serves and schedules until ctx ends, reloading the config on SIGHUP.
// The listener is opened first, so that a taken address fails at once.
// A process that only polls or only serves leaves the other part out.
func (d *daemon) run(ctx context.Context) error {
	cfg := d.cfg.Load()
	var ln net.Listener
	if d.role.serves() {
		var err error
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	ctx, stopLocal := context.WithCancel(ctx)
	// Its own variable: the goroutine below must not read ctx, which is
	// assigned again further down (a data race).
	localCtx := ctx
	if config.IsPostgres(d.db.Path()) {
		// A database allows many clients: commands open it themselves.
	} else if local, err := listenLocal(d.db.Path()); err != nil {
		d.e.log.Warn("no local channel: herald backup, stats and export cannot reach this daemon", "err", err)
	} else {
		localDone := make(chan struct{})
		go func() {
			if err := serveLocal(localCtx, local, localHandler(d.db, d.index, cfg.Listen)); err != nil {
				d.e.log.Error("local channel", "err", err)
			}
			close(localDone)
		}()
		defer func() { stopLocal(); <-localDone }()
	}
	defer stopLocal()

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	// A nil channel never receives: the part not run is never waited for.
	var served, scheduled chan error
	listening := "off"
	if ln != nil {
		served = make(chan error, 1)
		go func() { served <- serve.Serve(ctx, ln, d.server(cfg).Handler()) }()
		listening = "http://" + ln.Addr().String()
	}
	if d.role.polls() {
		scheduled = make(chan error, 1)
		d.sched.SetFeeds(pollFeeds(cfg))
		d.running.Store(true)
		go func() { scheduled <- d.sched.Run(ctx); d.running.Store(false) }()
	}
	d.e.log.Info("running", "role", string(d.role), "listen", listening, "feeds", len(cfg.Feeds), "archive", d.db.Path())

	gauges := time.NewTicker(gaugeEvery)
	defer gauges.Stop()
	var failure error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-hup:
			d.reload()
		case <-gauges.C:
			d.metrics.SetQueue(d.sched.QueueDepth())
			d.metrics.SetLag(d.sched.Lag())
		case err := <-served:
			failure, served = err, nil
			break loop
		case err := <-scheduled:
			failure = fmt.Errorf("scheduler: %w", err)
			scheduled <- nil // for the wait below
			break loop
		}
	}
	d.e.log.Info("stopping: canceling polls in flight")
	stop()
	if scheduled != nil {
		if err := <-scheduled; err != nil && failure == nil {
			failure = fmt.Errorf("scheduler: %w", err)
		}
		// No poll runs now: the sites this process held go to the others
		// at once rather than when their leases expire.
		d.client.ReleaseSites()
	}
	if served != nil {
		if err := <-served; err != nil && failure == nil {
			failure = err
		}
	}
	return failure
}

// server is the HTTP side of the daemon.
func (d *daemon) server(cfg *config.Config) *serve.Server {
	return serve.New(d.db, serve.Options{
		Search:  d.index,
		BaseURL: cfg.BaseURL,
		Listen:  cfg.Listen,
		Token:   d.token,
		Public:  cfg.PublicParts(),
		Metrics: d.metrics,
		Healthy: d.healthy,
		OnError: func(r *http.Request, err error) { d.e.log.Error("http", "path", r.URL.Path, "err", err) },
		Feeds:   func() []string { return feedNames(d.cfg.Load()) },
	})
}

// healthy: the archive is open (else nothing is served) and, in a process
// that polls, the scheduler runs.
func (d *daemon) healthy() error {
	if d.role.polls() && !d.running.Load() {
		return errors.New("scheduler not running")
	}
	return nil
}

// reload reads feeds.yaml again. A bad file is logged with all its errors
// and the running config kept; settings that cannot change while running
// are logged as such.
func (d *daemon) reload() {
	old := d.cfg.Load()
	cfg, err := config.Load(d.e.configPath)
	if err != nil {
		d.e.log.Error("config reload rejected; keeping the running config", "config", d.e.configPath,
			"errors", strings.Split(err.Error(), "\n"))
		return
	}
	for _, c := range []struct{ key, was, now string }{
		{"listen", old.Listen, cfg.Listen},
		{"archive", old.Archive, cfg.Archive},
		{"concurrency", fmt.Sprint(old.Concurrency), fmt.Sprint(cfg.Concurrency)},
		{"base_url", old.BaseURL, cfg.BaseURL},
		{"token_file", old.TokenFile, cfg.TokenFile},
		{"public", strings.Join(old.PublicParts(), ","), strings.Join(cfg.PublicParts(), ",")},
	} {
		if c.was != c.now && (c.key != "archive" || d.e.dbPath == "") {
			d.e.log.Warn("config change needs a restart", "key", c.key, "running", c.was, "new", c.now)
		}
	}
	logWarnings(d.e, cfg)
	cfg.Listen, cfg.Archive, cfg.Concurrency = old.Listen, old.Archive, old.Concurrency
	d.cfg.Store(cfg)
	if d.role.polls() {
		d.sched.SetFeeds(pollFeeds(cfg))
	}
	added, removed := feedNamesDiff(old, cfg)
	d.e.log.Info("config reloaded", "feeds", len(cfg.Feeds), "added", added, "removed", removed)
}

// logWarnings logs what herald check would warn about (site rules no feed
// is on), which does not stop the daemon.
func logWarnings(e *env, cfg *config.Config) {
	for _, w := range cfg.Warnings() {
		e.log.Warn("config warning", "at", fmt.Sprintf("%s:%d", w.File, w.Line), "field", w.Field, "warning", w.Msg)
	}
}

func feedNamesDiff(old, cfg *config.Config) (added, removed []string) {
	names := func(c *config.Config) []string {
		var ns []string
		for _, f := range c.Feeds {
			ns = append(ns, f.Name)
		}
		return ns
	}
	was, now := names(old), names(cfg)
	for _, n := range now {
		if !slices.Contains(was, n) {
			added = append(added, n)
		}
	}
	for _, n := range was {
		if !slices.Contains(now, n) {
			removed = append(removed, n)
		}
	}
	return added, removed
}

// logRequest logs a request as its site's gate lets it go, with the
// instant the site's gap counts from: what each site was sent and when,
// as Herald decided it, however late the request arrived (the
// many-pollers tests check politeness on these lines).
func (d *daemon) logRequest(site, url string, at time.Time) {
	d.e.log.Debug("request", "site", site, "url", url, "start", at)
}

// logOutcome logs a poll: quietly when nothing happened, at warning level
// when it failed or the feed is gone (once: gone feeds are not polled
// again).
func (d *daemon) logOutcome(o poll.Outcome) {
	log := d.e.log.With("feed", o.Feed.Name)
	switch {
	case o.Skipped != "":
		log.Warn("not polled", "url", o.Feed.URL, "reason", o.Skipped)
	case o.State.Outcome == herald.OutcomeGone:
		log.Warn("feed gone (HTTP 410): no longer polled; remove it from the config", "url", o.Feed.URL)
	case errors.Is(o.Err, context.Canceled):
		log.Debug("poll canceled")
	case o.Err != nil:
		log.Warn("poll failed", "url", o.State.URL, "kind", o.State.ErrorKind, "failures", o.State.ErrorCount,
			"err", o.Err, "next", o.State.NextPoll.Format(time.RFC3339))
	case o.NotModified:
		log.Debug("not modified", "next", o.State.NextPoll.Format(time.RFC3339))
	default:
		lvl := slog.LevelDebug
		if o.Result.New+o.Result.Updated > 0 {
			lvl = slog.LevelInfo
		}
		log.Log(context.Background(), lvl, "polled", "new", o.Result.New, "updated", o.Result.Updated,
			"duplicate", o.Result.Duplicate, "pages", o.Pages.Fetched, "pages_failed", o.Pages.Failed,
			"next", o.State.NextPoll.Format(time.RFC3339))
	}
	if o.Moved {
		log.Info("feed moved (permanent redirect); polling the new address", "config_url", o.Feed.URL, "url", o.State.URL)
	}
}

// observed is the poller with metrics around each poll.
type observed struct {
	p *poll.Poller
	d *daemon
}

func (ob observed) Poll(ctx context.Context, f poll.Feed) poll.Outcome {
	start := time.Now()
	o := ob.p.Poll(ctx, f)
	if o.Skipped != "" || !o.Deferred.IsZero() {
		return o
	}
	m := ob.d.metrics
	site := f.URL
	if u, err := url.Parse(f.URL); err == nil {
		site = fetch.Site(u.Host)
	}
	outcome := o.State.Outcome
	if outcome == "" {
		outcome = herald.OutcomeFailed
	}
	kind := ""
	if o.Err != nil {
		kind = o.State.ErrorKind
	}
	m.ObservePoll(f.Name, site, outcome, kind, time.Since(start), o.Bytes)
	m.ObserveArticles(f.Name, o.Result.New, o.Result.Updated, o.Result.Duplicate)
	return o
}
