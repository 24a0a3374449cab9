package config

import (
	"net"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Warnings lists what in a valid config is probably a mistake but does not
// stop Herald: a sites: entry that no feed's host is on, whose rules then
// apply only to pages that feeds of other sites link to, or that no host can
// take rules from at all. In line order.
func (c *Config) Warnings() []Error {
	feedSites := map[string]bool{}
	for _, f := range c.Feeds {
		if u, err := url.Parse(f.URL); err == nil {
			feedSites[registrable(u.Hostname())] = true
		}
	}
	var out []Error
	for key, s := range c.Sites {
		host := key
		if h, _, err := net.SplitHostPort(key); err == nil {
			host = h
		}
		w := Error{File: c.Path, Line: s.Line, Field: "sites[" + key + "]"}
		switch site := registrable(host); {
		case site == "":
			w.Msg = "is a public suffix: no host takes rules from it (name the site's own domain)"
		case !feedSites[site]:
			w.Msg = "no feed is on " + site + ", so these rules apply only to pages that other sites' feeds link to"
		default:
			continue
		}
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b Error) int { return a.Line - b.Line })
	return out
}

// registrable is the site a host belongs to, as SiteFor walks up to it: its
// registrable domain, or the host itself when it is an address or a single
// label; "" when the host is a public suffix such as "co.uk".
func registrable(host string) string {
	host = strings.ToLower(strings.Trim(strings.TrimSuffix(host, "."), "[]"))
	if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return host
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return ""
	}
	return site
}
