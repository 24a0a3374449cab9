package fetch

import (
	"strings"
	"testing"
)

func TestSite(t *testing.T) {
	tests := []struct{ host, want string }{
		{"news.example.co.kr", "example.co.kr"},
		{"www.example.co.kr", "example.co.kr"},
		{"WWW.KoreaHerald.com", "koreaherald.com"},
		{"www.koreaherald.com:8443", "koreaherald.com"},
		{"example.com.", "example.com"},
		{"a.b.c.example.org", "example.org"},
		{"user.github.io", "user.github.io"}, // a private public suffix
		{"co.kr", "co.kr"},                   // a public suffix is its own site
		{"localhost", "localhost"},
		{"localhost:8080", "localhost"},
		{"127.0.0.1", "127.0.0.1"},
		{"127.0.0.1:8080", "127.0.0.1"},
		{"[::1]:8080", "::1"},
		{"[2001:DB8::1]", "2001:db8::1"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Site(tt.host); got != tt.want {
			t.Errorf("Site(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func FuzzSite(f *testing.F) {
	for _, s := range []string{"news.example.co.kr", "[::1]:80", "localhost", "..", "a..b.com", ":", "[", "xn--p1ai"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		site := Site(host)
		if site != strings.ToLower(site) {
			t.Errorf("Site(%q) = %q, not lower-case", host, site)
		}
		if hostname(host) && Site(site) != site {
			// Cutting a site down again must not change it.
			t.Errorf("Site(Site(%q)) = %q, want %q", host, Site(site), site)
		}
	})
}

// hostname reports whether s is made of the characters of a DNS name.
func hostname(s string) bool {
	return s != "" && strings.Trim(strings.ToLower(s), "abcdefghijklmnopqrstuvwxyz0123456789-.") == ""
}
