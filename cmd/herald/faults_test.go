package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/serve"
)

// faultArticle is the part of an exported article the fault tests look at.
type faultArticle struct {
	ID           string          `json:"id"`
	Title        string          `json:"title"`
	Published    time.Time       `json:"published"`
	Text         string          `json:"text"`
	HTML         string          `json:"html"`
	Sources      []herald.Source `json:"sources"`
	ExtractError string          `json:"extract_error"`
	line         string
}

// exportLines runs `herald export --format jsonl` and returns the articles
// by id, each with its line as written.
func exportLines(t *testing.T, cfg string) map[string]faultArticle {
	t.Helper()
	code, out, stderr := runCLI(t, "-c", cfg, "export", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	return parseExport(t, out)
}

func parseExport(t *testing.T, out string) map[string]faultArticle {
	t.Helper()
	arts := map[string]faultArticle{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var a faultArticle
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("export line %.200s: %v", sc.Text(), err)
		}
		a.line = sc.Text()
		arts[a.ID] = a
	}
	return arts
}

// byFeed groups faultArticle articles by the feeds that carried them.
func byFeed(arts map[string]faultArticle) map[string][]faultArticle {
	m := map[string][]faultArticle{}
	for _, a := range arts {
		for _, s := range a.Sources {
			m[s.Feed] = append(m[s.Feed], a)
		}
	}
	return m
}

// TestFaults archives an initial set from the farm, turns the farm hostile
// and runs another round: the round completes, each feed's status says what
// went wrong in one line, healthy feeds are archived, and nothing archived
// before changes.
func TestFaults(t *testing.T) {
	farm := newFaultFarm(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "feeds.yaml", farm.config(faults, 1, "archive: herald.db\n"))

	code, out, stderr := runCLI(t, "-c", cfg, "fetch")
	if code != 0 || !strings.Contains(out, "0 failed") {
		t.Fatalf("initial round: exit %d\n%s%s", code, out, stderr)
	}
	before := exportLines(t, cfg)
	if want := 2 * len(faults); len(before) != want {
		t.Fatalf("initial round archived %d articles, want %d", len(before), want)
	}

	farm.hostile.Store(true)
	start := time.Now()
	code, out, stderr = runCLI(t, "-c", cfg, "fetch")
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("hostile round: exit %d\n%s%s", code, out, stderr)
	}
	t.Logf("hostile round took %v:\n%s", took.Round(time.Millisecond), out)
	if took > 60*time.Second {
		t.Errorf("hostile round took %v; no fault should hold it up much beyond its 2s timeout", took)
	}

	port := strings.TrimPrefix(farm.main.URL, "http://127.0.0.1:")
	code, stats, _ := runCLI(t, "-c", cfg, "stats")
	if code != 0 {
		t.Fatalf("stats: exit %d", code)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(stats, "\n") {
		if name, _, ok := strings.Cut(l, " "); ok {
			lines[name] = l
		}
	}
	api := apiFeeds(t, filepath.Join(dir, "herald.db"))
	for _, ft := range faults {
		t.Run(ft.name, func(t *testing.T) {
			reason := strings.ReplaceAll(ft.reason, "PORT", port)
			line, ok := lines[ft.name]
			if !ok {
				t.Fatalf("no stats line for the feed:\n%s", stats)
			}
			if !regexp.MustCompile(`\s`+ft.outcome+`\b`).MatchString(line) || !strings.Contains(line, reason) {
				t.Errorf("stats line %q: want outcome %s and reason %q", line, ft.outcome, reason)
			}
			st, ok := api[ft.name]
			switch {
			case !ok:
				t.Errorf("/api/feeds lacks the feed")
			case st.Outcome != ft.outcome || !strings.Contains(st.LastError, reason):
				t.Errorf("/api/feeds: outcome %q, last_error %q; want %s and %q", st.Outcome, st.LastError, ft.outcome, reason)
			case strings.Contains(st.LastError, "\n") || len(st.LastError) > 300:
				t.Errorf("/api/feeds: last_error is not one short line: %q", st.LastError)
			}
		})
	}
	if s := api["http-503"]; s.Hints.RetryAfter.Sub(s.LastPoll) < 110*time.Second || s.Hints.RetryAfter.Sub(s.LastPoll) > 130*time.Second || s.NextPoll.Before(s.Hints.RetryAfter) {
		t.Errorf("503 with Retry-After: 120: retry_after %v, next poll %v; want both about 2 minutes after the poll at %v", s.Hints.RetryAfter, s.NextPoll, s.LastPoll)
	}
	if s := api["http-429"]; s.Hints.RetryAfter.Sub(s.LastPoll) < 55*time.Minute || s.NextPoll.Before(s.Hints.RetryAfter) {
		t.Errorf("429 with a Retry-After date an hour ahead: retry_after %v, next poll %v", s.Hints.RetryAfter, s.NextPoll)
	}

	after := exportLines(t, cfg)
	for id, a := range before {
		if after[id].line != a.line {
			t.Errorf("an article archived before the hostile round changed:\nbefore %s\nafter  %s", a.line, after[id].line)
		}
	}
	checkFaultArticles(t, byFeed(after))
}

