package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/search"
)

func newTestServer(t testing.TB, n int) (*fakeArchive, http.Handler) {
	t.Helper()
	fa := newFakeArchive(makeArticles(n), baseTime.Add(time.Hour))
	s := New(fa, Options{Now: func() time.Time { return baseTime.Add(2 * time.Hour) }})
	return fa, s.Handler()
}

func TestEndpoints(t *testing.T) {
	_, h := newTestServer(t, 30)
	tests := []struct {
		path   string
		status int
		ctype  string
		want   []string
	}{
		{"/feed.atom", 200, ContentTypeAtom, []string{`<feed xmlns="http://www.w3.org/2005/Atom">`, "urn:herald:article:a000030"}},
		{"/feed.rss", 200, ContentTypeRSS, []string{`<rss version="2.0"`, `<guid isPermaLink="false">`}},
		{"/feed.json", 200, ContentTypeJSONFeed, []string{`"version":"https://jsonfeed.org/version/1.1"`, `"_herald"`}},
		{"/feed.atom?limit=500", 200, ContentTypeAtom, nil},
		{"/feed.atom?limit=1&unknown=x", 200, ContentTypeAtom, []string{`rel="next"`}},
		{"/feed.atom?limit=0", 400, "text/plain", []string{"limit"}},
		{"/feed.atom?limit=501", 400, "text/plain", []string{"limit"}},
		{"/feed.rss?limit=-3", 400, "text/plain", []string{"limit"}},
		{"/feed.json?limit=ten", 400, "text/plain", []string{"limit"}},
		{"/feed.atom?tag=a&tag=b", 400, "text/plain", []string{"tag given 2 times"}},
		{"/feed.atom?before=not-a-cursor!", 400, "text/plain", []string{"before"}},
		{"/feed.atom?feed=" + strings.Repeat("x", 600), 400, "text/plain", []string{"longer than"}},
		{"/api/articles", 200, "application/json", []string{`"articles":[`, `"next":"`, `"content_hash"`}},
		{"/api/articles?limit=nope", 400, "application/json", []string{`"error"`}},
		{"/api/articles?q=zzzz", 400, "application/json", []string{"cannot search"}},
		{"/api/articles?q=%22open", 400, "application/json", []string{"quote is not closed"}},
		{"/feed.rss?q=zzzz", 400, "text/plain", []string{"cannot search"}},
		{"/api/articles/a000007", 200, "application/json", []string{`"id":"a000007"`, `"sources"`}},
		{"/api/articles/missing", 404, "application/json", []string{`"error":"no article \"missing\""`}},
		{"/api/feeds", 200, "application/json", []string{`"feeds":`}},
		{"/healthz", 200, "text/plain", []string{"ok"}},
		{"/metrics", 200, "text/plain", []string{"go_goroutines", "process_"}},
		{"/status", 200, "text/html", []string{"<h1>Herald</h1>", "30 articles", `http-equiv="refresh"`}},
		{"/", 200, "text/html", []string{`<form action="/"`, `href="/read/a000030"`, `Story 0: Seoul &amp; Tokyo`}},
		{"/?feed=wire", 200, "text/html", []string{"Newest from wire", `href="/read/a000029"`}},
		{"/read/a000030", 200, "text/html", []string{"<h1>Story 0: Seoul &amp; Tokyo", "<p>First paragraph of 0.</p>", `href="https://news.example.com/2025/story-0?utm_source=rss"`}},
		{"/read/nope", 404, "text/html", []string{"No such article"}},
		{"/?limit=0", 400, "text/html", []string{"limit"}},
		{"/?q=seoul", 400, "text/html", []string{"cannot search"}},
		{"/nothing-here", 404, "text/plain", nil},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			w := get(t, h, tc.path)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("Content-Type %q, want %q", ct, tc.ctype)
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff header")
			}
			contains(t, body(t, w), tc.want...)
		})
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	_, h := newTestServer(t, 3)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		w := request(t, h, m, "/feed.atom")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d, Allow %q", m, w.Code, w.Header().Get("Allow"))
		}
	}
	full := get(t, h, "/feed.atom")
	head := request(t, h, http.MethodHead, "/feed.atom")
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("ETag") != full.Header().Get("ETag") ||
		head.Header().Get("Content-Length") != fmt.Sprint(full.Body.Len()) {
		t.Errorf("HEAD: %d, %d body bytes, headers %v", head.Code, head.Body.Len(), head.Header())
	}
}

