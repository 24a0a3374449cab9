package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunHostAndToken runs `herald run` with a token and a base URL: a
// request naming another host (DNS rebinding) is refused, the API needs the
// token, the merged feed does not, and self links follow base_url whatever
// the request's Host.
func TestRunHostAndToken(t *testing.T) {
	bin := heraldBinary(t)
	dir := t.TempDir()
	addr := freePort(t)
	const token = "s3cret-token-0123456789"
	writeFile(t, dir, "token", token+"\n")
	cfg := writeFile(t, dir, "feeds.yaml", fmt.Sprintf(`archive: herald.db
listen: %s
token_file: token
base_url: https://news.example.org/herald
feeds:
  - url: http://%s/none.xml
    interval: 24h
`, addr, addr))
	startDaemon(t, bin, cfg)
	base := "http://" + addr
	waitFor(t, "the daemon to answer", func() bool { return get(t, base+"/healthz", nil).status == 200 })

	as := func(host, path string, header map[string]string) response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
	}
	bearer := map[string]string{"Authorization": "Bearer " + token}
	for _, c := range []struct {
		host, path string
		header     map[string]string
		want       int
	}{
		{"attacker.example:" + strings.Split(addr, ":")[1], "/api/feeds", bearer, http.StatusMisdirectedRequest},
		{"attacker.example", "/feed.atom", nil, http.StatusMisdirectedRequest},
		{addr, "/api/feeds", nil, http.StatusUnauthorized},
		{addr, "/metrics", nil, http.StatusUnauthorized},
		{addr, "/api/feeds", bearer, http.StatusOK},
		{"localhost", "/api/feeds?token=" + token, nil, http.StatusOK},
		{"news.example.org", "/feed.atom", nil, http.StatusOK},
		{addr, "/feed.json", nil, http.StatusOK},
	} {
		if r := as(c.host, c.path, c.header); r.status != c.want {
			t.Errorf("Host %s %s: %d, want %d", c.host, c.path, r.status, c.want)
		}
	}
	if r := as("localhost", "/feed.atom", nil); !strings.Contains(r.body, `href="https://news.example.org/herald/feed.atom"`) {
		t.Errorf("self link does not follow base_url:\n%s", r.body)
	}
}

// TestCheckSaysWhatIsExposed checks `herald check` on configs that listen
// on loopback, off it with a token, and off it without one.
func TestCheckSaysWhatIsExposed(t *testing.T) {
	dir := t.TempDir()
	feeds := "feeds:\n  - url: https://example.com/rss\n"
	writeFile(t, dir, "token", "0123456789abcdef0123\n")
	for _, c := range []struct {
		src  string
		code int
		want []string
	}{
		{feeds, 0, []string{"listen 127.0.0.1:8080 (loopback: this machine only)", "no token: open to whoever reaches the address: feeds, api, metrics, pages"}},
		{"listen: 0.0.0.0:8080\ntoken_file: token\n" + feeds, 0, []string{
			"listen 0.0.0.0:8080 (every address: the network reaches it); requests must name it by localhost, loopback addresses, any IP address, others get 421",
			"public: feeds", "need the token in " + filepath.Join(dir, "token") + " (Authorization: Bearer, or ?token=): api, metrics, pages"}},
		{"listen: 0.0.0.0:8080\n" + feeds, 2, []string{"feeds.yaml:1: listen: 0.0.0.0:8080 is not a loopback address, so api, metrics, pages would be served to anyone"}},
		{"listen: 0.0.0.0:8080\n\ntoken_file: missing\n" + feeds, 2, []string{"feeds.yaml:3: token_file: open " + filepath.Join(dir, "missing")}},
	} {
		cfg := writeFile(t, dir, "feeds.yaml", c.src)
		code, out, errs := runCLI(t, "-c", cfg, "check")
		if code != c.code {
			t.Errorf("%q: exit %d, want %d\n%s%s", c.src, code, c.code, out, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out+errs, w) {
				t.Errorf("%q: output lacks %q:\n%s%s", c.src, w, out, errs)
			}
		}
	}
}
