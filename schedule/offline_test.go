package schedule

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/poll"
)

// offlinePoller fails every poll as an offline machine does, each the
// first failure of its feed, as poll.Poller would store it.
type offlinePoller struct{ clock *manualClock }

func (p *offlinePoller) Poll(ctx context.Context, f poll.Feed) poll.Outcome {
	now := p.clock.Now()
	st := herald.FeedState{Name: f.Name, URL: f.URL, ConfigURL: f.URL, LastPoll: now,
		Outcome: herald.OutcomeFailed, ErrorKind: "dns", LastError: "lookup: no such host", ErrorCount: 1}
	st.NextPoll = poll.NextPoll(st, f, now)
	st.Mark(now, herald.OutcomeFailed)
	return poll.Outcome{Feed: f, State: st, Err: errors.New("lookup: no such host")}
}

// Run hands the state of a failure it forgave to Options.SaveState: not
// counted, marked offline, due again within the machine's short backoff.
func TestRunSavesForgivenStates(t *testing.T) {
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	clock := newManualClock(start)
	saved := make(chan herald.FeedState, 8)
	s := New(&offlinePoller{clock: clock}, Options{
		Clock: clock,
		SaveState: func(_ context.Context, st herald.FeedState) error {
			saved <- st
			return nil
		},
	})
	s.SetFeeds([]poll.Feed{
		{Name: "a", URL: "https://a.example/rss", Interval: 6 * time.Hour, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour},
		{Name: "b", URL: "https://b.example/rss", Interval: 6 * time.Hour, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()

	select {
	case st := <-saved:
		last := st.Recent[len(st.Recent)-1]
		if st.ErrorCount != 0 || !strings.HasPrefix(st.LastError, "offline") || last.Outcome != herald.MarkOffline || st.NextPoll.Sub(start) > offlineCap {
			t.Errorf("saved %s: error count %d, %q, mark %s, next poll in %v; want 0, offline, offline, within %v",
				st.Name, st.ErrorCount, st.LastError, last.Outcome, st.NextPoll.Sub(start), offlineCap)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no forgiven state saved after both sites failed at the network level")
	}
}