// pageIDs returns the ids on one page of a feed and its next link.
func pageIDs(t *testing.T, format, data string) ([]string, string) {
	t.Helper()
	var ids []string
	switch format {
	case "atom":
		var doc atomDoc
		strictXML(t, []byte(data), &doc)
		for _, e := range doc.Entries {
			ids = append(ids, e.ID)
		}
		return ids, linkTo(doc.Links, "next")
	case "rss":
		var doc rssDoc
		strictXML(t, []byte(data), &doc)
		next := ""
		for _, l := range doc.Channel.Links {
			if l.Rel == "next" {
				next = l.Href
			}
		}
		for _, it := range doc.Channel.Items {
			ids = append(ids, it.GUID.Value)
		}
		return ids, next
	default:
		var doc jsonFeedDoc
		if err := json.Unmarshal([]byte(data), &doc); err != nil {
			t.Fatal(err)
		}
		for _, it := range doc.Items {
			ids = append(ids, it.ID)
		}
		return ids, doc.NextURL
	}
}

// walk follows next links from path and returns every id seen, in order.
func walk(t *testing.T, h http.Handler, format, path string) []string {
	t.Helper()
	var all []string
	for pages := 0; path != ""; pages++ {
		if pages > 100 {
			t.Fatal("next links do not end")
		}
		w := get(t, h, path)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		ids, next := pageIDs(t, format, body(t, w))
		all = append(all, ids...)
		path = ""
		if next != "" {
			u, err := url.Parse(next)
			if err != nil || u.Host != "localhost" {
				t.Fatalf("next link %q", next)
			}
			path = u.RequestURI()
		}
	}
	return all
}

func TestPagingWalksEveryArticleOnce(t *testing.T) {
	articles := makeArticles(40)
	_, h := newTestServer(t, 40)
	want := func(keep func(herald.Article) bool) []string {
		var ids []string
		for i := range articles {
			if keep(articles[i]) {
				ids = append(ids, ArticleID(&articles[i]))
			}
		}
		return ids
	}
	all := want(func(herald.Article) bool { return true })
	tagged := want(func(a herald.Article) bool { return slices.Contains(a.Tags, "wire") })
	for _, format := range []string{"atom", "rss", "json"} {
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"?limit=7", all},
			{"?limit=1", all},
			{"?limit=40", all},
			{"", all},
			{"?limit=3&tag=wire", tagged},
			{"?feed=wire&limit=4", tagged},
		} {
			t.Run(format+tc.query, func(t *testing.T) {
				got := walk(t, h, format, "/feed."+format+tc.query)
				if !slices.Equal(got, tc.want) {
					t.Errorf("walked %d ids %v\nwant %d %v", len(got), got, len(tc.want), tc.want)
				}
			})
		}
	}
}

