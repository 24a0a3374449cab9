package serve

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Parts of what the server serves, for Options.Public; feeds.yaml's
// `public:` names them the same.
const (
	PartFeeds   = "feeds"   // /feed.atom, /feed.rss, /feed.json
	PartAPI     = "api"     // /api/…
	PartMetrics = "metrics" // /metrics
	PartPages   = "pages"   // every other path: the HTML pages
)

// tokenCookie carries the token for a browser, which cannot send a header
// when it follows a link.
const tokenCookie = "herald_token"

// partOf is the part path belongs to, "" for /healthz, which is always
// open: it says only whether Herald runs. A path of no known part is a
// page, so that a page added later is private by default.
func partOf(path string) string {
	switch {
	case path == "/healthz":
		return ""
	case strings.HasPrefix(path, "/feed."):
		return PartFeeds
	case path == "/api" || strings.HasPrefix(path, "/api/"):
		return PartAPI
	case path == "/metrics":
		return PartMetrics
	}
	return PartPages
}

// guard keeps the server to requests addressed to it by one of its own
// names, which defeats DNS rebinding (a page whose host name an attacker
// points at 127.0.0.1 has the attacker's name in Host), and asks for the
// token where one is set.
type guard struct {
	names  map[string]bool // lower-case host names and IP addresses
	anyIP  bool            // the server listens on every address
	token  string
	public map[string]bool
	https  bool // the base URL is https: the cookie is for https only
}

func newGuard(o Options) *guard {
	g := &guard{names: map[string]bool{"localhost": true}, token: o.Token, public: map[string]bool{}}
	if u, err := url.Parse(o.BaseURL); err == nil && u.Hostname() != "" {
		g.add(u.Hostname())
		g.https = u.Scheme == "https"
	}
	if host, _, err := net.SplitHostPort(o.Listen); err == nil {
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			g.anyIP = true
		} else {
			g.add(host)
		}
	}
	for _, p := range o.Public {
		g.public[p] = true
	}
	return g
}

func (g *guard) add(host string) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	g.names[host] = true
}

// knows says whether a request's Host names this server: localhost, a
// loopback address, the listen address's host or the base URL's; with
// anyIP, any IP address too (an address is never rebound).
func (g *guard) knows(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), "."))
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback() || g.anyIP || g.names[ip.String()]
	}
	return host != "" && g.names[host]
}

// wrap answers 400 to a request without a Host, 421 to one for another
// host, 401 to one for a private part without the token, and passes the
// rest to next.
func (g *guard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Host == "":
			http.Error(w, "bad request: no Host header", http.StatusBadRequest)
			return
		case !g.knows(r.Host):
			http.Error(w, "misdirected request: this server answers only for its own host names", http.StatusMisdirectedRequest)
			return
		}
		if p := partOf(r.URL.Path); g.token != "" && p != "" && !g.public[p] && !g.authorized(w, r, p) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorized says whether r carries the token, as `Authorization: Bearer`,
// as the cookie, or as `token=` in the query (for a feed reader that cannot
// send a header). A page asked for with the token in its query is
// redirected to its address without it, with the cookie set, so that the
// token leaves the address bar and the browser's history. When it returns
// false it has answered.
func (g *guard) authorized(w http.ResponseWriter, r *http.Request, part string) bool {
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && g.is(strings.TrimSpace(auth)) {
		return true
	}
	if c, err := r.Cookie(tokenCookie); err == nil && g.is(c.Value) {
		return true
	}
	q := r.URL.Query()
	if !q.Has("token") || !g.is(q.Get("token")) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
		msg := "this part of Herald needs its token: send Authorization: Bearer TOKEN, or add ?token=TOKEN"
		if part == PartAPI {
			writeJSONError(w, http.StatusUnauthorized, msg)
		} else {
			http.Error(w, msg, http.StatusUnauthorized)
		}
		return false
	}
	if part != PartPages {
		return true
	}
	http.SetCookie(w, &http.Cookie{
		Name: tokenCookie, Value: g.token, Path: "/", HttpOnly: true,
		Secure: g.https || r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
	q.Del("token")
	clean := *r.URL
	clean.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, clean.RequestURI(), http.StatusSeeOther)
	return false
}

// is compares s with the token in constant time.
func (g *guard) is(s string) bool {
	return subtle.ConstantTimeCompare([]byte(s), []byte(g.token)) == 1
}
