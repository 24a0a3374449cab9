// Package serve is Herald's HTTP side: the merged feed in Atom, RSS 2.0 and
// JSON Feed (its writers are exported for `herald export`), the JSON API, a
// status page, health and Prometheus metrics. No endpoint changes anything.
package serve

import (
	"errors"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"herald"
	"herald/archive"
	"herald/internal/memo"
)

// Archive is what the server reads; *archive.DB provides it.
type Archive interface {
	// Recent lists articles newest first, and a cursor for the next page
	// ("" at the end); a cursor it did not make is archive.ErrBadCursor.
	Recent(q archive.Query) ([]herald.Article, string, error)
	// Article returns one article, or an error wrapping archive.ErrNotFound.
	Article(id string) (herald.Article, error)
	FeedStates() ([]herald.FeedState, error)
	Stats() (archive.Stats, error)
	// LastChange is when articles last changed and a counter bumped by
	// every change.
	LastChange() (time.Time, uint64)
}

var _ Archive = (*archive.DB)(nil)

// pinger is an archive that can say cheaply whether it is open. Without it
// /healthz reads the feed states instead.
type pinger interface{ Ping() error }

// Options configure a Server. The zero value works.
type Options struct {
	// Title names the merged feed; "" means "Herald".
	Title string
	// BaseURL is the absolute URL the server is reached at (scheme, host
	// and any path prefix), for the feeds' links and ids. "" means the
	// scheme and Host of each request, which is one of the server's own
	// names (see Listen).
	BaseURL string
	// Listen is the address the server listens on (host:port). Requests
	// must name the server by its host, by BaseURL's host, by localhost
	// or by a loopback address; others are refused with 421, which
	// defeats DNS rebinding. When Listen's host is every address (empty,
	// 0.0.0.0 or ::), any IP address is accepted too.
	Listen string
	// Token, when not "", is asked of every request for a part not in
	// Public: as `Authorization: Bearer TOKEN`, a cookie, or `token=` in
	// the query (which, for a page, sets the cookie).
	Token string
	// Public names the parts (PartFeeds, PartAPI, PartMetrics, PartPages)
	// served without the token. /healthz is always open.
	Public []string
	// Metrics are served on /metrics; nil serves an empty set.
	Metrics *Metrics
	// Healthy says whether the scheduler runs; nil means it does.
	Healthy func() error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnError hears about errors answered with a 5xx status, for logging;
	// nil drops them.
	OnError func(r *http.Request, err error)
	// Feeds names the feeds the config has now, so that a feed removed by
	// a reload leaves the status page and /api/feeds, and one not polled
	// yet shows as pending; nil shows every feed the archive has a state for.
	Feeds func() []string
	// StatusRefresh is how often the status page reloads itself; 0 means
	// a minute.
	StatusRefresh time.Duration
	// PageBytes bounds the articles' text and HTML on one page of the
	// merged feed or the API: a page is cut before it would hold more, and
	// its next link points to the rest. 0 means DefaultPageBytes.
	PageBytes int
	// Search answers q=; nil answers it with a 400.
	Search Searcher
}

// DefaultPageBytes keeps a page of usual articles (a few KB each) whole up
// to the most a reader may ask for, and a page of huge ones to a few
// megabytes of body.
const DefaultPageBytes = 4 << 20

// maxRenders is how many pages are rendered at once; more requests for
// pages not cached wait. Rendering is CPU work, so more would not finish
// sooner, and each render holds up to a few times PageBytes.
const maxRenders = 2

// Server answers Herald's HTTP requests. It is safe for concurrent use.
type Server struct {
	a       Archive
	o       Options
	cache   *renderCache
	clean   *memo.Memo[string] // sanitised HTML of served articles
	stats   statsCache
	status  *template.Template
	metrics http.Handler
	renders chan struct{} // one token for each render under way
	guard   *guard
}