func TestAPIArticlesPaging(t *testing.T) {
	_, h := newTestServer(t, 12)
	var seen []string
	path := "/api/articles?limit=5"
	for path != "" {
		var page struct {
			Articles []herald.Article `json:"articles"`
			Next     string           `json:"next"`
			NextURL  string           `json:"next_url"`
		}
		if err := json.Unmarshal(get(t, h, path).Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Articles {
			seen = append(seen, a.ID)
		}
		path = ""
		if page.Next != "" {
			path = "/api/articles?limit=5&before=" + url.QueryEscape(page.Next)
			if !strings.Contains(page.NextURL, "before="+page.Next) {
				t.Errorf("next_url %q does not carry the cursor", page.NextURL)
			}
		}
	}
	if len(seen) != 12 || slices.Compact(slices.Clone(seen))[11] != seen[11] {
		t.Errorf("saw %v", seen)
	}
}

func TestConditionalRequests(t *testing.T) {
	for _, path := range []string{"/feed.atom", "/feed.rss", "/feed.json?tag=news", "/api/articles"} {
		t.Run(path, func(t *testing.T) {
			fa, h := newTestServer(t, 10)
			first := get(t, h, path)
			etag, lm := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
			if first.Code != 200 || etag == "" || lm == "" {
				t.Fatalf("first: %d ETag %q Last-Modified %q", first.Code, etag, lm)
			}
			calls := fa.recentCalls()
			again := get(t, h, path)
			if again.Header().Get("ETag") != etag || again.Body.String() != first.Body.String() {
				t.Error("unchanged archive, different answer")
			}
			if fa.recentCalls() != calls {
				t.Error("an unchanged feed was rendered again instead of coming from the cache")
			}
			for _, hdr := range [][]string{
				{"If-None-Match", etag},
				{"If-None-Match", `"other", W/` + etag},
				{"If-None-Match", "*"},
				{"If-Modified-Since", lm},
				{"If-Modified-Since", baseTime.Add(3 * time.Hour).UTC().Format(http.TimeFormat)},
			} {
				w := get(t, h, path, hdr...)
				if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("ETag") != etag {
					t.Errorf("%s: %s: status %d, %d bytes", hdr[0], hdr[1], w.Code, w.Body.Len())
				}
			}
			for _, hdr := range [][]string{
				{"If-None-Match", `"stale"`},
				{"If-Modified-Since", baseTime.UTC().Format(http.TimeFormat)},
				{"If-Modified-Since", "not a date"},
				// If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3).
				{"If-None-Match", `"stale"`, "If-Modified-Since", lm},
			} {
				if w := get(t, h, path, hdr...); w.Code != 200 {
					t.Errorf("%v: status %d, want 200", hdr, w.Code)
				}
			}

			// A new article: 200, new validators; the old ETag no longer matches.
			na := makeArticles(1)[0]
			na.ID, na.Title, na.Published = "z-new", "Breaking", baseTime.Add(90*time.Minute)
			fa.put(baseTime.Add(95*time.Minute), na)
			w := get(t, h, path, "If-None-Match", etag)
			if w.Code != 200 || w.Header().Get("ETag") == etag || w.Header().Get("Last-Modified") == lm {
				t.Fatalf("after a change: %d ETag %q Last-Modified %q", w.Code, w.Header().Get("ETag"), w.Header().Get("Last-Modified"))
			}
			contains(t, w.Body.String(), "z-new")
			if w2 := get(t, h, path, "If-None-Match", w.Header().Get("ETag")); w2.Code != http.StatusNotModified {
				t.Errorf("new ETag not honoured: %d", w2.Code)
			}
		})
	}
}

// A change outside the page does not change the page's bytes, so its ETag
// stays: the ETag follows the content, not the counter.
func TestETagFollowsContent(t *testing.T) {
	fa, h := newTestServer(t, 60)
	etag := get(t, h, "/feed.atom?limit=5").Header().Get("ETag")
	old := makeArticles(60)[59]
	old.Summary = "edited"
	fa.put(baseTime.Add(100*time.Minute), old)
	w := get(t, h, "/feed.atom?limit=5", "If-None-Match", etag)
	if w.Code != http.StatusNotModified {
		t.Errorf("page untouched by the change: status %d, want 304", w.Code)
	}
}

func TestFilters(t *testing.T) {
	_, h := newTestServer(t, 30)
	tests := []struct {
		query, title string
		keep         func(herald.Article) bool
	}{
		{"tag=korea", "Herald (tag korea)", func(a herald.Article) bool { return slices.Contains(a.Tags, "korea") }},
		{"feed=wire", "Herald (feed wire)", func(a herald.Article) bool { return len(a.Sources) > 1 }},
		{"feed=wire&tag=korea", "Herald (feed wire, tag korea)", func(a herald.Article) bool {
			return len(a.Sources) > 1 && slices.Contains(a.Tags, "korea")
		}},
		{"tag=nothing", "Herald (tag nothing)", func(herald.Article) bool { return false }},
	}
	articles := makeArticles(30)
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var doc atomDoc
			strictXML(t, get(t, h, "/feed.atom?"+tc.query).Body.Bytes(), &doc)
			var want []string
			for _, a := range articles {
				if tc.keep(a) {
					want = append(want, ArticleID(&a))
				}
			}
			var got []string
			for _, e := range doc.Entries {
				got = append(got, e.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if doc.Title.Body != tc.title || doc.ID == "urn:herald:feed" {
				t.Errorf("title %q id %q", doc.Title.Body, doc.ID)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	fa := newFakeArchive(makeArticles(3), baseTime)
	h := New(fa, Options{BaseURL: "https://news.example.org/herald/", Title: "My news"}).Handler()
	var doc atomDoc
	strictXML(t, get(t, h, "/feed.atom?limit=1").Body.Bytes(), &doc)
	if self := linkTo(doc.Links, "self"); self != "https://news.example.org/herald/feed.atom?limit=1" {
		t.Errorf("self %q", self)
	}
	if next := linkTo(doc.Links, "next"); !strings.HasPrefix(next, "https://news.example.org/herald/feed.atom?before=") {
		t.Errorf("next %q", next)
	}
	if doc.Title.Body != "My news" {
		t.Errorf("title %q", doc.Title.Body)
	}
}

func TestEmptyArchiveStableETag(t *testing.T) {
	fa := &fakeArchive{}
	h := New(fa, Options{}).Handler()
	a, b := get(t, h, "/feed.atom"), get(t, h, "/feed.atom")
	if a.Code != 200 || a.Header().Get("ETag") != b.Header().Get("ETag") {
		t.Errorf("empty archive: %d, ETags %q %q", a.Code, a.Header().Get("ETag"), b.Header().Get("ETag"))
	}
	if a.Header().Get("Last-Modified") != "" {
		t.Errorf("Last-Modified %q for an archive that never changed", a.Header().Get("Last-Modified"))
	}
	var doc atomDoc
	strictXML(t, a.Body.Bytes(), &doc)
	if doc.Updated == "" || len(doc.Entries) != 0 {
		t.Errorf("empty feed: %+v", doc)
	}
}

func TestHealthz(t *testing.T) {
	tests := []struct {
		name    string
		closed  bool
		healthy func() error
		status  int
		want    string
	}{
		{"ok", false, nil, 200, "ok"},
		{"scheduler ok", false, func() error { return nil }, 200, "ok"},
		{"scheduler stopped", false, func() error { return errors.New("scheduler\nstopped") }, 503, "scheduler: scheduler stopped"},
		{"archive closed", true, nil, 503, "archive: database not open"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fa := newFakeArchive(nil, baseTime)
			fa.closed = tc.closed
			w := get(t, New(fa, Options{Healthy: tc.healthy}).Handler(), "/healthz")
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("%d %q, want %d %q", w.Code, w.Body.String(), tc.status, tc.want)
			}
		})
	}
}

func TestServerErrorsReported(t *testing.T) {
	fa := newFakeArchive(makeArticles(3), baseTime)
	fa.closed = true
	var got []error
	h := New(fa, Options{OnError: func(_ *http.Request, err error) { got = append(got, err) }}).Handler()
	for _, path := range []string{"/feed.atom", "/api/feeds", "/status", "/"} {
		if w := get(t, h, path); w.Code != 500 || strings.Contains(w.Body.String(), "database") {
			t.Errorf("%s: %d %q (want 500 without internals)", path, w.Code, w.Body.String())
		}
	}
	if len(got) != 4 {
		t.Errorf("OnError heard %d errors, want 4: %v", len(got), got)
	}
}

func feedStates(now time.Time) []herald.FeedState {
	return []herald.FeedState{
		{Name: "example", URL: "https://news.example.com/rss", Outcome: herald.OutcomeOK, LastPoll: now.Add(-10 * time.Minute), NextPoll: now.Add(20 * time.Minute)},
		{Name: "wire", URL: "https://wire.example.org/feed.atom", Outcome: herald.OutcomeNotModified, LastPoll: now.Add(-3 * time.Hour), NextPoll: now.Add(-2 * time.Hour)},
		{Name: "broken", URL: "https://broken.example.net/feed", Outcome: herald.OutcomeFailed, ErrorCount: 4, ErrorKind: "5xx", LastError: "HTTP 503 Service Unavailable", LastPoll: now.Add(-time.Minute)},
		{Name: "old", URL: "https://old.example.net/rss", Outcome: herald.OutcomeGone, LastError: "HTTP 410 Gone"},
		{Name: "new", URL: "https://new.example.net/rss"},
		{Name: `<script>alert("x")</script>`, URL: `javascript:alert(1)`, Title: `<img src=x onerror=alert(2)>`, Outcome: herald.OutcomeFailed, LastError: `<b onmouseover="alert(3)">`},
	}
}

func TestHealthOfFeeds(t *testing.T) {
	now := baseTime
	want := map[string][2]string{
		"example": {HealthOK, ""},
		"wire":    {HealthLate, "next poll was due 2h00m ago"},
		"broken":  {HealthFailing, "5xx: HTTP 503 Service Unavailable (4 failures in a row)"},
		"old":     {HealthGone, "HTTP 410 Gone"},
		"new":     {HealthPending, "not polled yet"},
	}
	for _, s := range feedStates(now) {
		w, ok := want[s.Name]
		if !ok {
			continue
		}
		if h, why := health(&s, now); h != w[0] || why != w[1] {
			t.Errorf("%s: %q %q, want %q %q", s.Name, h, why, w[0], w[1])
		}
	}
	// A little past due is the scheduler's jitter, not lateness.
	s := herald.FeedState{LastPoll: now.Add(-time.Hour), NextPoll: now.Add(-4 * time.Minute)}
	if h, _ := health(&s, now); h != HealthOK {
		t.Errorf("4 minutes past an hourly poll: %s", h)
	}
}

func TestAPIFeeds(t *testing.T) {
	fa, h := newTestServer(t, 30)
	fa.states = feedStates(baseTime.Add(2 * time.Hour))
	var out struct {
		Feeds []FeedHealth `json:"feeds"`
	}
	if err := json.Unmarshal(get(t, h, "/api/feeds").Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	var order []string
	counts := map[string]int{}
	for _, f := range out.Feeds {
		order = append(order, f.Health)
		counts[f.Name] = f.Articles
	}
	if !slices.IsSortedFunc(order, func(a, b string) int { return healthOrder[a] - healthOrder[b] }) || len(order) != 6 {
		t.Errorf("feeds not ordered by need of attention: %v", order)
	}
	if counts["example"] != 30 || counts["wire"] != 10 {
		t.Errorf("article counts %v", counts)
	}
}

func TestStatusPage(t *testing.T) {
	fa, h := newTestServer(t, 30)
	fa.states = feedStates(baseTime.Add(2 * time.Hour))
	w := get(t, h, "/status")
	page := w.Body.String()
	contains(t, page, "6 feeds", "1 healthy", "2 failing", "1 late", "1 gone", "1 pending",
		"HTTP 503 Service Unavailable", "30 articles", `href="https://news.example.com/rss"`)
	for _, bad := range []string{"<script>", "<img", "<b onmouseover", "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("status page carries %q unescaped", bad)
		}
	}
	if !strings.Contains(w.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Error("no content security policy")
	}
	// The page must parse as HTML without leftover markup from the data.
	if strings.Count(page, "<tr>") != 7 {
		t.Errorf("%d rows, want a header and 6 feeds", strings.Count(page, "<tr>"))
	}
}

func TestMetricsEndpoint(t *testing.T) {
	m := NewMetrics()
	m.ObservePoll("example", "example.com", herald.OutcomeOK, "", 120*time.Millisecond, 2048)
	m.ObservePoll("example", "example.com", herald.OutcomeNotModified, "", 30*time.Millisecond, 0)
	m.ObservePoll("broken", "example.net", herald.OutcomeFailed, "timeout", 30*time.Second, 0)
	m.ObservePage("example.com", "", time.Second, 50000)
	m.ObserveArticles("example", 3, 1, 2)
	m.ObserveExtraction("example.com", herald.ExtractedBySiteRule)
	m.ObserveExtraction("example.com", "rule-missed")
	m.SetQueue(7)
	m.SetLag(1500 * time.Millisecond)
	h := New(newFakeArchive(nil, baseTime), Options{Metrics: m}).Handler()
	out := get(t, h, "/metrics").Body.String()
	contains(t, out,
		`herald_polls_total{feed="example",outcome="ok"} 1`,
		`herald_polls_total{feed="example",outcome="not-modified"} 1`,
		`herald_site_polls_total{outcome="failed",site="example.net"} 1`,
		`herald_fetch_duration_seconds_count{kind="feed"} 3`,
		`herald_fetch_duration_seconds_count{kind="page"} 1`,
		`herald_fetched_bytes_total{kind="feed",site="example.com"} 2048`,
		`herald_fetched_bytes_total{kind="page",site="example.com"} 50000`,
		`herald_fetch_errors_total{kind="timeout",site="example.net"} 1`,
		`herald_articles_total{feed="example",outcome="new"} 3`,
		`herald_articles_total{feed="example",outcome="duplicate"} 2`,
		`herald_extractions_total{method="rule-missed",site="example.com"} 1`,
		`herald_queue_depth 7`,
		`herald_scheduler_lag_seconds 1.5`,
	)
	// A nil *Metrics records nothing and does not panic, for a scheduler
	// run without a server.
	var none *Metrics
	none.ObservePoll("f", "s", "ok", "", 0, 0)
	none.ObservePage("s", "", 0, 0)
	none.ObserveArticles("f", 1, 0, 0)
	none.ObserveExtraction("s", "generic")
	none.SetQueue(1)
	none.SetLag(time.Second)
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		raw     string
		want    feedQuery
		wantErr bool
	}{
		{"", feedQuery{Limit: 50}, false},
		{"limit=1", feedQuery{Limit: 1}, false},
		{"limit=500&tag=x&feed=y&before=c", feedQuery{Limit: 500, Tag: "x", Feed: "y", Before: "c"}, false},
		{"limit=", feedQuery{Limit: 50}, false},
		{"limit=501", feedQuery{}, true},
		{"limit=0", feedQuery{}, true},
		{"limit=1e2", feedQuery{}, true},
		{"limit=99999999999999999999", feedQuery{}, true},
		{"feed=a&feed=a", feedQuery{}, true},
		{"tag=%ff", feedQuery{}, true},
		{"q=", feedQuery{}, true},
		{"q=foo:bar", feedQuery{}, true},
		{"q=%22open", feedQuery{}, true},
		{"q=a&q=b", feedQuery{}, true},
		{"q=a&sort=size", feedQuery{}, true},
		{"sort=date", feedQuery{}, true},
		{"q=%20a%20%20-b&sort=date", feedQuery{Limit: 50, Q: "a -b", Sort: "date", Search: search.Query{Clauses: []search.Clause{{Text: "a"}, {Text: "b", Not: true}}}}, false},
	}
	for _, tc := range tests {
		v, _ := url.ParseQuery(tc.raw)
		got, err := parseQuery(v)
		if (err != nil) != tc.wantErr || (!tc.wantErr && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("parseQuery(%q) = %+v, %v", tc.raw, got, err)
		}
	}
	// The normal form is the same however the query was spelt.
	a, _ := parseQuery(url.Values{"tag": {"x"}, "feed": {"y"}, "limit": {"50"}})
	b, _ := parseQuery(url.Values{"feed": {"y"}, "tag": {"x"}})
	if a.page("") != b.page("") || a.page("") != "feed=y&tag=x" {
		t.Errorf("normal forms %q and %q", a.page(""), b.page(""))
	}
}

func TestRenderCacheBounds(t *testing.T) {
	c := newRenderCache(3, 100)
	for i := range 5 {
		c.put(&rendered{key: fmt.Sprint(i), body: make([]byte, 10)})
	}
	if c.len() != 3 {
		t.Errorf("%d entries, want 3", c.len())
	}
	if _, ok := c.get("0"); ok {
		t.Error("oldest entry kept")
	}
	c.get("2") // now most recent
	c.put(&rendered{key: "big", body: make([]byte, 24)})
	c.put(&rendered{key: "huge", body: make([]byte, 26)}) // over a quarter of the budget
	if _, ok := c.get("huge"); ok {
		t.Error("an entry over a quarter of the budget was cached")
	}
	if _, ok := c.get("2"); !ok {
		t.Error("recently used entry evicted")
	}
	if c.bytes > 100 {
		t.Errorf("%d bytes cached, budget 100", c.bytes)
	}
}
