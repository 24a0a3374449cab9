package poll

import (
	"slices"
	"time"

	"herald"
	"herald/fetch"
)

// maxHint bounds what a publisher may ask for: a ttl, Expires or Retry-After
// further off than this is taken as a mistake, not as a wish never to be
// polled again.
const maxHint = 7 * 24 * time.Hour

// minInterval is the shortest interval ever used, whatever the config says,
// so that a zero setting cannot make a feed poll in a loop.
const minInterval = time.Second

// moveAfter is how many polls in a row must be permanently redirected to one
// place before the feed's URL follows: a single 301 may be a mistake.
const moveAfter = 3

// NextPoll is the earliest time the feed should be polled again, counted from
// the poll that produced s:
//
//   - the interval adapts to how often the feed publishes (about half its
//     typical gap between entries, so that a new entry waits on average a
//     quarter of the gap), or is Feed.Interval while that is unknown, kept
//     within [MinInterval, MaxInterval];
//   - after failures it backs off exponentially from MinInterval, not from
//     the interval, so that a feed's first failures are retried within
//     minutes, not hours; faster for failures that will not mend by
//     themselves (a 404 or a broken feed) than for a timeout, capped at
//     MaxInterval and never giving up;
//   - it is never shorter than the publisher asks (ttl, sy:updatePeriod,
//     max-age, Expires, Retry-After), even past MaxInterval, up to a week;
//   - it is moved out of the publisher's skipHours and skipDays.
func NextPoll(s herald.FeedState, f Feed, from time.Time) time.Time {
	iv := adaptive(s, f)
	if s.Outcome == herald.OutcomeFailed && s.ErrorCount > 0 {
		iv = backoff(iv, max(f.MinInterval, minInterval), s.ErrorKind, s.ErrorCount, f.MaxInterval)
	}
	iv = max(iv, min(max(s.Hints.TTL, s.Hints.UpdatePeriod, s.Hints.MaxAge), maxHint))
	next := from.Add(iv)
	for _, t := range []time.Time{s.Hints.Expires, s.Hints.RetryAfter} {
		if t.After(next) {
			next = t
		}
	}
	if limit := from.Add(max(iv, maxHint)); next.After(limit) {
		next = limit
	}
	return skip(next, s.Hints.SkipHours, s.Hints.SkipDays)
}

// adaptive is the interval a healthy feed gets, before hints.
func adaptive(s herald.FeedState, f Feed) time.Duration {
	iv := f.Interval
	if s.PublishGap > 0 {
		iv = s.PublishGap / 2
	}
	if f.MaxInterval > 0 {
		iv = min(iv, f.MaxInterval)
	}
	return max(iv, f.MinInterval, minInterval)
}

// backoffFactor is how many times min_interval the first retry waits, by
// failure kind (FeedState.ErrorKind); each further failure in a row doubles
// it. Kinds that need a person to fix them start slower; a canceled poll
// (the daemon stopping) is no failure of the feed's and does not back off.
var backoffFactor = map[string]time.Duration{
	string(fetch.KindCanceled): 0,
	string(fetch.KindTimeout):  1,
	string(fetch.KindConnect):  1,
	string(fetch.KindHTTP5xx):  1,
	string(fetch.KindOther):    1,
	string(fetch.KindDNS):      2,
	string(fetch.KindTLS):      2,
	string(fetch.KindHTTP4xx):  4,
	kindParse:                  4,
	string(fetch.KindTooLarge): 4,
	string(fetch.KindRedirect): 4,
	string(fetch.KindScheme):   4,
	string(fetch.KindBlocked):  4,
}

// backoff is the wait after the count-th failure in a row of the given
// kind: base (min_interval) times the kind's factor, doubled for each
// further failure, up to limit (when set; else maxHint). A kind that does
// not back off keeps the interval iv.
func backoff(iv, base time.Duration, kind string, count int, limit time.Duration) time.Duration {
	if limit <= 0 {
		limit = maxHint
	}
	factor, ok := backoffFactor[kind]
	if !ok {
		factor = 1
	}
	if factor == 0 {
		return iv
	}
	d := base * factor
	for i := 1; i < count && d < limit; i++ {
		d *= 2
	}
	return max(min(d, limit), base)
}

// skip moves t forward, an hour at a time, out of the hours (GMT) and days
// the publisher asked not to be polled in. A feed that skips every hour is
// polled anyway after a week.
func skip(t time.Time, hours []int, days []time.Weekday) time.Time {
	if len(hours) == 0 && len(days) == 0 {
		return t
	}
	for range 7 * 24 {
		u := t.UTC()
		if !slices.Contains(hours, u.Hour()) && !slices.Contains(days, u.Weekday()) {
			return t
		}
		t = u.Truncate(time.Hour).Add(time.Hour)
	}
	return t
}

// nextPoll is NextPoll plus the poller's jitter of at most a tenth of the
// feed's interval, so that feeds due at one moment spread out. The jitter
// may land in a skipped hour, so skipping comes again after it.
func (p *Poller) nextPoll(s herald.FeedState, f Feed, from time.Time) time.Time {
	next := NextPoll(s, f, from)
	if p.Jitter != nil {
		if d := next.Sub(from) / 10; d > 0 {
			next = skip(next.Add(p.Jitter(d)), s.Hints.SkipHours, s.Hints.SkipDays)
		}
	}
	return next
}

// ApplyMove moves the feed to the address it has been permanently redirected
// to on the last few polls in a row, and reports whether it did. The config
// is not rewritten: FeedState.ConfigURL keeps the configured address, and the
// validators, which belonged to the old address, are dropped.
func ApplyMove(s *herald.FeedState) (moved bool) {
	if s.MovedTo == "" || s.MovedCount < moveAfter || s.MovedTo == s.URL {
		return false
	}
	s.URL = s.MovedTo
	s.ETag, s.LastModified = "", ""
	s.MovedTo, s.MovedCount = "", 0
	return true
}

// PublishGap is the median gap between the entries' publication times, or 0
// when fewer than three entries are dated.
func PublishGap(entries []herald.Entry) time.Duration {
	var times []time.Time
	for _, e := range entries {
		if !e.Published.IsZero() {
			times = append(times, e.Published)
		}
	}
	if len(times) < 3 {
		return 0
	}
	slices.SortFunc(times, func(a, b time.Time) int { return b.Compare(a) })
	gaps := make([]time.Duration, 0, len(times)-1)
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i-1].Sub(times[i]))
	}
	slices.Sort(gaps)
	return gaps[len(gaps)/2]
}
