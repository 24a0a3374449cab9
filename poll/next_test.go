package poll

import (
	"testing"
	"time"

	"herald"
)

func TestNextPoll(t *testing.T) {
	from := time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC) // a Wednesday
	f := Feed{Interval: 30 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour}
	failed := func(kind string, n int) herald.FeedState {
		return herald.FeedState{Outcome: herald.OutcomeFailed, ErrorKind: kind, ErrorCount: n}
	}
	tests := []struct {
		name  string
		state herald.FeedState
		feed  Feed
		want  time.Duration // from `from`
	}{
		{"unknown gap: the configured interval", herald.FeedState{}, f, 30 * time.Minute},
		{"hourly publisher: half its gap", herald.FeedState{PublishGap: time.Hour}, f, 30 * time.Minute},
		{"daily publisher", herald.FeedState{PublishGap: 24 * time.Hour}, f, 12 * time.Hour},
		{"very frequent publisher: min_interval", herald.FeedState{PublishGap: time.Minute}, f, 5 * time.Minute},
		{"rare publisher: max_interval", herald.FeedState{PublishGap: 30 * 24 * time.Hour}, f, 24 * time.Hour},
		{"zero settings: at least a second", herald.FeedState{}, Feed{}, time.Second},
		{"ttl is a floor", herald.FeedState{PublishGap: time.Hour, Hints: herald.Hints{TTL: 3 * time.Hour}}, f, 3 * time.Hour},
		{"ttl below the interval changes nothing", herald.FeedState{Hints: herald.Hints{TTL: time.Minute}}, f, 30 * time.Minute},
		{"updatePeriod is a floor", herald.FeedState{Hints: herald.Hints{UpdatePeriod: 2 * time.Hour}}, f, 2 * time.Hour},
		{"max-age is a floor", herald.FeedState{Hints: herald.Hints{MaxAge: 45 * time.Minute}}, f, 45 * time.Minute},
		{"ttl beats max_interval", herald.FeedState{Hints: herald.Hints{TTL: 48 * time.Hour}}, f, 48 * time.Hour},
		{"absurd ttl: a week", herald.FeedState{Hints: herald.Hints{TTL: 400 * 24 * time.Hour}}, f, maxHint},
		{"Expires is a floor", herald.FeedState{Hints: herald.Hints{Expires: from.Add(2 * time.Hour)}}, f, 2 * time.Hour},
		{"past Expires changes nothing", herald.FeedState{Hints: herald.Hints{Expires: from.Add(-time.Hour)}}, f, 30 * time.Minute},
		{"Retry-After", herald.FeedState{Hints: herald.Hints{RetryAfter: from.Add(90 * time.Minute)}}, f, 90 * time.Minute},
		{"Retry-After in a year: a week", herald.FeedState{Hints: herald.Hints{RetryAfter: from.AddDate(1, 0, 0)}}, f, maxHint},
		{"timeout, 1st failure: min_interval", failed("timeout", 1), f, 5 * time.Minute},
		{"timeout, 2nd failure", failed("timeout", 2), f, 10 * time.Minute},
		{"timeout, 4th failure", failed("timeout", 4), f, 40 * time.Minute},
		{"timeout, 30th failure: capped", failed("timeout", 30), f, 24 * time.Hour},
		{"timeout, 1000th failure: capped, never gives up", failed("timeout", 1000), f, 24 * time.Hour},
		{"dns starts slower, in minutes", failed("dns", 1), f, 10 * time.Minute},
		{"http-4xx starts slower still", failed("http-4xx", 1), f, 20 * time.Minute},
		{"parse, 3rd failure", failed("parse", 3), f, 80 * time.Minute},
		{"unknown kind backs off like a timeout", failed("strange", 2), f, 10 * time.Minute},
		{"a 6-hour feed's first DNS failure: minutes, not 12 hours", failed("dns", 1), Feed{Interval: 6 * time.Hour, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour}, 10 * time.Minute},
		{"canceled does not back off", failed("canceled", 5), f, 30 * time.Minute},
		{"backoff from min_interval, not the adapted interval", herald.FeedState{Outcome: herald.OutcomeFailed, ErrorKind: "http-5xx", ErrorCount: 3, PublishGap: 12 * time.Hour}, f, 20 * time.Minute},
		{"backoff without max_interval stops at a week", failed("timeout", 100), Feed{Interval: time.Hour}, maxHint},
		{"Retry-After beats a shorter backoff", herald.FeedState{Outcome: herald.OutcomeFailed, ErrorKind: "http-4xx", ErrorCount: 1, Hints: herald.Hints{RetryAfter: from.Add(6 * time.Hour)}}, f, 6 * time.Hour},
		{"skipHours: 12:30 moves to 14:00", herald.FeedState{Hints: herald.Hints{SkipHours: []int{12, 13}}}, f, 2 * time.Hour},
		{"skipDays: Wednesday moves to Thursday", herald.FeedState{Hints: herald.Hints{SkipDays: []time.Weekday{time.Wednesday}}}, f, 12 * time.Hour},
		{"skip everything: a week later", herald.FeedState{Hints: herald.Hints{SkipDays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}}, f, 7 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextPoll(tt.state, tt.feed, from).Sub(from)
			if got != tt.want {
				t.Errorf("NextPoll = from + %v, want from + %v", got, tt.want)
			}
		})
	}
}

