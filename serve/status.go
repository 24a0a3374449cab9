package serve

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"herald"
)

// Health of a feed, as the status page and /api/feeds show it.
const (
	HealthOK      = "healthy"
	HealthPending = "pending" // never polled yet
	HealthLate    = "late"    // its next poll is well past
	HealthFailing = "failing"
	HealthPages   = "pages failing" // the feed is read, but every article page of its last poll failed
	HealthGone    = "gone"          // 410: no longer polled
)

// healthOrder puts the feeds that need a person's attention first.
var healthOrder = map[string]int{HealthGone: 0, HealthFailing: 1, HealthPages: 2, HealthLate: 3, HealthPending: 4, HealthOK: 5}

// FeedHealth is a feed's state with the server's reading of it.
type FeedHealth struct {
	herald.FeedState
	Articles int    `json:"articles"`
	Health   string `json:"health"`
	Reason   string `json:"reason,omitempty"`
}

// lateAfter is how long past its next poll a feed may be before it counts
// as late: the scheduler spreads polls by up to a tenth of the interval and
// holds them back for busy sites, so only a margin beyond that means
// trouble.
func lateAfter(s *herald.FeedState) time.Duration {
	grace := 5 * time.Minute
	if !s.LastPoll.IsZero() && s.NextPoll.After(s.LastPoll) {
		grace = max(grace, s.NextPoll.Sub(s.LastPoll)/4)
	}
	return grace
}

// health reads a feed's state at now.
func health(s *herald.FeedState, now time.Time) (string, string) {
	switch {
	case s.Outcome == herald.OutcomeGone:
		return HealthGone, firstNonEmpty(s.LastError, "the server answered 410 Gone; polling stopped")
	case s.Outcome == herald.OutcomeFailed || s.ErrorCount > 0:
		why := firstNonEmpty(s.LastError, "unknown error")
		if s.ErrorKind != "" {
			why = s.ErrorKind + ": " + why
		}
		if s.ErrorCount > 1 {
			why += fmt.Sprintf(" (%d failures in a row)", s.ErrorCount)
		}
		return HealthFailing, why
	case s.PagesFetched > 0 && s.PagesFailed == s.PagesFetched:
		return HealthPages, fmt.Sprintf("all %d article pages of the last poll failed: %s", s.PagesFetched, firstNonEmpty(s.PageError, "unknown error"))
	case !s.NextPoll.IsZero() && now.Sub(s.NextPoll) > lateAfter(s):
		return HealthLate, "next poll was due " + ago(now, s.NextPoll)
	case s.LastPoll.IsZero():
		return HealthPending, "not polled yet"
	}
	return HealthOK, ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// feedHealth reads every feed, the ones needing attention first.
func (s *Server) feedHealth() ([]FeedHealth, error) {
	states, err := s.a.FeedStates()
	if err != nil {
		return nil, fmt.Errorf("read feed states: %w", err)
	}
	st, err := s.archiveStats()
	if err != nil {
		return nil, fmt.Errorf("count articles: %w", err)
	}
	states = s.configured(states)
	now := s.o.Now()
	out := make([]FeedHealth, len(states))
	for i := range states {
		h, why := health(&states[i], now)
		out[i] = FeedHealth{FeedState: states[i], Articles: st.Feeds[states[i].Name], Health: h, Reason: why}
	}
	slices.SortStableFunc(out, func(a, b FeedHealth) int {
		if d := healthOrder[a.Health] - healthOrder[b.Health]; d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// configured keeps the states of the feeds the config has now (all, when
// the server was not told) and adds an empty one for each configured feed
// never polled.
func (s *Server) configured(states []herald.FeedState) []herald.FeedState {
	if s.o.Feeds == nil {
		return states
	}
	names := s.o.Feeds()
	byName := make(map[string]herald.FeedState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	out := make([]herald.FeedState, 0, len(names))
	for _, name := range names {
		st, ok := byName[name]
		if !ok {
			st = herald.FeedState{Name: name}
		}
		out = append(out, st)
	}
	return out
}

// handleFeeds serves /api/feeds.
func (s *Server) handleFeeds(w http.ResponseWriter, r *http.Request) {
	feeds, err := s.feedHealth()
	if err != nil {
		s.failJSON(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	json.NewEncoder(w).Encode(struct {
		Feeds []FeedHealth `json:"feeds"`
	}{feeds})
}

//go:embed status.html
var statusHTML string

// statusTemplate is parsed on first use, as readingTemplate.
var statusTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("status").Funcs(template.FuncMap{
		"ago":  ago,
		"when": when,
		"size": size,
		"web":  webURL,
		"mark": markSign,
		"slug": func(s string) string { return strings.ReplaceAll(s, " ", "-") },
	}).Parse(statusHTML))
})

// markSign is a poll mark as one character, readable without its colour.
func markSign(outcome string) string {
	switch outcome {
	case herald.OutcomeOK:
		return "✓"
	case herald.OutcomeNotModified:
		return "="
	case herald.MarkPagesFailed:
		return "!"
	case herald.MarkOffline:
		return "○"
	}
	return "✗"
}

type statusPage struct {
	Title   string
	Refresh int // seconds
	Now     time.Time
	Feeds   []FeedHealth
	Count   map[string]int // feeds by health
	Health  []string       // the keys of Count, in order
	Stats   struct {
		Articles, Sources int
		Size              int64
	}
	Changed time.Time
	Problem string // why the scheduler or archive is unhealthy, if so
}

// handleStatus serves the status page.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	feeds, err := s.feedHealth()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.archiveStats()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := statusPage{Title: s.o.Title, Refresh: int(s.o.StatusRefresh.Seconds() + 0.5), Now: s.o.Now(), Feeds: feeds, Count: map[string]int{}}
	p.Refresh = max(p.Refresh, 1)
	p.Stats.Articles, p.Stats.Sources, p.Stats.Size = st.Articles, st.Sources, st.FileSize
	p.Changed, _ = s.a.LastChange()
	for _, f := range feeds {
		p.Count[f.Health]++
	}
	for _, h := range []string{HealthOK, HealthPending, HealthLate, HealthPages, HealthFailing, HealthGone} {
		if p.Count[h] > 0 {
			p.Health = append(p.Health, h)
		}
	}
	if err := s.healthy(); err != nil {
		p.Problem = err.Error()
	}
	var buf bytes.Buffer
	if err := s.status.Execute(&buf, p); err != nil {
		s.fail(w, r, fmt.Errorf("status page: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	// The page reloads itself with a meta refresh, which a sandboxed page
	// may not do; it runs no script either way (default-src 'none').
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
	w.Write(buf.Bytes())
}

// ago says how long before now t was, or how long after, in a few words.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	if d < 0 {
		return "in " + roughly(-d)
	}
	return roughly(d) + " ago"
}

func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
