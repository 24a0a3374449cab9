package fetch

import (
	"net"
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Site returns the site a host belongs to, the unit of politeness: its
// registrable domain ("news.example.co.kr" and "www.example.co.kr" are both
// "example.co.kr"), lower-cased and without port. IP addresses, single-label
// hosts such as localhost, and hosts that are themselves public suffixes are
// their own site.
func Site(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	host = strings.TrimRight(host, ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return host
	}
	if !strings.Contains(host, ".") {
		return host
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return site
}
