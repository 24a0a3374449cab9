// Package fetch is Herald's one HTTP client, for feed polls and article pages
// alike. It keeps the politeness owed to each site, bounds every request in
// time and size, and sorts failures into a few kinds of *Error.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"herald"
)

// Defaults for zero Options fields.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultMaxBody        = 8 << 20
	DefaultConcurrency    = 16
	// FeedAccept is sent when a Request gives no Accept.
	FeedAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"
	// PageAccept is the Accept of a request for an article page.
	PageAccept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
)

// maxRedirects is how many redirects a Get follows.
const maxRedirects = 5

// Options configure a Client. The zero value is usable.
type Options struct {
	UserAgent      string
	Timeout        time.Duration // one hop, from connecting to the last body byte; default 30s
	ConnectTimeout time.Duration // TCP connect, and the TLS handshake; default 10s
	HeaderTimeout  time.Duration // from sending the request to the response headers; default Timeout
	MaxBody        int64         // default 8 MiB; counted in decoded bytes
	Concurrency    int           // requests in flight over all sites; default 16
	// Limits gives each site's politeness; nil means DefaultSiteLimit for
	// all. It is called for every request, from many goroutines.
	Limits func(site string) SiteLimit
	Now    func() time.Time // the clock of Error.RetryAfter; nil means time.Now
	// Sites, when several processes poll one archive, leases each site to
	// one process at a time, so that Limits hold across them all (see
	// sitelease.go); nil means this process alone talks to every site.
	// LeaseTTL is how long a lease lasts unless renewed (default
	// DefaultLeaseTTL): how long a process that died keeps others from
	// its sites.
	Sites    Leases
	LeaseTTL time.Duration
	// Started, when set, is told of each request as its site's gate lets
	// it go, before it is sent: the site it counts against, its URL
	// without credentials, and the instant from which that site's gap
	// counts. It is called from many goroutines.
	Started func(site, url string, at time.Time)
}

// Client is the HTTP client. It is safe for concurrent use; one Client
// should serve the whole program, so that its politeness covers every
// request.
type Client struct {
	opts Options
	gate *gate
	// Two transports, so that a connection made without the private-address
	// check is never reused by a request that asked for it.
	direct *http.Transport
	public *http.Transport
}

// New returns a Client with the options, defaults filled in.
func New(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	g := newGate(o.Concurrency, o.Limits)
	g.leases, g.ttl = o.Sites, o.LeaseTTL
	return &Client{
		opts:   o,
		gate:   g,
		direct: newTransport(o, false),
		public: newTransport(o, true),
	}
}

func newTransport(o Options, denyPrivateAddrs bool) *http.Transport {
	d := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	proxy := http.ProxyFromEnvironment
	if denyPrivateAddrs {
		d.Control = denyPrivate
		// Through a proxy, the address checked would be the proxy's.
		proxy = nil
	}
	return &http.Transport{
		Proxy:                  proxy,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    64,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    o.ConnectTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		// We ask for gzip ourselves and decode it under our own limit.
		DisableCompression: true,
	}
}

// ReleaseSites gives back the site leases this client holds with nothing
// in flight, for a process that stops: other processes need not wait for
// them to expire.
func (c *Client) ReleaseSites() { c.gate.releaseAll() }

// CloseIdleConnections closes the connections kept alive for reuse.
func (c *Client) CloseIdleConnections() {
	c.direct.CloseIdleConnections()
	c.public.CloseIdleConnections()
}

// Request is one GET.
type Request struct {
	URL                string
	ETag, LastModified string        // validators for a conditional GET
	Accept             string        // default FeedAccept
	UserAgent          string        // overrides Options when set
	Timeout            time.Duration // overrides Options when > 0
	MaxBody            int64         // overrides Options when > 0
	// DenyPrivate refuses to connect to any address that is not public
	// (PublicAddr: loopback, private, link-local, the IANA special-purpose
	// ranges, and IPv6 forms embedding such an IPv4). The check is on the address dialed,
	// after resolution, so it holds for every redirect hop and against DNS
	// rebinding. Such requests bypass any proxy from the environment.
	DenyPrivate bool
	// Username and Password, when Username is set, are sent (HTTP basic
	// auth) to URL's origin, and to redirect hops on that origin (or its
	// https form), never elsewhere. Credentials written in URL itself
	// (user:pass@host) are taken the same way and removed from it: no
	// Response or Error carries them.
	Username, Password string
	// NoWait, with site leases (Options.Sites), makes a request whose site
	// another process holds fail at once with a *SiteBusyError rather than
	// wait for the site: a feed's poll can be taken up later, or by the
	// process that holds the site, and its slot meanwhile polls a feed of
	// another site. An article page, fetched in the middle of a poll, waits.
	NoWait bool
}

// SiteBusyError is a NoWait request's error when another process holds
// its site: this process will not ask for the site again before Until.
type SiteBusyError struct {
	Site  string
	Until time.Time
}

func (e *SiteBusyError) Error() string {
	return "site " + e.Site + " is another process's until " + e.Until.Format(time.RFC3339Nano)
}

