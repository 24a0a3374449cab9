package poll

import (
	"context"
	"fmt"
	"time"

	"herald"
	"herald/fetch"
)

// OfflineRetry is when a round that found the machine offline (see
// MachineDown) has its feeds polled again: soon, since nothing was wrong
// with them.
const OfflineRetry = 2 * time.Minute

// NetworkFailure reports whether a failure of this kind (FeedState.ErrorKind)
// never reached the site: its name did not resolve, or no connection was
// made in time. One such failure may be the site's; every site failing so at
// once is the machine's.
func NetworkFailure(kind string) bool {
	switch fetch.Kind(kind) {
	case fetch.KindDNS, fetch.KindConnect, fetch.KindTimeout:
		return true
	}
	return false
}

// MachineDown reports whether a round's outcomes say the machine, not the
// feeds, is at fault: feeds of at least two sites were polled and every
// poll failed at the network level. With one site the two cannot be told
// apart, and the failure counts against the feed.
func MachineDown(outs []Outcome) bool {
	sites := map[string]bool{}
	for _, o := range outs {
		if o.Skipped != "" {
			continue
		}
		if o.Err == nil || !NetworkFailure(o.State.ErrorKind) {
			return false
		}
		sites[siteOf(o.Feed.URL)] = true
	}
	return len(sites) >= 2
}

// Forgive takes back a network-level failure found to be the machine's: the
// feed's error count is what it was before, it is due again at retry, and
// its last error says why it was not counted. Other states are returned as
// they are.
func Forgive(s herald.FeedState, retry time.Time) herald.FeedState {
	if s.Outcome != herald.OutcomeFailed || !NetworkFailure(s.ErrorKind) {
		return s
	}
	s.ErrorCount = max(s.ErrorCount-1, 0)
	s.NextPoll = retry
	if n := len(s.Recent); n > 0 && s.Recent[n-1].Outcome == herald.OutcomeFailed {
		s.Recent = append(s.Recent[:n-1:n-1], herald.PollMark{At: s.Recent[n-1].At, Outcome: herald.MarkOffline})
	}
	s.LastError = oneLine("offline (every site failed at once; not counted): "+s.LastError, maxReason)
	return s
}

// forgiveRound applies Forgive to every feed of a round that found the
// machine offline, and stores their states again.
func (p *Poller) forgiveRound(ctx context.Context, outs []Outcome) {
	retry := p.now().Add(OfflineRetry)
	for i, o := range outs {
		st := Forgive(o.State, retry)
		if st.LastError == o.State.LastError {
			continue
		}
		outs[i].State = st
		if err := p.Store.SaveFeedState(ctx, st); err != nil {
			outs[i].Err = fmt.Errorf("%w; and saving its state: %v", o.Err, err)
		}
	}
}
