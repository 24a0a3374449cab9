package fetch

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxHint bounds what a server can ask for through Cache-Control or
// Retry-After, so that one bad header cannot silence a feed for years.
const maxHint = 24 * time.Hour

// maxAge returns the Cache-Control max-age, or 0 when there is none or the
// response must not be reused (no-cache, no-store). s-maxage is for shared
// caches and is ignored.
func maxAge(values []string) time.Duration {
	var age time.Duration
	for _, v := range values {
		for _, dir := range strings.Split(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-cache", "no-store":
				return 0
			case "max-age":
				if d, ok := seconds(strings.Trim(strings.TrimSpace(arg), `"`)); ok {
					age = d
				}
			}
		}
	}
	return age
}

// retryAfter returns the time a Retry-After value (seconds, or an HTTP
// date) points to, or zero if there is none or it is malformed.
func retryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if d, ok := seconds(v); ok {
		return now.Add(d)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}
	}
	if t.Before(now) {
		return now
	}
	if t.Sub(now) > maxHint {
		return now.Add(maxHint)
	}
	return t
}

// seconds parses a non-negative count of seconds, capped at maxHint.
func seconds(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > int64(maxHint/time.Second) {
		return maxHint, true // all digits, only too large
	}
	return time.Duration(n) * time.Second, true
}

// expires returns the Expires header's time, zero if absent or malformed
// ("0" and "-1" are common and mean already expired).
func expires(v string) time.Time {
	t, err := http.ParseTime(strings.TrimSpace(v))
	if err != nil {
		return time.Time{}
	}
	return t
}