// Response is a successful (2xx) or not-modified (304) response.
type Response struct {
	URL                string // the final URL, after redirects
	StatusCode         int
	NotModified        bool   // 304: the caller's copy is current
	Body               []byte // decoded; nil when NotModified
	ContentType        string
	ETag, LastModified string
	MaxAge             time.Duration // Cache-Control max-age; 0 if none, no-cache or no-store
	Expires            time.Time
	// PermanentRedirect is the final URL when the request was redirected
	// and every hop was 301 or 308, so that the caller may update the URL
	// it keeps; "" otherwise.
	PermanentRedirect string
	Header            http.Header
}

// Get fetches r.URL, following up to 5 redirects. Every failure, including a
// status other than 2xx and 304, is an *Error.
//
// Each hop waits for its site's politeness (bounded by ctx only), then has
// Timeout to complete. A site held back by Retry-After beyond ctx's deadline
// (or, without one, beyond the Timeout) fails at once with the error that
// asked for the hold.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	u, err := target(r.URL)
	if err != nil {
		return nil, err
	}
	auth := takeCredentials(&r, u)
	seen := map[string]bool{loopKey(u): true}
	permanent := true
	for redirects := 0; ; redirects++ {
		h, err := c.hop(ctx, &r, u, auth.forHop(u))
		if err != nil {
			return nil, err
		}
		if h.next == nil {
			h.resp.URL = u.String()
			if redirects > 0 && permanent {
				h.resp.PermanentRedirect = u.String()
			}
			return h.resp, nil
		}
		permanent = permanent && (h.status == http.StatusMovedPermanently || h.status == http.StatusPermanentRedirect)
		next := h.next
		switch {
		case next.Scheme != "http" && next.Scheme != "https":
			return nil, &Error{Kind: KindScheme, URL: u.Redacted(), Status: h.status, reason: "redirect to " + next.Scheme + ": refused"}
		case seen[loopKey(next)]:
			return nil, &Error{Kind: KindRedirect, URL: u.Redacted(), Status: h.status, reason: "redirect loop"}
		case redirects+1 > maxRedirects:
			return nil, &Error{Kind: KindRedirect, URL: u.Redacted(), Status: h.status, reason: "too many redirects"}
		}
		seen[loopKey(next)] = true
		u = next
	}
}

// target parses the URL a Get starts from.
func target(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &Error{Kind: KindOther, URL: herald.StoredURL(raw), Err: err, reason: "bad URL"}
	}
	switch {
	case u.Scheme == "":
		return nil, &Error{Kind: KindScheme, URL: herald.StoredURL(raw), reason: "bad URL: no scheme"}
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, &Error{Kind: KindScheme, URL: u.Redacted(), reason: "scheme " + u.Scheme + ": refused"}
	case u.Host == "" || u.Hostname() == "":
		return nil, &Error{Kind: KindOther, URL: u.Redacted(), reason: "bad URL: no host"}
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// loopKey is what makes two hops the same for loop detection.
func loopKey(u *url.URL) string {
	k := *u
	k.Host = strings.ToLower(k.Host)
	k.Fragment, k.RawFragment = "", ""
	return k.String()
}

// hopResult is one request's outcome: a response, or where it redirects.
type hopResult struct {
	resp   *Response
	next   *url.URL
	status int
}

// hop makes one request, holding its site's slot until the body is read.
// user, when not nil, is sent as basic auth.
func (c *Client) hop(ctx context.Context, r *Request, u *url.URL, user *url.Userinfo) (hopResult, error) {
	lim := c.limits(r)
	site := Site(u.Host)
	release, start, err := c.gate.acquire(ctx, site, c.holdDeadline(ctx, lim.timeout), r.NoWait)
	if busy := (*SiteBusyError)(nil); errors.As(err, &busy) {
		return hopResult{}, busy
	}
	if err != nil {
		return hopResult{}, c.gateError(ctx, u.Redacted(), err, lim)
	}
	defer release()
	if c.opts.Started != nil {
		c.opts.Started(site, herald.StoredURL(u.String()), start)
	}

	hopCtx, cancel := context.WithTimeoutCause(ctx, lim.timeout, errTimeout)
	defer cancel()
	reqCtx, cancelReq := context.WithCancelCause(hopCtx)
	defer cancelReq(nil)

	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, u.String(), nil)
	if err != nil {
		return hopResult{}, &Error{Kind: KindOther, URL: u.Redacted(), Err: err, reason: "bad URL"}
	}
	c.setHeaders(req, r)
	if user != nil {
		pass, _ := user.Password()
		req.SetBasicAuth(user.Username(), pass)
	}

	transport := c.direct
	if r.DenyPrivate {
		transport = c.public
	}
	headers := time.AfterFunc(lim.header, func() { cancelReq(errHeaderTimeout) })
	resp, err := transport.RoundTrip(req)
	headers.Stop()
	if err != nil {
		return hopResult{}, classify(u.Redacted(), err, ctx, reqCtx, lim)
	}
	defer resp.Body.Close()
	return c.handle(ctx, reqCtx, u, resp, r, lim)
}

