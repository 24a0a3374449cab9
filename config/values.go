package config

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"herald"
)

// sizeUnits are the suffixes max_body accepts. Matching ignores case, so
// "8mib" is 8 MiB; KB and MB are the decimal units, as disks use them.
var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"kb":  1000,
	"kib": 1 << 10,
	"mb":  1000 * 1000,
	"mib": 1 << 20,
	"gb":  1000 * 1000 * 1000,
	"gib": 1 << 30,
}

// parseSize reads a byte count such as 8MiB, 512KiB, 1MB or 1048576.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		if strings.HasPrefix(t, "-") {
			return 0, fmt.Errorf("%q is negative", s)
		}
		return 0, fmt.Errorf("%q is not a size", s)
	}
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	if !ok {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("%q is too large", s)
	}
	if n == 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return n * unit, nil
}

// parseDuration reads a Go duration ("90s", "1h30m"). Zero is allowed only
// where the caller says so; a negative duration never is.
func parseDuration(s string, allowZero bool) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration", s)
	case d < 0:
		return 0, fmt.Errorf("%q is negative", s)
	case d == 0 && !allowZero:
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}

// CheckFeedURL reports why raw cannot be a feed's address: it must be an
// absolute http or https URL with a host. Callers that add feeds (an OPML
// import) use it to sort out bad entries before writing.
func CheckFeedURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("is empty")
	}
	u, err := url.Parse(raw)
	shown := herald.StoredURL(raw) // errors are shown: no credentials
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL", shown)
	case u.Scheme == "":
		return fmt.Errorf("%q is not an absolute URL (no scheme)", shown)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q is not an http or https URL", shown)
	case u.Hostname() == "":
		return fmt.Errorf("%q has no host", shown)
	case u.Port() != "" && !validPort(u.Port()):
		return fmt.Errorf("%q has a bad port", shown)
	case strings.ContainsAny(raw, " \t\r\n"):
		return fmt.Errorf("%q contains white space", shown)
	}
	return nil
}

// hostName is the URL's host, with the port if there is one, lower-cased:
// the name a feed gets when it has none and is the first on its host.
func hostName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// defaultName is the name of a feed written without one: its host, as it
// always was, when no other feed has that name (the first unnamed feed of a
// host keeps it, so adding another feed of the host later renames nothing);
// else the host and path ("example.com/rss/world"), and a number after that
// if needed. taken holds the names given so far.
func defaultName(raw string, taken map[string]bool) string {
	name := hostName(raw)
	if !taken[name] {
		return name
	}
	if u, err := url.Parse(raw); err == nil {
		name += strings.TrimSuffix(u.EscapedPath(), "/")
		if u.RawQuery != "" {
			name += "?" + u.RawQuery
		}
	}
	unique := name
	for i := 2; taken[unique]; i++ {
		unique = name + "-" + strconv.Itoa(i)
	}
	return unique
}

// feedKey is the form in which two feed URLs are the same feed: the
// archive's URL key (scheme, host case, default port and tracking
// parameters do not count), and a trailing slash does not either.
func feedKey(raw string) string {
	k := herald.URLKey(raw)
	path, query, hasQuery := strings.Cut(k, "?")
	path = strings.TrimRight(path, "/")
	if hasQuery {
		return path + "?" + query
	}
	return path
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535 && !strings.HasPrefix(p, "+")
}

// checkListen wants host:port with a numeric port; the host may be empty
// (all interfaces), a name or an IP.
func checkListen(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || !validPort(port) || strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q is not host:port", s)
	}
	return nil
}

// checkSiteKey wants a host name, an IP, or either with :port; no scheme and
// no path, since sites are matched by the host of a page's URL.
func checkSiteKey(key string) error {
	bad := fmt.Errorf("%q is not a host or host:port", key)
	if key == "" || strings.ContainsAny(key, "/?#@ \t") {
		return bad
	}
	u, err := url.Parse("//" + key)
	if err != nil || u.Host != key || u.Hostname() == "" {
		return bad
	}
	if u.Port() != "" && !validPort(u.Port()) {
		return bad
	}
	return nil
}

// checkText refuses values that would break an HTTP header or a log line.
func checkText(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("is empty")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%q contains a control character", s)
		}
	}
	return nil
}
