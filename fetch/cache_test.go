package fetch

import (
	"net/http"
	"testing"
	"time"
)

func TestMaxAge(t *testing.T) {
	tests := []struct {
		values []string
		want   time.Duration
	}{
		{nil, 0},
		{[]string{"max-age=300"}, 5 * time.Minute},
		{[]string{"public, max-age=60, must-revalidate"}, time.Minute},
		{[]string{"Max-Age = 60"}, time.Minute},
		{[]string{`max-age="120"`}, 2 * time.Minute},
		{[]string{"s-maxage=100"}, 0},
		{[]string{"s-maxage=100, max-age=10"}, 10 * time.Second},
		{[]string{"no-cache, max-age=60"}, 0},
		{[]string{"max-age=60", "no-store"}, 0},
		{[]string{"max-age=-5"}, 0},
		{[]string{"max-age=abc"}, 0},
		{[]string{"max-age="}, 0},
		{[]string{"max-age=99999999999999999999999"}, maxHint},
		{[]string{"private", "max-age=30"}, 30 * time.Second},
	}
	for _, tt := range tests {
		if got := maxAge(tt.values); got != tt.want {
			t.Errorf("maxAge(%q) = %v, want %v", tt.values, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Time
	}{
		{"", time.Time{}},
		{"120", now.Add(120 * time.Second)},
		{" 0 ", now},
		{"-1", time.Time{}},
		{"1.5", time.Time{}},
		{"soon", time.Time{}},
		{now.Add(time.Hour).Format(http.TimeFormat), now.Add(time.Hour)},
		{now.Add(-time.Hour).Format(http.TimeFormat), now},
		{now.Add(30 * 24 * time.Hour).Format(http.TimeFormat), now.Add(maxHint)},
		{"99999999999999999999", now.Add(maxHint)},
		{"Sunday, 02-Mar-25 12:00:00 GMT", now.Add(24 * time.Hour)}, // RFC 850
	}
	for _, tt := range tests {
		if got := retryAfter(tt.v, now); !got.Equal(tt.want) {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestExpires(t *testing.T) {
	when := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Time{
		when.Format(http.TimeFormat): when,
		"0":                          {},
		"-1":                         {},
		"":                           {},
		"Sat, 01 Mar 2025 12:00:00":  {},
	} {
		if got := expires(v); !got.Equal(want) {
			t.Errorf("expires(%q) = %v, want %v", v, got, want)
		}
	}
}

func FuzzCacheHeaders(f *testing.F) {
	for _, s := range []string{"max-age=60", "no-cache", "120", "Sat, 01 Mar 2025 12:00:00 GMT", "max-age=\"", "=,=,"} {
		f.Add(s)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := maxAge([]string{v}); d < 0 || d > maxHint {
			t.Errorf("maxAge(%q) = %v, out of [0, %v]", v, d, maxHint)
		}
		if at := retryAfter(v, now); !at.IsZero() && (at.Before(now) || at.After(now.Add(maxHint))) {
			t.Errorf("retryAfter(%q) = %v, out of [now, now+%v]", v, at, maxHint)
		}
		expires(v)
	})
}
