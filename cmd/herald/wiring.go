package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"herald/archive"
	"herald/config"
	"herald/extract"
	"herald/fetch"
	"herald/poll"
)

// loadConfig reads the config; a bad one is a usage error (exit 2) that
// lists every problem, one per line.
func loadConfig(e *env) (*config.Config, error) {
	cfg, err := config.Load(e.configPath)
	if err != nil {
		return nil, usageError{err}
	}
	e.configIndex, e.configPassword = cfg.SearchIndex, cfg.ArchivePassword
	return cfg, nil
}

// archivePath is the archive the command works on: a bbolt file's path,
// or a database URL without its password (what Herald shows of it).
func archivePath(e *env, cfg *config.Config) string {
	if e.dbPath != "" {
		return e.dbPath
	}
	return cfg.Archive
}

// password is the password of a PostgreSQL archive: that of --db's URL,
// else the loaded config's (its URL or archive_password_file:); "" leaves
// it to PGPASSWORD.
func (e *env) password() config.Secret {
	if e.dbPassword != "" {
		return e.dbPassword
	}
	return e.configPassword
}

// engineName names the engine of the archive at path, for people.
func engineName(path string) string {
	if config.IsPostgres(path) {
		return "PostgreSQL"
	}
	return "bbolt"
}

// openArchive opens the archive, failing at once when a daemon holds it.
// The archive's errors name its path already.
func openArchive(e *env, cfg *config.Config) (*archive.DB, error) {
	return openAt(archivePath(e, cfg), e.password(), archive.Options{LockTimeout: 500 * time.Millisecond, SanitizeHTML: extract.SanitizeHTML})
}

// openReaderAt opens the archive at path read-only: it never creates one,
// and leaves a file's bytes as they are.
func openReaderAt(path string, pw config.Secret) (*archive.DB, error) {
	return openAt(path, pw, archive.Options{ReadOnly: true, LockTimeout: 500 * time.Millisecond})
}

// existingArchive is the config's archive path, for a command that reads
// the file itself (verify, salvage): a missing file is refused, never made.
func existingArchive(e *env, cmd string) (string, error) {
	cfg, err := loadConfig(e)
	if err != nil {
		return "", err
	}
	path := archivePath(e, cfg)
	if config.IsPostgres(path) {
		return "", usagef("%s reads a bbolt file; %s is a PostgreSQL database, which PostgreSQL itself keeps sound", cmd, path)
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return "", noArchive(path)
	}
	return path, nil
}

// noArchive is how every command that only reads says that the archive is
// missing: most often a typo in --db.
func noArchive(path string) error {
	return fmt.Errorf("no archive at %s (check --db or the config's archive:)", path)
}