// Bounds of the rendered-body cache: enough for the usual handful of feed
// URLs readers poll, in three formats, with room for paging.
const (
	cacheItems = 128
	cacheBytes = 64 << 20
)

// New returns a server reading a.
func New(a Archive, o Options) *Server {
	if o.Title == "" {
		o.Title = "Herald"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	if o.StatusRefresh <= 0 {
		o.StatusRefresh = time.Minute
	}
	if o.PageBytes <= 0 {
		o.PageBytes = DefaultPageBytes
	}
	o.BaseURL = strings.TrimSuffix(o.BaseURL, "/")
	return &Server{
		a:       a,
		o:       o,
		cache:   newRenderCache(cacheItems, cacheBytes),
		clean:   newSanitizedMemo(),
		status:  statusTemplate(),
		metrics: o.Metrics.Handler(),
		renders: make(chan struct{}, maxRenders),
		guard:   newGuard(o),
	}
}

// Handler routes the endpoints of DESIGN.md, for requests addressed to the
// server's own names and, where a token is set, carrying it. Only GET and
// HEAD are allowed.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.atom", s.feedHandler(atomFormat))
	mux.HandleFunc("/feed.rss", s.feedHandler(rssFormat))
	mux.HandleFunc("/feed.json", s.feedHandler(jsonFeedFormat))
	mux.HandleFunc("/api/articles", s.feedHandler(apiFormat))
	mux.HandleFunc("/api/articles/{id}", s.handleArticle)
	mux.HandleFunc("/api/feeds", s.handleFeeds)
	mux.HandleFunc("/healthz", s.handleHealth)
	mux.Handle("/metrics", s.metrics)
	mux.HandleFunc("/status", s.handleStatus)
	mux.HandleFunc("/{$}", s.handleReading)
	mux.HandleFunc("/read/{id}", s.handleRead)
	return readOnly(s.guard.wrap(mux))
}

// readOnly refuses every method but GET and HEAD, and sets the headers
// that keep a browser from running anything served.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox")
		h.Set("Referrer-Policy", "no-referrer")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed: this server only reads", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// baseURL is where links point: Options.BaseURL, else this request's
// scheme and host.
func (s *Server) baseURL(r *http.Request) string {
	if s.o.BaseURL != "" {
		return s.o.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" || strings.ContainsAny(host, "/\\?#@ \"<>") {
		host = "localhost"
	}
	return scheme + "://" + host
}

// fail reports err and answers 500; failJSON does so for the API, in JSON.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if s.o.OnError != nil {
		s.o.OnError(r, err)
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func (s *Server) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	if s.o.OnError != nil {
		s.o.OnError(r, err)
	}
	writeJSONError(w, http.StatusInternalServerError, "internal error")
}

// statsCache keeps the archive's counts for one change counter: counting
// reads the whole feed index, and the status page and /api/feeds need it
// on every request.
type statsCache struct {
	mu    sync.Mutex
	valid bool
	n     uint64
	stats archive.Stats
}

func (s *Server) archiveStats() (archive.Stats, error) {
	_, n := s.a.LastChange()
	c := &s.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.valid && c.n == n {
		return c.stats, nil
	}
	st, err := s.a.Stats()
	if err != nil {
		return archive.Stats{}, err
	}
	c.valid, c.n, c.stats = true, n, st
	return st, nil
}

// handleHealth answers 200 while the archive is open and the scheduler
// runs.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.healthy(); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("unhealthy: " + err.Error() + "\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

func (s *Server) healthy() error {
	var err error
	if p, ok := s.a.(pinger); ok {
		err = p.Ping()
	} else {
		_, err = s.a.FeedStates()
	}
	if err != nil {
		return errors.New("archive: " + oneLine(err.Error()))
	}
	if s.o.Healthy != nil {
		if err := s.o.Healthy(); err != nil {
			return errors.New("scheduler: " + oneLine(err.Error()))
		}
	}
	return nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
