package poll

import (
	"context"
	"errors"
	"testing"
	"time"

	"herald/fetch"
)

// noNetwork fails every request as an offline machine does: no name
// resolves.
type noNetwork struct{}

func (noNetwork) Get(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	return nil, &fetch.Error{Kind: fetch.KindDNS, URL: r.URL, Err: errors.New("lookup: no such host")}
}

// A manual round while offline (every site fails at the network level)
// does not count against the feeds: their error counts stay, and they are
// due again in a couple of minutes. One site failing so is that site's.
func TestRoundOfflineIsNotCounted(t *testing.T) {
	now := time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC)
	feed := func(name, url string) Feed {
		return Feed{Name: name, URL: url, Interval: 6 * time.Hour, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour}
	}
	two := []Feed{feed("a", "https://a.example/rss"), feed("b", "https://b.example/rss"), feed("b2", "https://www.b.example/atom")}
	p, db := newPollerT(t)
	p.Get, p.Now = noNetwork{}, func() time.Time { return now }
	for round := range 3 {
		for _, o := range p.Round(context.Background(), two, func(string) int { return 2 }, nil) {
			st, _, err := db.FeedState(o.Feed.Name)
			if err != nil {
				t.Fatal(err)
			}
			if o.Err == nil || st.ErrorCount != 0 || st.NextPoll != now.Add(OfflineRetry) {
				t.Errorf("round %d, %s: error count %d, next poll in %v; want 0, %v", round, o.Feed.Name, st.ErrorCount, st.NextPoll.Sub(now), OfflineRetry)
			}
		}
	}
	one := []Feed{feed("c", "https://c.example/rss")}
	out := p.Round(context.Background(), one, func(string) int { return 2 }, nil)[0]
	if st := out.State; st.ErrorCount != 1 || st.NextPoll.Sub(now) != 10*time.Minute {
		t.Errorf("one site failing: error count %d, next poll in %v; want 1, 10m (counted, retried in minutes)", st.ErrorCount, st.NextPoll.Sub(now))
	}
}

// siteBusy answers as a fetch client does when another process holds the
// site; it records whether the request allowed that.
type siteBusy struct{ noWait bool }

func (s *siteBusy) Get(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	s.noWait = r.NoWait
	return nil, &fetch.SiteBusyError{Site: "a.example", Until: time.Now().Add(time.Second)}
}

// A feed whose site another process holds is not polled: the poll asks not
// to wait for the site, says until when it is put off, and stores nothing.
func TestPollDeferredWhenSiteBusy(t *testing.T) {
	p, db := newPollerT(t)
	busy := &siteBusy{}
	p.Get = busy
	o := p.Poll(context.Background(), Feed{Name: "a", URL: "https://a.example/rss", Interval: time.Hour, MinInterval: time.Minute, MaxInterval: 24 * time.Hour})
	if !busy.noWait {
		t.Error("the feed's request waits for a site another process holds")
	}
	if o.Deferred.IsZero() || o.Err != nil {
		t.Errorf("outcome deferred %v, err %v; want deferred and no error", o.Deferred, o.Err)
	}
	if _, ok, err := db.FeedState("a"); ok || err != nil {
		t.Errorf("a state was stored (%v, %v), want none", ok, err)
	}
}
