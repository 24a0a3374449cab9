package serve

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// at requests path from h as addressed to host, with optional headers.
func at(t testing.TB, h http.Handler, host, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestHostCheck sends requests naming the server by its own names and by
// others: a DNS-rebound name gets 421 and no data, and self links never
// name a host the server does not own.
func TestHostCheck(t *testing.T) {
	fa := newFakeArchive(makeArticles(3), baseTime)
	tests := []struct {
		o     Options
		hosts map[string]int
	}{
		{Options{Listen: "127.0.0.1:8080"}, map[string]int{
			"127.0.0.1:8080": 200, "localhost:8080": 200, "LOCALHOST.": 200, "[::1]:8080": 200, "127.0.0.2": 200, "[::1]": 200,
			"attacker.example:8080": 421, "attacker.example": 421, "localhost.attacker.example": 421, "127.0.0.1.nip.io:8080": 421,
			"192.168.1.5:8080": 421, "": 400,
		}},
		{Options{Listen: "192.0.2.7:80", BaseURL: "https://News.Example.org/herald"}, map[string]int{
			"192.0.2.7": 200, "news.example.org": 200, "news.example.org:443": 200, "localhost": 200,
			"192.0.2.8": 421, "example.org": 421, "attacker.example": 421,
		}},
		{Options{Listen: "0.0.0.0:8080"}, map[string]int{
			"192.168.1.5:8080": 200, "[2001:db8::1]:8080": 200, "localhost:8080": 200,
			"herald.lan:8080": 421, "attacker.example": 421,
		}},
		{Options{Listen: "herald.lan:8080"}, map[string]int{"herald.lan:8080": 200, "Herald.LAN": 200, "other.lan": 421}},
		{Options{}, map[string]int{"localhost": 200, "127.0.0.1:1234": 200, "attacker.example": 421}},
	}
	for _, tt := range tests {
		h := New(fa, tt.o).Handler()
		for host, want := range tt.hosts {
			for _, path := range []string{"/api/feeds", "/feed.atom", "/metrics", "/status"} {
				w := at(t, h, host, path)
				if w.Code != want {
					t.Errorf("%+v: Host %q %s: %d, want %d", tt.o, host, path, w.Code, want)
				}
				if want != 200 && strings.Contains(w.Body.String(), "urn:herald") {
					t.Errorf("Host %q %s: refused with data", host, path)
				}
			}
		}
	}
	// Self links follow BaseURL, else the request's own (accepted) host.
	h := New(fa, Options{Listen: "127.0.0.1:8080", BaseURL: "https://news.example.org"}).Handler()
	contains(t, at(t, h, "127.0.0.1:8080", "/feed.atom").Body.String(), `href="https://news.example.org/feed.atom"`)
	h = New(fa, Options{Listen: "127.0.0.1:8080"}).Handler()
	contains(t, at(t, h, "localhost:8080", "/feed.atom").Body.String(), `href="http://localhost:8080/feed.atom"`)
}

// TestToken checks which parts ask for the token and the ways to give it.
func TestToken(t *testing.T) {
	const token = "0123456789abcdef-token"
	fa := newFakeArchive(makeArticles(3), baseTime)
	fa.states = feedStates(baseTime)
	h := New(fa, Options{Listen: "0.0.0.0:8080", Token: token, Public: []string{PartFeeds}}).Handler()
	host := "192.0.2.7:8080"
	for path, open := range map[string]bool{
		"/feed.atom": true, "/feed.json?limit=2": true, "/healthz": true,
		"/api/feeds": false, "/api/articles": false, "/api/articles/a000001": false, "/metrics": false,
		"/": false, "/status": false, "/anything-else": false,
	} {
		w := at(t, h, host, path)
		if open && w.Code == http.StatusUnauthorized || !open && w.Code != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d", path, w.Code)
		}
		if !open {
			if w.Header().Get("WWW-Authenticate") == "" || strings.Contains(w.Body.String(), "urn:herald") || strings.Contains(w.Body.String(), "example") {
				t.Errorf("%s: 401 without WWW-Authenticate, or with data: %s", path, w.Body)
			}
			for _, bad := range [][]string{{"Authorization", "Bearer wrong-token-0123456789"}, {"Authorization", "Basic " + token}, {"Cookie", tokenCookie + "=nope"}} {
				if w := at(t, h, host, path, bad...); w.Code != http.StatusUnauthorized {
					t.Errorf("%s with %v: %d", path, bad, w.Code)
				}
			}
			if w := at(t, h, host, path, "Authorization", "Bearer "+token); w.Code == http.StatusUnauthorized {
				t.Errorf("%s with the bearer token: %d", path, w.Code)
			}
			if w := at(t, h, host, path, "Cookie", tokenCookie+"="+token); w.Code == http.StatusUnauthorized {
				t.Errorf("%s with the cookie: %d", path, w.Code)
			}
		}
	}
	if w := at(t, h, host, "/api/feeds?token="+token); w.Code != 200 {
		t.Errorf("api with token= in the query: %d", w.Code)
	}
	if w := at(t, h, host, "/api/feeds?token=x"+token); w.Code != http.StatusUnauthorized {
		t.Errorf("api with a wrong token= : %d", w.Code)
	}
	// A page asked for with token= sets the cookie and drops the token
	// from the address.
	w := at(t, h, host, "/?a=1&token="+url.QueryEscape(token))
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/?a=1" {
		t.Fatalf("page with token=: %d, Location %q", w.Code, w.Header().Get("Location"))
	}
	c := w.Result().Cookies()
	if len(c) != 1 || c[0].Name != tokenCookie || c[0].Value != token || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie %+v", c)
	}
	if w := at(t, h, host, "/status", "Cookie", c[0].String()); w.Code != 200 {
		t.Errorf("page with the cookie: %d", w.Code)
	}
	// The attacker's host is refused before the token is looked at.
	if w := at(t, h, "attacker.example", "/api/feeds", "Authorization", "Bearer "+token); w.Code != http.StatusMisdirectedRequest {
		t.Errorf("right token, wrong host: %d", w.Code)
	}
	// Feeds can be private too; everything public needs no token.
	h = New(fa, Options{Token: token, Public: []string{}}).Handler()
	if w := at(t, h, "localhost", "/feed.atom"); w.Code != http.StatusUnauthorized {
		t.Errorf("private feeds without the token: %d", w.Code)
	}
	h = New(fa, Options{Listen: "0.0.0.0:8080", Public: []string{PartFeeds, PartAPI, PartMetrics, PartPages}}).Handler()
	if w := at(t, h, host, "/api/feeds"); w.Code != 200 {
		t.Errorf("no token: %d", w.Code)
	}
}