// checkFaultArticles checks what the hostile round archived from the feeds
// that could be read.
func checkFaultArticles(t *testing.T, feeds map[string][]faultArticle) {
	count := func(feed string, want int) []faultArticle {
		t.Helper()
		if got := len(feeds[feed]); got != want {
			t.Errorf("%s: %d articles, want %d", feed, got, want)
		}
		return feeds[feed]
	}
	for _, name := range []string{"healthy-1", "healthy-2", "healthy-3"} {
		count(name, 3)
	}
	count("redirect-short", 2+3) // and chain-end's 3, found through it
	count("truncated", 2+2)
	count("as-html", 3)
	count("as-plain", 3)
	count("many-items", 2+5000)
	count("same-guid", 2+3)
	count("title-only", 2+3)
	for _, a := range count("invalid-utf8", 3) {
		// Bytes that are not UTF-8 are read as windows-1252, as browsers do.
		if strings.Contains(a.Title, "broken") && !strings.HasPrefix(a.Title, "Café") {
			t.Errorf("invalid UTF-8: title %q", a.Title)
		}
	}
	found := false
	for _, a := range count("lying-charset", 3) {
		found = found || a.Title == "한국어 기사 제목"
	}
	if !found {
		t.Errorf("lying charset: the Korean title was not kept intact: %+v", feeds["lying-charset"])
	}
	for _, a := range count("huge-title", 3) {
		if len(a.Title) > 4<<10 {
			t.Errorf("huge title kept at %d bytes", len(a.Title))
		}
	}
	for _, a := range count("billion-laughs", 3) {
		if len(a.Title)+len(a.Text) > 1000 || strings.Contains(a.Title, "lollol") {
			t.Errorf("entities expanded: title %.100q (%d bytes)", a.Title, len(a.Title))
		}
	}
	for _, a := range count("external-entity", 3) {
		if strings.Contains(a.Title+a.Text, "root:") {
			t.Errorf("external entity read: %q", a.Title)
		}
	}
	for _, a := range count("odd-dates", 4) {
		if a.Published.Year() > 2100 {
			t.Errorf("%q kept the date %v", a.Title, a.Published)
		}
	}
	notHTML := 0
	for _, a := range count("pages-not-html", 4) {
		if strings.Contains(a.ExtractError, "page is not HTML (application/pdf)") || strings.Contains(a.ExtractError, "page is not HTML (image/png)") {
			notHTML++
			if a.Text == "" {
				t.Errorf("%q: the feed's text was not kept", a.Title)
			}
		}
	}
	if notHTML != 2 {
		t.Errorf("pages-not-html: %d articles say their page is not HTML, want 2", notHTML)
	}
}

// apiFeeds reads /api/feeds from a server over the archive.
func apiFeeds(t *testing.T, path string) map[string]serve.FeedHealth {
	t.Helper()
	db, err := archive.Open(path, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(serve.New(db, serve.Options{}).Handler())
	defer srv.Close()
	r := get(t, srv.URL+"/api/feeds", nil)
	var body struct {
		Feeds []serve.FeedHealth `json:"feeds"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("/api/feeds: %v: %.300s", err, r.body)
	}
	m := map[string]serve.FeedHealth{}
	for _, f := range body.Feeds {
		m[f.Name] = f
	}
	return m
}

// TestFaultsDaemon runs `herald run` over the hostile farm: it keeps
// running and serving, the healthy feeds keep their schedule (polled again
// and again, their new stories archived), and /api/feeds says what is wrong
// with the others. The 100,000-item feed is left out: polled every second,
// it would only measure the machine.
func TestFaultsDaemon(t *testing.T) {
	bin := heraldBinary(t)
	farm := newFaultFarm(t)
	farm.hostile.Store(true)
	var list []fault
	for _, f := range faults {
		if f.name != "many-items" {
			list = append(list, f)
		}
	}
	dir := t.TempDir()
	listen := freePort(t)
	cfg := writeFile(t, dir, "feeds.yaml", farm.config(list, 1, "archive: herald.db\nlisten: "+listen+"\n"))

	d := startDaemon(t, bin, cfg)
	cmd, exited := d.cmd, d.exited
	base := "http://" + listen

	feeds := func() map[string]serve.FeedHealth {
		var body struct {
			Feeds []serve.FeedHealth `json:"feeds"`
		}
		json.Unmarshal([]byte(get(t, base+"/api/feeds", nil).body), &body)
		m := map[string]serve.FeedHealth{}
		for _, f := range body.Feeds {
			m[f.Name] = f
		}
		return m
	}
	// Each round adds a story to the healthy feeds; the daemon must pick
	// up several rounds' worth while the hostile feeds fail around it.
	var firstPoll time.Time
	for round := int64(1); round <= 3; round++ {
		farm.round.Store(round)
		story := fmt.Sprintf("Story %d of healthy-1", round+3)
		waitFor(t, story+" in /feed.atom", func() bool {
			return strings.Contains(get(t, base+"/feed.atom?limit=500", nil).body, story)
		})
		if round == 1 {
			firstPoll = feeds()["healthy-1"].LastPoll
		}
	}
	if r := get(t, base+"/healthz", nil); r.status != 200 {
		t.Errorf("/healthz: %d %s", r.status, r.body)
	}
	got := feeds()
	if h := got["healthy-1"]; !h.LastPoll.After(firstPoll) || h.Outcome != "ok" {
		t.Errorf("healthy-1: last poll %v (first seen %v), outcome %q", h.LastPoll, firstPoll, h.Outcome)
	}
	port := strings.TrimPrefix(farm.main.URL, "http://127.0.0.1:")
	for _, ft := range list {
		st := got[ft.name]
		if reason := strings.ReplaceAll(ft.reason, "PORT", port); st.Outcome != ft.outcome || !strings.Contains(st.LastError, reason) {
			t.Errorf("%s: /api/feeds says %q, %q; want %s and %q", ft.name, st.Outcome, st.LastError, ft.outcome, reason)
		}
	}

	// The daemon's server refuses a header block over its limit.
	if r := get(t, base+"/healthz", map[string]string{"X-Big": strings.Repeat("a", 100<<10)}); r.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KiB of headers: status %d, want 431", r.status)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGTERM")
	}
	checkBolt(t, filepath.Join(dir, "herald.db"))
}