// handle reads a response by its status.
func (c *Client) handle(ctx, reqCtx context.Context, u *url.URL, resp *http.Response, r *Request, lim limits) (hopResult, error) {
	code := resp.StatusCode
	switch {
	case code == http.StatusNotModified:
		return hopResult{resp: c.response(resp, nil), status: code}, nil
	case code >= 200 && code <= 299:
		body, err := readBody(resp.Body, resp.Header.Get("Content-Encoding"), resp.ContentLength, c.maxBody(r))
		if err != nil {
			return hopResult{}, c.bodyError(ctx, reqCtx, u.Redacted(), err, lim, c.maxBody(r))
		}
		return hopResult{resp: c.response(resp, body), status: code}, nil
	case isRedirect(code):
		drain(resp.Body)
		loc := resp.Header.Get("Location")
		if loc == "" {
			return hopResult{}, &Error{Kind: KindRedirect, URL: u.Redacted(), Status: code, reason: statusReason(code) + " without Location"}
		}
		next, err := u.Parse(loc)
		if err != nil {
			return hopResult{}, &Error{Kind: KindRedirect, URL: u.Redacted(), Status: code, Err: err, reason: "bad redirect Location"}
		}
		next.Fragment, next.RawFragment = "", ""
		// Credentials a server writes into a Location are not taken: they
		// would be kept and shown with the URL.
		next.User = nil
		return hopResult{next: next, status: code}, nil
	}
	drain(resp.Body)
	var until time.Time
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		now := c.opts.Now()
		until = retryAfter(resp.Header.Get("Retry-After"), now)
		if wait := until.Sub(now); wait > 0 {
			c.gate.hold(Site(u.Host), time.Now().Add(wait), code)
		}
	}
	return hopResult{}, statusError(u.Redacted(), code, until)
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// drain reads a little of a body we do not want, so that a keep-alive
// connection can be reused, without waiting on a large one.
func drain(body io.Reader) {
	_, _ = io.CopyN(io.Discard, body, 4<<10)
}

func (c *Client) setHeaders(req *http.Request, r *Request) {
	ua := c.opts.UserAgent
	if r.UserAgent != "" {
		ua = r.UserAgent
	}
	accept := r.Accept
	if accept == "" {
		accept = FeedAccept
	}
	h := req.Header
	if ua != "" {
		h.Set("User-Agent", ua)
	}
	h.Set("Accept", accept)
	h.Set("Accept-Encoding", acceptEncoding)
	if r.ETag != "" {
		h.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		h.Set("If-Modified-Since", r.LastModified)
	}
}

func (c *Client) response(resp *http.Response, body []byte) *Response {
	h := resp.Header
	return &Response{
		StatusCode:   resp.StatusCode,
		NotModified:  resp.StatusCode == http.StatusNotModified,
		Body:         body,
		ContentType:  h.Get("Content-Type"),
		ETag:         h.Get("ETag"),
		LastModified: h.Get("Last-Modified"),
		MaxAge:       maxAge(h.Values("Cache-Control")),
		Expires:      expires(h.Get("Expires")),
		Header:       h,
	}
}

func (c *Client) limits(r *Request) limits {
	l := limits{timeout: c.opts.Timeout, header: c.opts.HeaderTimeout, connect: c.opts.ConnectTimeout}
	if r.Timeout > 0 {
		l.timeout = r.Timeout
	}
	if l.header <= 0 || l.header > l.timeout {
		l.header = l.timeout
	}
	return l
}

func (c *Client) maxBody(r *Request) int64 {
	if r.MaxBody > 0 {
		return r.MaxBody
	}
	return c.opts.MaxBody
}

// holdDeadline is how long a request will wait out a Retry-After hold.
func (c *Client) holdDeadline(ctx context.Context, timeout time.Duration) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(timeout)
}

// gateError explains why a request never started.
func (c *Client) gateError(ctx context.Context, u string, err error, lim limits) *Error {
	var held *heldError
	if !errors.As(err, &held) {
		return classify(u, err, ctx, ctx, lim)
	}
	e := statusError(u, held.status, c.opts.Now().Add(time.Until(held.until)))
	e.reason = "held back by Retry-After (" + statusReason(held.status) + ")"
	return e
}

func (c *Client) bodyError(ctx, reqCtx context.Context, u string, err error, lim limits, maxBody int64) *Error {
	if errors.Is(err, errTooLarge) {
		return &Error{Kind: KindTooLarge, URL: u, Err: err, reason: "body over max_body " + size(maxBody)}
	}
	var de *decodeError
	if errors.As(err, &de) && reqCtx.Err() == nil {
		return &Error{Kind: KindOther, URL: u, Err: err, reason: de.Error()}
	}
	return classify(u, err, ctx, reqCtx, lim)
}

// size writes n bytes the way feeds.yaml does: 8MiB, 512KiB, 100B.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
