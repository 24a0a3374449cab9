package serve

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"herald"
	"herald/internal/browsertest"
)

// statusServer serves the test states with the config naming only some of
// them, as after a reload that removed a feed.
func statusServer(t *testing.T, refresh time.Duration) (*fakeArchive, *Server) {
	t.Helper()
	now := baseTime.Add(2 * time.Hour)
	fa := newFakeArchive(makeArticles(30), baseTime.Add(time.Hour))
	fa.states = feedStates(now)
	fa.states[0].Recent = []herald.PollMark{
		{At: now.Add(-50 * time.Minute), Outcome: herald.OutcomeOK},
		{At: now.Add(-40 * time.Minute), Outcome: herald.MarkOffline},
		{At: now.Add(-30 * time.Minute), Outcome: herald.OutcomeFailed},
		{At: now.Add(-20 * time.Minute), Outcome: herald.OutcomeNotModified},
		{At: now.Add(-10 * time.Minute), Outcome: herald.OutcomeOK},
	}
	fa.states = append(fa.states, herald.FeedState{
		Name: "pages", URL: "https://pages.example.com/a-rather-long-feed-path/that/goes/on/rss.xml", Outcome: herald.OutcomeOK,
		LastPoll: now.Add(-time.Minute), NextPoll: now.Add(29 * time.Minute), PagesFetched: 3, PagesFailed: 3,
		PageError: "https://pages.example.com/2026/01/01/an-article-with-a-long-address-that-would-not-wrap.html: page is not HTML (application/pdf)",
		Recent:    []herald.PollMark{{At: now.Add(-time.Minute), Outcome: herald.MarkPagesFailed}},
	})
	s := New(fa, Options{
		Now:           func() time.Time { return now },
		Feeds:         func() []string { return []string{"pages", "example", "broken", "added"} },
		StatusRefresh: refresh,
	})
	return fa, s
}

// The status page and /api/feeds tell the truth: a feed the config no
// longer has is gone from them (though its state is kept), a configured
// feed not polled yet is pending, a feed whose every article page failed is
// not healthy, and each feed shows its last polls.
func TestStatusTellsTheTruth(t *testing.T) {
	_, s := statusServer(t, 0)
	h := s.Handler()
	page := get(t, h, "/status").Body.String()
	contains(t, page, "4 feeds", "1 healthy", "1 pending", "1 pages failing", "1 failing",
		"all 3 article pages of the last poll failed", `<meta http-equiv="refresh" content="60">`,
		`class="mark offline"`, `class="mark pages-failed"`, `class="mark not-modified"`)
	for _, removed := range []string{"wire", "old.example.net", "alert"} {
		if strings.Contains(page, removed) {
			t.Errorf("status page shows %q, which the config no longer has", removed)
		}
	}
	var out struct {
		Feeds []FeedHealth `json:"feeds"`
	}
	if err := json.Unmarshal(get(t, h, "/api/feeds").Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range out.Feeds {
		got[f.Name] = f.Health
	}
	want := map[string]string{"pages": HealthPages, "example": HealthOK, "broken": HealthFailing, "added": HealthPending}
	if len(got) != len(want) {
		t.Errorf("/api/feeds: %v, want %v", got, want)
	}
	for name, h := range want {
		if got[name] != h {
			t.Errorf("/api/feeds: %s is %q, want %q", name, got[name], h)
		}
	}
}

// The status page in a real browser: no script errors, nothing wider than a
// phone's 375 px, and it reloads itself; a screenshot is kept.
func TestStatusPageInBrowser(t *testing.T) {
	b := browsertest.Start(t)
	_, s := statusServer(t, time.Second)
	var loads atomic.Int32
	h := s.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/status" {
			loads.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	if err := b.Open(srv.URL+"/status", 375, 800); err != nil {
		t.Fatal(err)
	}
	if px, err := b.Overflow(); err != nil || px != 0 {
		t.Errorf("at 375 px the page is %d px too wide (%v)", px, err)
	}
	rows, err := browsertest.Eval[int](b, `document.querySelectorAll("tbody tr").length`)
	if err != nil || rows != 4 {
		t.Errorf("%d feed rows, %v; want 4", rows, err)
	}
	if err := b.Screenshot("status-375.png"); err != nil {
		t.Error(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for loads.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := loads.Load(); n < 3 {
		t.Errorf("the page was loaded %d times in 10 s with a 1 s refresh: it does not reload itself", n)
	}
	if errs := b.ScriptErrors(); len(errs) > 0 {
		t.Errorf("script errors: %q", errs)
	}
}