func TestNextPollBackoffGrows(t *testing.T) {
	from := time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC)
	f := Feed{Interval: 10 * time.Minute, MinInterval: time.Minute, MaxInterval: 6 * time.Hour}
	for _, kind := range []string{"dns", "connect", "timeout", "http-4xx", "http-5xx", "parse"} {
		prev := time.Duration(0)
		for n := 1; n <= 40; n++ {
			s := herald.FeedState{Outcome: herald.OutcomeFailed, ErrorKind: kind, ErrorCount: n}
			d := NextPoll(s, f, from).Sub(from)
			if d < prev || d > f.MaxInterval || d < f.MinInterval {
				t.Fatalf("%s failure %d: interval %v after %v (want growing within [%v, %v])", kind, n, d, prev, f.MinInterval, f.MaxInterval)
			}
			prev = d
		}
		if prev != f.MaxInterval {
			t.Errorf("%s: backoff levels at %v, want max_interval %v", kind, prev, f.MaxInterval)
		}
	}
}

func TestNextPollJitter(t *testing.T) {
	from := time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC)
	f := Feed{Interval: time.Hour, MinInterval: time.Minute, MaxInterval: 24 * time.Hour}
	var asked time.Duration
	p := &Poller{Jitter: func(d time.Duration) time.Duration { asked = d; return d - 1 }}
	got := p.nextPoll(herald.FeedState{}, f, from)
	if asked != 6*time.Minute || got != from.Add(66*time.Minute-1) {
		t.Errorf("jitter asked for %v, next poll %v; want a tenth (6m) added", asked, got.Sub(from))
	}
	// The jitter must not push a poll into a skipped hour.
	s := herald.FeedState{Hints: herald.Hints{SkipHours: []int{13}}}
	p.Jitter = func(d time.Duration) time.Duration { return 30 * time.Minute }
	f.Interval = 50 * time.Minute
	if got := p.nextPoll(s, f, from); got.UTC().Hour() == 13 {
		t.Errorf("jittered poll at %v lands in skipHours", got)
	}
}

func TestApplyMove(t *testing.T) {
	tests := []struct {
		name  string
		state herald.FeedState
		moved bool
		url   string
	}{
		{"no redirect", herald.FeedState{URL: "http://a/feed"}, false, "http://a/feed"},
		{"seen twice", herald.FeedState{URL: "http://a/feed", MovedTo: "https://a/feed", MovedCount: 2}, false, "http://a/feed"},
		{"seen three times", herald.FeedState{URL: "http://a/feed", ETag: `"x"`, LastModified: "yesterday", MovedTo: "https://a/feed", MovedCount: 3}, true, "https://a/feed"},
		{"already there", herald.FeedState{URL: "https://a/feed", MovedTo: "https://a/feed", MovedCount: 5}, false, "https://a/feed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.state
			moved := ApplyMove(&s)
			if moved != tt.moved || s.URL != tt.url {
				t.Fatalf("ApplyMove = %v, URL %q; want %v, %q", moved, s.URL, tt.moved, tt.url)
			}
			if moved && (s.ETag != "" || s.LastModified != "" || s.MovedTo != "" || s.MovedCount != 0) {
				t.Errorf("after a move, validators and move tracking must be reset: %+v", s)
			}
		})
	}
}

func TestPublishGap(t *testing.T) {
	at := func(h ...int) []herald.Entry {
		var es []herald.Entry
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, x := range h {
			es = append(es, herald.Entry{Published: base.Add(time.Duration(x) * time.Hour)})
		}
		return es
	}
	tests := []struct {
		name    string
		entries []herald.Entry
		want    time.Duration
	}{
		{"none", nil, 0},
		{"two dated", at(0, 5), 0},
		{"hourly", at(0, 1, 2, 3, 4), time.Hour},
		{"unordered, median", at(10, 0, 1, 3), 2 * time.Hour},
		{"undated ignored", append(at(0, 2, 4), herald.Entry{}), 2 * time.Hour},
	}
	for _, tt := range tests {
		if got := PublishGap(tt.entries); got != tt.want {
			t.Errorf("%s: PublishGap = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// FuzzNextPoll feeds NextPoll the publisher's hints as a hostile feed or
// server could give them: it must not panic, never schedule before the
// poll, and never further off than the longest wait it allows.
func FuzzNextPoll(f *testing.F) {
	f.Add(int64(time.Hour), int64(0), int64(0), int64(0), int64(0), 0, "timeout", uint32(0), uint8(0))
	f.Add(int64(-1), int64(1<<62), int64(-1<<62), int64(1<<62), int64(1<<62), 1<<30, "parse", uint32(0xffffff), uint8(0x7f))
	f.Fuzz(func(t *testing.T, gap, ttl, maxAge, expires, retry int64, failures int, kind string, hours uint32, days uint8) {
		from := time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC)
		s := herald.FeedState{
			PublishGap: time.Duration(gap), ErrorCount: failures, ErrorKind: kind, Outcome: herald.OutcomeFailed,
			Hints: herald.Hints{
				TTL: time.Duration(ttl), UpdatePeriod: time.Duration(ttl / 3), MaxAge: time.Duration(maxAge),
				Expires: from.Add(time.Duration(expires)), RetryAfter: from.Add(time.Duration(retry)),
			},
		}
		for h := range 24 {
			if hours&(1<<h) != 0 {
				s.Hints.SkipHours = append(s.Hints.SkipHours, h)
			}
		}
		for d := range 7 {
			if days&(1<<d) != 0 {
				s.Hints.SkipDays = append(s.Hints.SkipDays, time.Weekday(d))
			}
		}
		feed := Feed{Interval: 30 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour}
		next := NextPoll(s, feed, from)
		if d := next.Sub(from); d < feed.MinInterval || d > maxHint+7*24*time.Hour {
			t.Fatalf("NextPoll = from + %v", d)
		}
	})
}
