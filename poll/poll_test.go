package poll

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/extract"
	"herald/fetch"
)

const seedDir = "../../shared/fixtures/seed"

// site is a loopback web site: feeds and pages by path, with request logs.
type site struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	pages   map[string]page
	headers map[string][]http.Header // path -> request headers seen
}

type page struct {
	body        string
	contentType string
	etag        string
	status      int
	header      map[string]string
}

func newSite(t *testing.T) *site {
	s := &site{t: t, pages: map[string]page{}, headers: map[string][]http.Header{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) set(path string, p page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = p
}

func (s *site) seen(path string) []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[path]
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.pages[r.URL.Path]
	s.headers[r.URL.Path] = append(s.headers[r.URL.Path], r.Header.Clone())
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	for k, v := range p.header {
		w.Header().Set(k, v)
	}
	if p.etag != "" {
		w.Header().Set("ETag", p.etag)
		if r.Header.Get("If-None-Match") == p.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if p.contentType != "-" {
		w.Header().Set("Content-Type", p.contentType)
	} else {
		w.Header()["Content-Type"] = nil
	}
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
	fmt.Fprint(w, p.body)
}

func (s *site) url(path string) string { return s.srv.URL + path }

func newPollerT(t *testing.T) (*Poller, *archive.DB) {
	t.Helper()
	db, err := archive.Open(filepath.Join(t.TempDir(), "herald.db"), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Poller{Get: newClientT(t), Store: db, PageConcurrency: 4}, db
}

func newClientT(t *testing.T) *fetch.Client {
	client := fetch.New(fetch.Options{
		UserAgent: "HeraldTest/1.0",
		Timeout:   5 * time.Second,
		Limits:    func(string) fetch.SiteLimit { return fetch.SiteLimit{Concurrency: 8} },
	})
	t.Cleanup(client.CloseIdleConnections)
	return client
}

func readSeed(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(seedDir, name))
	if os.IsNotExist(err) {
		t.Skipf("%s is absent (../shared is only beside the repository in CI and development)", seedDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func all(t *testing.T, db *archive.DB) []herald.Article {
	t.Helper()
	var out []herald.Article
	err := db.Each(context.Background(), archive.Query{}, func(a herald.Article) error {
		out = append(out, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func feedOf(s *site, name, path string, fullText bool) Feed {
	return Feed{Name: name, URL: s.url(path), FullText: fullText, Tags: []string{"news"},
		Interval: 30 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour}
}

// The seed feed, feed content only: one article, its URL without utm_, the
// source's link as given, the GUID, the feed's zoned time.
func TestSeedFeed(t *testing.T) {
	s := newSite(t)
	feedXML := strings.ReplaceAll(readSeed(t, "feed.xml"), "http://www.koreaherald.com", s.srv.URL)
	s.set("/rss", page{body: feedXML, contentType: "application/rss+xml"})
	p, db := newPollerT(t)
	out := p.Poll(context.Background(), feedOf(s, "korea-herald", "/rss", false))
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	arts := all(t, db)
	if len(arts) != 1 || out.Result.New != 1 {
		t.Fatalf("got %d articles (result %+v), want 1", len(arts), out.Result)
	}
	if out.Result.IDs != nil {
		t.Errorf("the outcome keeps its articles' ids %q: a round would hold them all", out.Result.IDs)
	}
	a := arts[0]
	if want := s.srv.URL + "/view.php?ud=20150624000515"; a.URL != want {
		t.Errorf("url = %q, want %q", a.URL, want)
	}
	src := a.Sources[0]
	if src.GUID != "20150624000515" || !strings.Contains(src.Link, "utm_source=rss") {
		t.Errorf("source = %+v, want the GUID and the link as given", src)
	}
	if got := a.Published.Format(time.RFC3339); got != "2015-06-24T09:40:00+09:00" {
		t.Errorf("published = %s", got)
	}
	if a.Byline != "KH디지털2" || a.Title != "S. Korea, Japan to boost defense ties this year" {
		t.Errorf("byline %q title %q", a.Byline, a.Title)
	}
	if a.ExtractedBy != herald.ExtractedByFeed || a.Text == "" {
		t.Errorf("extracted_by %q, text %q", a.ExtractedBy, a.Text)
	}
	st, _, _ := db.FeedState("korea-herald")
	if st.Outcome != herald.OutcomeOK || st.Hints.TTL != 30*time.Minute {
		t.Errorf("state = %+v", st)
	}
}

// The seed page through its feed with no site rule: the feed's pubDate gives
// the zone, and the text is the twelve paragraphs.
func TestSeedFullText(t *testing.T) {
	s := newSite(t)
	feedXML := strings.ReplaceAll(readSeed(t, "feed.xml"), "http://www.koreaherald.com", s.srv.URL)
	s.set("/rss", page{body: feedXML, contentType: "application/rss+xml"})
	s.set("/view.php", page{body: readSeed(t, "article.html"), contentType: "text/html; charset=utf-8"})
	var want struct {
		Text           string   `json:"text"`
		MustNotContain []string `json:"must_not_contain"`
	}
	if err := json.Unmarshal([]byte(readSeed(t, "expected.json")), &want); err != nil {
		t.Fatal(err)
	}
	p, db := newPollerT(t)
	out := p.Poll(context.Background(), feedOf(s, "korea-herald", "/rss", true))
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if out.Pages.Fetched != 1 || out.Pages.Failed != 0 {
		t.Fatalf("pages %+v", out.Pages)
	}
	arts := all(t, db)
	if len(arts) != 1 {
		t.Fatalf("%d articles", len(arts))
	}
	a := arts[0]
	if a.Text != want.Text {
		t.Errorf("text:\n%s\nwant:\n%s", a.Text, want.Text)
	}
	for _, bad := range want.MustNotContain {
		if strings.Contains(a.Text, bad) {
			t.Errorf("text contains %q", bad)
		}
	}
	if got := a.Published.Format(time.RFC3339); got != "2015-06-24T09:40:00+09:00" {
		t.Errorf("published = %s", got)
	}
	if a.ExtractedBy != herald.ExtractedByGeneric || a.Byline != "KH디지털2" {
		t.Errorf("extracted_by %q byline %q", a.ExtractedBy, a.Byline)
	}
	if pg, err := db.Page(a.ID); err != nil || !strings.Contains(string(pg.Body), "Link copied") {
		t.Errorf("raw page not kept for re-extraction: %v", err)
	}
	// A second poll does not fetch the page again.
	p.Poll(context.Background(), feedOf(s, "korea-herald", "/rss", true))
	if n := len(s.seen("/view.php")); n != 1 {
		t.Errorf("page fetched %d times, want 1", n)
	}
}

func rss(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title><link>http://example.com/</link><description>d</description>` +
		strings.Join(items, "") + `</channel></rss>`
}

func item(guid, link, title, desc string) string {
	return fmt.Sprintf(`<item><guid isPermaLink="false">%s</guid><link>%s</link><title>%s</title><description>%s</description><pubDate>Mon, 02 Jan 2023 15:04:05 GMT</pubDate></item>`, guid, link, title, desc)
}

var longText = strings.Repeat("The same wire story, carried word for word by many papers across the country. ", 5)

// A second round against unchanged feeds sends the validators and archives nothing.
func TestConditionalGet(t *testing.T) {
	s := newSite(t)
	s.set("/a", page{body: rss(item("1", "http://example.com/1", "One", "first")), contentType: "application/rss+xml", etag: `"v1"`})
	s.set("/b", page{body: rss(item("2", "http://example.com/2", "Two", "second")), contentType: "text/xml",
		header: map[string]string{"Last-Modified": "Mon, 02 Jan 2023 15:04:05 GMT"}})
	p, db := newPollerT(t)
	feeds := []Feed{feedOf(s, "a", "/a", false), feedOf(s, "b", "/b", false)}
	per := func(string) int { return 2 }
	p.Round(context.Background(), feeds, per, nil)
	outs := p.Round(context.Background(), feeds, per, nil)
	if !outs[0].NotModified {
		t.Errorf("feed a: want not modified, got %+v", outs[0])
	}
	if outs[0].Result.New+outs[1].Result.New != 0 {
		t.Errorf("second round archived something: %+v %+v", outs[0].Result, outs[1].Result)
	}
	if h := s.seen("/a"); len(h) != 2 || h[1].Get("If-None-Match") != `"v1"` {
		t.Errorf("If-None-Match not sent: %v", h)
	}
	if h := s.seen("/b"); len(h) != 2 || h[1].Get("If-Modified-Since") == "" {
		t.Errorf("If-Modified-Since not sent: %v", h)
	}
	if h := s.seen("/a"); h[0].Get("User-Agent") != "HeraldTest/1.0" {
		t.Errorf("User-Agent = %q", h[0].Get("User-Agent"))
	}
	if n := len(all(t, db)); n != 2 {
		t.Errorf("%d articles, want 2", n)
	}
}

func TestDeduplication(t *testing.T) {
	tests := []struct {
		name     string
		a, b     string
		articles int
		sources  int
	}{
		{"one story, two feeds, tracking parameters", item("x1", "http://news.example.com/story?id=7&utm_source=a", "Story", "teaser"),
			item("y9", "https://news.example.com/story?id=7&fbclid=zz#comments", "Story", "teaser"), 1, 2},
		{"same text, different URLs", item("x1", "http://one.example.com/a", "Wire", longText),
			item("y1", "http://two.example.com/b", "Wire story", longText), 1, 2},
		{"short teasers are not merged", item("x1", "http://one.example.com/a", "A", "Read more"),
			item("y1", "http://two.example.com/b", "B", "Read more"), 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			s.set("/a", page{body: rss(tt.a), contentType: "application/rss+xml"})
			s.set("/b", page{body: rss(tt.b), contentType: "application/rss+xml"})
			p, db := newPollerT(t)
			p.Poll(context.Background(), feedOf(s, "a", "/a", false))
			p.Poll(context.Background(), feedOf(s, "b", "/b", false))
			arts := all(t, db)
			n := 0
			for _, a := range arts {
				n += len(a.Sources)
			}
			if len(arts) != tt.articles || n != tt.sources {
				t.Errorf("%d articles with %d sources, want %d with %d", len(arts), n, tt.articles, tt.sources)
			}
		})
	}
}

// A feed is read whatever Content-Type it is served with.
func TestWrongContentType(t *testing.T) {
	for _, ct := range []string{"text/html", "text/plain", "-", "application/octet-stream"} {
		t.Run(ct, func(t *testing.T) {
			s := newSite(t)
			s.set("/f", page{body: rss(item("1", "http://example.com/1", "One", "x")), contentType: ct})
			p, db := newPollerT(t)
			if out := p.Poll(context.Background(), feedOf(s, "f", "/f", false)); out.Err != nil {
				t.Fatal(out.Err)
			}
			if n := len(all(t, db)); n != 1 {
				t.Errorf("%d articles", n)
			}
		})
	}
}

func TestFailuresAreRecorded(t *testing.T) {
	p, db := newPollerT(t)
	tests := []struct {
		path, outcome, reason string
		page                  page
	}{
		{"/busy", herald.OutcomeFailed, "503", page{status: 503, contentType: "text/plain", body: "busy", header: map[string]string{"Retry-After": "3600"}}},
		{"/gone", herald.OutcomeGone, "410", page{status: 410, contentType: "text/plain", body: "gone"}},
		{"/missing", herald.OutcomeFailed, "404", page{status: 404, contentType: "text/plain", body: "no"}},
		{"/html", herald.OutcomeFailed, "/feed.xml", page{contentType: "text/html",
			body: `<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>hi</body></html>`}},
	}
	sites := map[string]*site{}
	for _, tt := range tests {
		// A client each: a 503's Retry-After holds back its whole site,
		// and every loopback server is one site.
		p.Get = newClientT(t)
		s := newSite(t)
		sites[tt.path] = s
		s.set(tt.path, tt.page)
		out := p.Poll(context.Background(), feedOf(s, tt.path, tt.path, false))
		st, _, _ := db.FeedState(tt.path)
		if out.Err == nil || st.Outcome != tt.outcome || !strings.Contains(st.LastError, tt.reason) || st.ErrorCount != 1 {
			t.Errorf("%s: err %v, state %+v", tt.path, out.Err, st)
		}
	}
	st, _, _ := db.FeedState("/busy")
	if time.Until(st.NextPoll) < 50*time.Minute {
		t.Errorf("Retry-After not honoured: next poll %v", st.NextPoll)
	}
	// A gone feed is not polled again.
	s := sites["/gone"]
	before := len(s.seen("/gone"))
	if out := p.Poll(context.Background(), feedOf(s, "/gone", "/gone", false)); out.Skipped == "" {
		t.Errorf("gone feed polled again: %+v", out)
	}
	if len(s.seen("/gone")) != before {
		t.Error("gone feed requested again")
	}
}

// The site rule lookup gets the page's host with its port, so that a
// sites: key such as 127.0.0.1:8765 can apply.
func TestRulesSeeThePort(t *testing.T) {
	s := newSite(t)
	feedXML := strings.ReplaceAll(readSeed(t, "feed.xml"), "http://www.koreaherald.com", s.srv.URL)
	s.set("/rss", page{body: feedXML, contentType: "application/rss+xml"})
	s.set("/view.php", page{body: readSeed(t, "article.html"), contentType: "text/html; charset=utf-8"})
	p, db := newPollerT(t)
	host := strings.TrimPrefix(s.srv.URL, "http://")
	var asked []string
	p.Rules = func(h string) (*extract.Rules, string) {
		asked = append(asked, h)
		if h != host {
			return nil, ""
		}
		return &extract.Rules{Body: "#articleText"}, host
	}
	if out := p.Poll(context.Background(), feedOf(s, "korea-herald", "/rss", true)); out.Err != nil {
		t.Fatal(out.Err)
	}
	arts := all(t, db)
	if len(arts) != 1 || arts[0].ExtractedBy != herald.ExtractedBySiteRule {
		t.Fatalf("rules asked for %q (want %q); %d articles, want 1 by %s", asked, host, len(arts), herald.ExtractedBySiteRule)
	}
}

// A poll that reads its feed but fails every article page says so in the
// state, for the status page; the state keeps the last few polls' marks.
func TestStateMarksPagesAndRecentPolls(t *testing.T) {
	s := newSite(t)
	s.set("/rss", page{body: rss(item("g1", s.url("/missing"), "T", "summary")), contentType: "application/rss+xml"})
	p, db := newPollerT(t)
	f := feedOf(s, "f", "/rss", true)
	f.AllowPrivate = true
	out := p.Poll(context.Background(), f)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	st, _, _ := db.FeedState("f")
	if st.PagesFetched != 1 || st.PagesFailed != 1 || st.PageError == "" || len(st.Recent) != 1 || st.Recent[0].Outcome != herald.MarkPagesFailed {
		t.Fatalf("after a poll whose only page failed: pages %d/%d %q, recent %+v", st.PagesFailed, st.PagesFetched, st.PageError, st.Recent)
	}
	for range herald.RecentPolls + 2 {
		p.Poll(context.Background(), f)
	}
	st, _, _ = db.FeedState("f")
	if len(st.Recent) != herald.RecentPolls || st.Recent[len(st.Recent)-1].Outcome != herald.OutcomeOK || st.PagesFailed != 1 {
		t.Errorf("after %d more polls: %d marks, last %+v, pages failed %d; want %d, ok, the page failure kept", herald.RecentPolls+2, len(st.Recent), st.Recent[len(st.Recent)-1], st.PagesFailed, herald.RecentPolls)
	}
}
