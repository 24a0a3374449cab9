package fetch

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestCredentialsStayInRequest checks that credentials, given in the URL
// or as Username and Password, are sent to their origin and appear in no
// Response or Error: the caller keeps, shows and resolves links against
// Response.URL.
func TestCredentialsStayInRequest(t *testing.T) {
	var mu sync.Mutex
	got := map[string]string{}
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		mu.Lock()
		got[r.URL.Path] = user + ":" + pass
		mu.Unlock()
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/feed", http.StatusMovedPermanently)
		case "/location-auth":
			// A server writing credentials into its Location.
			w.Header().Set("Location", "http://mallory:planted@"+r.Host+"/feed?from=location")
			w.WriteHeader(http.StatusFound)
		case "/feed":
			io.WriteString(w, "private")
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	c := newClient(t, Options{})
	ctx := context.Background()
	inURL := strings.Replace(s.URL, "http://", "http://reader:s3cret@", 1)

	for _, r := range []Request{
		{URL: inURL + "/moved"},
		{URL: s.URL + "/moved", Username: "reader", Password: "s3cret"},
	} {
		resp, err := c.Get(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{resp.URL, resp.PermanentRedirect} {
			if strings.Contains(u, "reader") || strings.Contains(u, "s3cret") {
				t.Errorf("response URL %q carries the credentials", u)
			}
		}
		if got["/feed"] != "reader:s3cret" {
			t.Errorf("credentials sent %q, want reader:s3cret", got["/feed"])
		}
	}
	_, err := c.Get(ctx, Request{URL: inURL + "/denied"})
	wantKind(t, err, KindHTTP4xx)
	if e := err.Error(); strings.Contains(e, "reader") || strings.Contains(e, "s3cret") {
		t.Errorf("error %q shows the credentials", e)
	}
	_, err = c.Get(ctx, Request{URL: "http://reader:s3cret@bad host/feed"})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad URL error %v shows the credentials", err)
	}

	resp, err := c.Get(ctx, Request{URL: s.URL + "/location-auth"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(resp.URL, "planted") || got["/feed"] == "mallory:planted" {
		t.Errorf("credentials from a Location were taken: url %q, sent %q", resp.URL, got["/feed"])
	}
}

func TestCredentialsForHop(t *testing.T) {
	r := Request{URL: "http://feeds.example.com/f", Username: "u", Password: "p"}
	u, _ := target(r.URL)
	auth := takeCredentials(&r, u)
	for raw, want := range map[string]bool{
		"http://feeds.example.com/other":      true,
		"http://FEEDS.example.com:80/other":   true,
		"https://feeds.example.com/f":         true,
		"http://feeds.example.com:8080/f":     false,
		"http://cdn.example.com/f":            false,
		"https://feeds.example.com:8443/f":    false,
		"http://feeds.example.com.evil.net/f": false,
	} {
		hop, _ := target(raw)
		if got := auth.forHop(hop) != nil; got != want {
			t.Errorf("credentials for %s: %v, want %v", raw, got, want)
		}
	}
	r = Request{URL: "https://feeds.example.com/f", Username: "u", Password: "p"}
	u, _ = target(r.URL)
	if takeCredentials(&r, u).forHop(mustTarget(t, "http://feeds.example.com/f")) != nil {
		t.Error("credentials sent back over plain http")
	}
}

func mustTarget(t *testing.T, raw string) *url.URL {
	u, err := target(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
