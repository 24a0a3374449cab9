// Package config reads feeds.yaml: the feeds to poll, the settings that govern
// polling and fetching, and the per-site extraction rules. Decoding is strict
// and every problem is reported with its file and line (see Errors).
package config

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Config is a decoded, validated feeds.yaml.
type Config struct {
	Path string // file it was read from, as given
	// Archive is the absolute path of the bbolt file: `archive:` taken
	// relative to the config's directory, default "herald.db" beside it;
	// or a PostgreSQL URL (IsPostgres) without its password (SplitDSN).
	Archive string
	// ArchivePassword is the PostgreSQL archive's password, from the URL
	// as written or from `archive_password_file:`; "" leaves it to
	// PGPASSWORD or ~/.pgpass.
	ArchivePassword Secret
	// SearchIndex is `search_index:` made absolute, the directory of the
	// search index; "" when not set (beside a bbolt file, or in the user's
	// cache directory for a database).
	SearchIndex string
	Listen      string // host:port; default "127.0.0.1:8080"
	// BaseURL is `base_url:`, the public address readers reach the daemon
	// at, without a trailing slash; "" when not set. Its host is accepted
	// in requests, and links are made from it.
	BaseURL string
	// TokenFile is `token_file:` made absolute; the token in it is asked
	// of requests for the parts not public. "" when not set.
	TokenFile string
	tokenLine int
	// Public is `public:`, the parts served without a token (see Parts);
	// nil when not set, which means DefaultPublic.
	Public []string
	// Concurrency is the top-level `concurrency:`, the global limit on
	// requests in flight (default 16). It is an addition to DESIGN.md, which
	// only limits requests per site.
	Concurrency int
	Defaults    Settings
	Feeds       []Feed          // in file order, each with Defaults merged in
	Sites       map[string]Site // key: lower-case host or host:port as written
}

// Settings are the keys of `defaults:`, each of which a feed may override.
type Settings struct {
	// Interval is how often to poll; a scheduler may adapt it within
	// [MinInterval, MaxInterval]. Defaults 30m, 5m, 24h.
	Interval, MinInterval, MaxInterval time.Duration
	FullText                           bool          // fetch and extract each new entry's page; default true
	Timeout                            time.Duration // per request; default 30s
	MaxBody                            int64         // bytes read of any response; default 8 MiB
	UserAgent                          string
	SiteConcurrency                    int           // requests in flight to one site; default 2
	SiteGap                            time.Duration // least time between two requests to one site; default 1s
}

// Feed is one entry of `feeds:`.
type Feed struct {
	Name string // unique; defaults to the URL's host, then host and path (see defaultName)
	URL  string // absolute http or https
	Tags []string
	// AllowPrivate (`allow_private: true`) lets Herald fetch this feed's
	// article pages on loopback and private addresses, which it refuses by
	// default so that a feed cannot point it at the local network. An
	// addition to DESIGN.md.
	AllowPrivate bool
	// Username and Password are sent with the feed's requests (HTTP basic
	// auth), from `username:` and `password_file:`, or from user:password@
	// in the URL as written, which URL then no longer holds: nothing
	// Herald stores, serves, logs or exports carries them.
	Username string
	Password Secret
	Settings     // effective settings: Defaults with the feed's own keys over them
	Line     int // line of the feed in the file
}

// Site is one entry of `sites:`: extraction rules and politeness for a host
// and its subdomains.
type Site struct {
	Host            string   // the key, lower-cased
	Body            string   // CSS selector of the article body
	Strip           []string // CSS selectors removed before extraction
	StripText       []string // lines of exactly this text are dropped
	Timezone        *time.Location
	TimezoneName    string
	SiteConcurrency int            // 0: not set
	SiteGap         *time.Duration // nil: not set
	Line            int
}

// Built-in defaults, used for keys that `defaults:` leaves out.
const (
	DefaultListen      = "127.0.0.1:8080"
	DefaultArchive     = "herald.db"
	DefaultConcurrency = 16
	DefaultUserAgent   = "Herald/1.0 (+https://github.com/herald/herald)"
)

// DefaultSettings returns the settings used when `defaults:` sets nothing.
func DefaultSettings() Settings {
	return Settings{
		Interval:        30 * time.Minute,
		MinInterval:     5 * time.Minute,
		MaxInterval:     24 * time.Hour,
		FullText:        true,
		Timeout:         30 * time.Second,
		MaxBody:         8 << 20,
		UserAgent:       DefaultUserAgent,
		SiteConcurrency: 2,
		SiteGap:         time.Second,
	}
}

// Load reads and parses the config file at path. A file that cannot be read
// gives that error; a file with problems gives *Errors.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes and validates data, naming path in errors and resolving
// `archive:` against path's directory. On any problem it returns *Errors
// listing all of them.
func Parse(data []byte, path string) (*Config, error) {
	d := &decoder{file: path}
	c := d.decode(data)
	if len(d.errs) > 0 {
		return nil, d.errors()
	}
	return c, nil
}

// Feed returns the feed with the given name.
func (c *Config) Feed(name string) (Feed, bool) {
	for _, f := range c.Feeds {
		if f.Name == name {
			return f, true
		}
	}
	return Feed{}, false
}

// SiteFor returns the site rules for a host (as in a URL: "news.example.co.kr",
// "127.0.0.1:8080"): every entry that matches it, merged field by field with
// the most specific first, so that an entry setting only politeness for a
// subdomain keeps its parent's extraction rules. The entries tried, in order:
// "host:port", the host, then its parent domains up to the registrable
// domain (as fetch.Site reckons it; an address or a single label has no
// parents). Case does not matter. Host and Line are those of the most
// specific entry found.
func (c *Config) SiteFor(host string) (Site, bool) {
	var merged Site
	found := false
	for _, key := range siteKeysFor(host) {
		s, ok := c.Sites[key]
		if !ok {
			continue
		}
		if !found {
			merged, found = s, true
			continue
		}
		merged = merged.under(s)
	}
	return merged, found
}

// under fills the fields s leaves unset from parent, a less specific entry.
func (s Site) under(parent Site) Site {
	if s.Body == "" {
		s.Body = parent.Body
	}
	if s.Strip == nil {
		s.Strip = parent.Strip
	}
	if s.StripText == nil {
		s.StripText = parent.StripText
	}
	if s.Timezone == nil {
		s.Timezone, s.TimezoneName = parent.Timezone, parent.TimezoneName
	}
	if s.SiteConcurrency == 0 {
		s.SiteConcurrency = parent.SiteConcurrency
	}
	if s.SiteGap == nil {
		s.SiteGap = parent.SiteGap
	}
	return s
}

// siteKeysFor lists the sites: keys that may match host, most specific
// first.
func siteKeysFor(host string) []string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	var keys []string
	if h, _, err := net.SplitHostPort(host); err == nil {
		keys = append(keys, host)
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]" // IPv6, written as in a URL
		}
	}
	keys = append(keys, host)
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return keys // an address has no parent domains
	}
	top, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return keys // a single label, or itself a public suffix
	}
	for host != top {
		i := strings.IndexByte(host, '.')
		if i < 0 {
			break
		}
		host = host[i+1:]
		keys = append(keys, host)
	}
	return keys
}
