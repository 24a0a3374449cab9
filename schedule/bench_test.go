package schedule

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"herald"
	"herald/poll"
)

type nopPoller struct{}

func (nopPoller) Poll(_ context.Context, f poll.Feed) poll.Outcome { return poll.Outcome{Feed: f} }

// restingFeeds builds n feeds on n/10 sites with stored states that make
// none due for an hour, the way a daemon spends most of its time.
func restingFeeds(n int, now time.Time) ([]poll.Feed, []herald.FeedState) {
	feeds := make([]poll.Feed, n)
	states := make([]herald.FeedState, n)
	for i := range n {
		f := poll.Feed{
			Name: fmt.Sprintf("feed-%05d", i), URL: fmt.Sprintf("https://news%d.example.com/feeds/%d.xml", i/10, i),
			Tags: []string{"news"}, FullText: true, Timeout: 30 * time.Second, MaxBody: 8 << 20,
			UserAgent: "Herald/1.0", Interval: 30 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour,
		}
		feeds[i] = f
		states[i] = herald.FeedState{
			Name: f.Name, URL: f.URL, ConfigURL: f.URL, ETag: fmt.Sprintf(`"%x"`, i), LastModified: now.Format(time.RFC1123),
			LastPoll: now.Add(-time.Hour), LastSuccess: now.Add(-time.Hour), Outcome: herald.OutcomeOK,
			NextPoll: now.Add(time.Hour + time.Duration(i)*time.Second), Hints: herald.Hints{TTL: time.Hour},
			PublishGap: 2 * time.Hour, Title: fmt.Sprintf("News %d", i), SiteLink: fmt.Sprintf("https://news%d.example.com/", i/10),
		}
	}
	return feeds, states
}

// BenchmarkAtRest10k reports the heap a running scheduler holds with 10,000
// feeds scheduled and none due: the daemon's memory at rest, less the
// archive's and the HTTP server's.
func BenchmarkAtRest10k(b *testing.B) {
	const n = 10_000
	now := time.Now()
	for b.Loop() {
		heap0 := heapInUse()
		feeds, states := restingFeeds(n, now)
		load := func() ([]herald.FeedState, error) {
			st := states
			states = nil // as if read from the archive: not kept
			return st, nil
		}
		s := New(nopPoller{}, Options{States: load})
		s.SetFeeds(feeds)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		for s.feedCount() < n {
			time.Sleep(time.Millisecond)
		}
		feeds = nil // what the scheduler keeps, not the inputs
		used := heapInUse() - heap0
		b.ReportMetric(float64(used)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(used)/n, "heap-B/feed")
		cancel()
		<-done
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

func (s *Scheduler) feedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.q.feeds)
}

// BenchmarkStep measures the core's work per poll with 10,000 feeds: a
// feed falls due, starts, and is put back.
func BenchmarkStep(b *testing.B) {
	now := time.Now()
	feeds, states := restingFeeds(10_000, now)
	m := make(map[string]herald.FeedState, len(states))
	for _, st := range states {
		m[st.Name] = st
	}
	s := New(nil, Options{Concurrency: 64})
	s.apply(feeds, m, now)
	b.ResetTimer()
	for b.Loop() {
		at := s.q.timers[0].due
		jobs, _, _ := s.step(at)
		for _, e := range jobs {
			s.finish(e, poll.Outcome{Feed: e.feed, State: herald.FeedState{Name: e.feed.Name, NextPoll: at.Add(3 * time.Hour)}}, at)
		}
	}
}
