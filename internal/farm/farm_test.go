package farm

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(nil)
	defer srv.Close()
	f := Farm{Base: srv.URL, N: 3, Items: 5}
	srv.Config.Handler = f.Handler()

	for _, tc := range []struct {
		path, etag string
		status     int
		contains   string
		count      int // occurrences of "<item>"
	}{
		{"/feed/0", "", 200, "<title>Feed 0</title>", 5},
		{"/feed/2", "", 200, f.ArticleURL(2, 4), 5},
		{"/feed/2", `"feed-2-5"`, 304, "", 0},
		{"/feed/2", `"feed-2-4"`, 200, "", 5},
		{"/feed/3", "", 404, "", 0},
		{"/feed/-1", "", 404, "", 0},
		{"/feed/x", "", 404, "", 0},
		{"/article/1/2", "", 200, "<h1>Story 2 of feed 1</h1>", 0},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
		if tc.etag != "" {
			req.Header.Set("If-None-Match", tc.etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s (etag %s): status %d, want %d", tc.path, tc.etag, resp.StatusCode, tc.status)
			continue
		}
		if !strings.Contains(string(body), tc.contains) {
			t.Errorf("%s: body lacks %q", tc.path, tc.contains)
		}
		if n := strings.Count(string(body), "<item>"); n != tc.count {
			t.Errorf("%s: %d items, want %d", tc.path, n, tc.count)
		}
	}
}

func TestWriteConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "feeds.yaml")
	f := Farm{Base: "http://127.0.0.1:9", N: 4, Items: 20}
	if err := f.WriteConfig(path, true); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{"full_text: true", "name: feed-3", "url: http://127.0.0.1:9/feed/0"} {
		if !strings.Contains(got, want) {
			t.Errorf("config lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "- url:"); n != 4 {
		t.Errorf("%d feeds in config, want 4", n)
	}
}

func TestSites(t *testing.T) {
	s, err := StartSites(3, 7, 2, 0)
	if err != nil {
		t.Skipf("no loopback addresses beyond 127.0.0.1 here: %v", err)
	}
	defer s.Close()
	for i := range s.N() {
		resp, err := http.Get(s.FeedURL(i))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		host := strings.TrimPrefix(s.FeedURL(i), "http://")
		host = host[:strings.Index(host, ":")]
		if resp.StatusCode != 200 || !strings.Contains(string(body), "http://"+host) {
			t.Errorf("feed %d: %d, links not on its own site %s", i, resp.StatusCode, host)
		}
	}
	reqs := s.Requests()
	if len(reqs) != 3 || len(reqs["127.0.1.1"]) != 3 || len(reqs["127.0.1.3"]) != 2 {
		t.Errorf("requests by site: %v, want 3, 2 and 2 over three sites", reqs)
	}
	if s.Count("/feed/4") != 1 || s.MostInFlight()["127.0.1.2"] != 1 {
		t.Errorf("counts %v, most in flight %v", s.Counts(), s.MostInFlight())
	}
	for _, r := range reqs["127.0.1.2"] {
		if r.End.Before(r.Start) {
			t.Errorf("request %+v ends before it starts", r)
		}
	}
}
