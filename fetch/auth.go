package fetch

import (
	"net/url"
	"strings"
)

// credentials are a request's basic-auth user and the origin it belongs to.
type credentials struct {
	user   *url.Userinfo // nil: none
	origin *url.URL
}

// takeCredentials moves the credentials of r (its Username and Password,
// else those written in its URL) out of u, so that no URL kept, shown or
// returned carries them.
func takeCredentials(r *Request, u *url.URL) credentials {
	c := credentials{origin: &url.URL{Scheme: u.Scheme, Host: u.Host}}
	switch {
	case r.Username != "":
		c.user = url.UserPassword(r.Username, r.Password)
	case u.User != nil:
		c.user = u.User
	}
	u.User = nil
	return c
}

// forHop gives the credentials to send to u: only to their own origin, or
// to its https form (a site moving its feed to TLS); never to another host
// or port, and never back over plain http.
func (c credentials) forHop(u *url.URL) *url.Userinfo {
	if c.user == nil || !strings.EqualFold(u.Hostname(), c.origin.Hostname()) {
		return nil
	}
	if u.Scheme == c.origin.Scheme && port(u) == port(c.origin) {
		return c.user
	}
	if c.origin.Scheme == "http" && u.Scheme == "https" && port(c.origin) == "80" && port(u) == "443" {
		return c.user
	}
	return nil
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// SameOrigin reports whether credentials meant for the origin of owner may
// go with a request for target: the rule a Get applies to its redirect
// hops, for callers that decide which requests carry credentials (the
// article pages of a private feed).
func SameOrigin(owner, target string) bool {
	o, err1 := url.Parse(owner)
	t, err2 := url.Parse(target)
	if err1 != nil || err2 != nil || o.Host == "" {
		return false
	}
	c := credentials{user: url.User(""), origin: o}
	return c.forHop(t) != nil
}
