package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"herald/config"
	"herald/fetch"
)

// pageServer serves an article page at /page and a large one at /big, and
// records the headers of each request.
func pageServer(t *testing.T) (*httptest.Server, func() []http.Header) {
	var mu sync.Mutex
	var seen []http.Header
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		body := "<html><body><article><p>" + strings.Repeat("The article's own words, long enough to be its text. ", 10) + "</p></article></body></html>"
		if r.URL.Path == "/big" {
			body += strings.Repeat("<!-- padding -->", 512)
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s, func() []http.Header {
		mu.Lock()
		defer mu.Unlock()
		return append([]http.Header(nil), seen...)
	}
}

// TestExtractFetchThroughFetch checks that herald extract --fetch makes its
// request the way the daemon does: the config's user_agent and max_body
// (the defaults without a config), fetch's Accept for pages and its errors.
func TestExtractFetchThroughFetch(t *testing.T) {
	s, seen := pageServer(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "feeds.yaml", `defaults:
  user_agent: "ExtractTest/1.0"
  max_body: 4KiB
feeds:
  - url: http://127.0.0.1:1/feed.xml
`)
	code, out, stderr := runCLI(t, "-c", cfg, "extract", "--fetch", s.URL+"/page")
	if code != 0 || !strings.Contains(out, "The article's own words") {
		t.Fatalf("extract --fetch: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	code, _, stderr = runCLI(t, "-c", cfg, "extract", "--fetch", s.URL+"/big")
	if code != 1 || !strings.Contains(stderr, "body over max_body 4KiB") {
		t.Errorf("a page over max_body: exit %d, stderr %q; want fetch's refusal", code, stderr)
	}
	code, _, stderr = runCLI(t, "-c", filepath.Join(dir, "absent.yaml"), "extract", "--fetch", s.URL+"/page")
	if code != 0 {
		t.Fatalf("without a config: exit %d, %s", code, stderr)
	}
	h := seen()
	if len(h) != 3 {
		t.Fatalf("%d requests, want 3", len(h))
	}
	if ua := h[0].Get("User-Agent"); ua != "ExtractTest/1.0" {
		t.Errorf("User-Agent %q, want the config's", ua)
	}
	if ua := h[2].Get("User-Agent"); ua != config.DefaultUserAgent {
		t.Errorf("User-Agent %q without a config, want %q", ua, config.DefaultUserAgent)
	}
	if a := h[0].Get("Accept"); a != fetch.PageAccept {
		t.Errorf("Accept %q, want %q", a, fetch.PageAccept)
	}
}

// publicHost plays a host on the internet whose every answer leads to a
// loopback server (as a redirect to an internal address would): requests
// for it go there with their DenyPrivate unchanged.
type publicHost struct {
	host string
	to   *httptest.Server
	get  getter
}

func (g publicHost) Get(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	if u, err := url.Parse(r.URL); err == nil && u.Host == g.host {
		r.URL = g.to.URL + u.Path
	}
	return g.get.Get(ctx, r)
}

// TestExtractFetchRefusesPrivate checks that a page on a public host may
// not lead extract --fetch to a private address, while a URL given on
// loopback is fetched.
func TestExtractFetchRefusesPrivate(t *testing.T) {
	s, seen := pageServer(t)
	client := fetch.New(fetch.Options{})
	t.Cleanup(client.CloseIdleConnections)
	get := publicHost{host: "news.example.com", to: s, get: client}

	_, _, _, err := download(context.Background(), get, "http://news.example.com/page")
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Kind != fetch.KindBlocked {
		t.Fatalf("a public URL leading to loopback: %v, want the private address refused", err)
	}
	if n := len(seen()); n != 0 {
		t.Errorf("the loopback server saw %d requests", n)
	}
	if _, _, _, err := download(context.Background(), get, s.URL+"/page"); err != nil {
		t.Errorf("a URL given on loopback: %v", err)
	}
}