// withArchive serves a command that only reads the archive: through the
// running daemon (request on the local channel, its answer copied to w)
// when one holds a bbolt archive, else by opening it read-only for
// direct. A database allows many clients: it is opened directly.
func withArchive(ctx context.Context, e *env, cfg *config.Config, request string, w io.Writer, direct func(*archive.DB) error) error {
	path := archivePath(e, cfg)
	if !config.IsPostgres(path) {
		if err := askDaemon(ctx, path, request, w); !errors.Is(err, errNoDaemon) {
			return err
		}
	}
	db, err := openReaderAt(path, e.password())
	if err != nil {
		return err
	}
	err = direct(db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// openConfigArchive loads the config and opens its archive: what every
// command that reads or writes the archive starts with.
func openConfigArchive(e *env) (*config.Config, *archive.DB, error) {
	cfg, err := loadConfig(e)
	if err != nil {
		return nil, nil, err
	}
	db, err := openArchive(e, cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

// closeArchive brings the search index up to date with what the command
// wrote, closes db, and reports a failure of either unless an earlier
// error is being returned. (An index left behind catches up the next time.)
func closeArchive(e *env, db *archive.DB, err *error) {
	if ierr := keepIndex(context.Background(), e, db); ierr != nil && *err == nil {
		*err = fmt.Errorf("search index: %w", ierr)
	}
	if cerr := db.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("close archive %s: %w", db.Path(), cerr)
	}
}

// newClient builds the one HTTP client of the program, with the config's
// politeness per site.
func newClient(cfg *config.Config) *fetch.Client {
	return fetch.New(fetch.Options{
		UserAgent:   cfg.Defaults.UserAgent,
		Timeout:     cfg.Defaults.Timeout,
		MaxBody:     cfg.Defaults.MaxBody,
		Concurrency: cfg.Concurrency,
		Limits:      func(site string) fetch.SiteLimit { return siteLimit(cfg, site) },
	})
}

// siteLimit is the politeness for a site (a registrable domain, the unit
// fetch limits by). Every sites: entry on that site counts, whether written
// for the domain, a subdomain or a host:port, and where several set a limit
// the strictest wins: the gate cannot tell their requests apart.
func siteLimit(cfg *config.Config, site string) fetch.SiteLimit {
	l := fetch.SiteLimit{Concurrency: cfg.Defaults.SiteConcurrency, Gap: cfg.Defaults.SiteGap}
	conc, gap := 0, time.Duration(-1)
	for key, s := range cfg.Sites {
		if fetch.Site(key) != site {
			continue
		}
		if s.SiteConcurrency > 0 && (conc == 0 || s.SiteConcurrency < conc) {
			conc = s.SiteConcurrency
		}
		if s.SiteGap != nil && *s.SiteGap > gap {
			gap = *s.SiteGap
		}
	}
	if conc > 0 {
		l.Concurrency = conc
	}
	if gap >= 0 {
		l.Gap = gap
	}
	return l
}

func pollFeeds(cfg *config.Config) []poll.Feed {
	feeds := make([]poll.Feed, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		feeds[i] = pollFeed(f)
	}
	return feeds
}

// feedNames are the names of the config's feeds, for the status page.
func feedNames(cfg *config.Config) []string {
	names := make([]string, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		names[i] = f.Name
	}
	return names
}

func pollFeed(f config.Feed) poll.Feed {
	return poll.Feed{
		Name: f.Name, URL: f.URL, Tags: f.Tags, FullText: f.FullText,
		Timeout: f.Timeout, MaxBody: f.MaxBody, UserAgent: f.UserAgent, AllowPrivate: f.AllowPrivate,
		Username: f.Username, Password: string(f.Password),
		Interval: f.Interval, MinInterval: f.MinInterval, MaxInterval: f.MaxInterval,
	}
}

// siteRules looks up the extraction rules for a page's host (with its port,
// if the URL has one).
func siteRules(cfg *config.Config) poll.Rules {
	return func(host string) (*extract.Rules, string) {
		s, ok := cfg.SiteFor(host)
		if !ok || (s.Body == "" && len(s.Strip) == 0 && len(s.StripText) == 0 && s.Timezone == nil) {
			return nil, ""
		}
		return &extract.Rules{Body: s.Body, Strip: s.Strip, StripText: s.StripText, Timezone: s.Timezone}, s.Host
	}
}

// rulesFor is siteRules for one page URL.
func rulesFor(cfg *config.Config, pageURL string) (*extract.Rules, string) {
	u, err := url.Parse(pageURL)
	if err != nil || cfg == nil {
		return nil, ""
	}
	return siteRules(cfg)(u.Host)
}

func newPoller(cfg *config.Config, client *fetch.Client, db *archive.DB) *poll.Poller {
	return &poll.Poller{Get: client, Store: db, Rules: siteRules(cfg), PageConcurrency: 4}
}

// openAt opens the archive at path (a file, or a database URL without its
// password) with password pw for a database; a read-only open of a
// missing archive is noArchive.
func openAt(path string, pw config.Secret, o archive.Options) (*archive.DB, error) {
	o.Password = string(pw)
	db, err := archive.Open(path, o)
	if errors.Is(err, archive.ErrNoArchive) {
		return nil, noArchive(path)
	}
	return db, err
}
