package schedule

import (
	"time"

	"herald"
	"herald/fetch"
	"herald/poll"
)

// The machine's backoff while it is offline: short, since the feeds are not
// at fault, and capped low, so that the first polls after the network
// returns are minutes away at most.
const (
	offlineFirst = 30 * time.Second
	offlineCap   = 5 * time.Minute
)

// machineWindow is how recent a site's last outcome must be to take part
// in the judgement: a site last polled hours ago says nothing about now.
const machineWindow = 30 * time.Minute

// machine judges from the polls' outcomes, as they end, whether the machine
// rather than the feeds is offline: when every site polled in the last
// machineWindow, and at least two, failed its latest poll at the network
// level (poll.NetworkFailure), it is; the first answer from any site, even
// an error status, ends it. While it is, such failures are not counted
// against the feeds, which are retried on the machine's own short backoff.
// Kept under Scheduler.mu; it has no clock and keeps one entry per site.
type machine struct {
	latest map[string]seen // each site's latest outcome
	down   bool
	tries  int // failures while down, for the backoff
}

type seen struct {
	at     time.Time
	failed bool // at the network level
}

// record notes a poll's outcome for site and, when the failure is the
// machine's, says when to retry the feed.
func (m *machine) record(site string, o poll.Outcome, now time.Time) (retry time.Time, machines bool) {
	st := o.State
	if o.Skipped != "" || st.Name == "" || st.ErrorKind == string(fetch.KindCanceled) {
		return time.Time{}, false // nothing learnt about the network
	}
	failed := st.Outcome == herald.OutcomeFailed && poll.NetworkFailure(st.ErrorKind)
	if m.latest == nil {
		m.latest = map[string]seen{}
	}
	m.latest[site] = seen{now, failed}
	if !failed {
		m.down, m.tries = false, 0
		return time.Time{}, false
	}
	m.down = m.down || m.allFailing(now)
	if !m.down {
		return time.Time{}, false
	}
	d := min(offlineFirst<<min(m.tries, 10), offlineCap)
	m.tries++
	return now.Add(d), true
}

// allFailing reports whether every site seen within the window, and at
// least two, failed at the network level; it forgets older sites.
func (m *machine) allFailing(now time.Time) bool {
	n := 0
	for site, s := range m.latest {
		if now.Sub(s.at) > machineWindow {
			delete(m.latest, site)
			continue
		}
		if !s.failed {
			return false
		}
		n++
	}
	return n >= 2
}
