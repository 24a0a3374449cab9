package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
)

// unlimited lets tests hit one loopback server hard.
func unlimited(string) SiteLimit { return SiteLimit{Concurrency: 64} }

func newClient(t testing.TB, o Options) *Client {
	if o.Limits == nil {
		o.Limits = unlimited
	}
	c := New(o)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func wantKind(t *testing.T, err error, kind Kind) *Error {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want *Error of kind %q", err, err, kind)
	}
	if fe.Kind != kind {
		t.Fatalf("err = %v: kind %q, want %q", fe, fe.Kind, kind)
	}
	return fe
}

func wantReason(t *testing.T, e *Error, want string) {
	t.Helper()
	if e.Reason() != want {
		t.Fatalf("reason %q, want %q", e.Reason(), want)
	}
	if !strings.HasPrefix(e.Error(), "fetch http") || !strings.HasSuffix(e.Error(), ": "+want) {
		t.Fatalf("Error() = %q, want \"fetch URL: %s\"", e.Error(), want)
	}
}

// wait sleeps for d or until the request is abandoned, so that a closing
// test server does not wait on its handlers.
func wait(r *http.Request, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	for range 100 {
		if _, err := w.Write([]byte("x")); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		if !wait(r, 100*time.Millisecond) {
			return
		}
	}
}

func TestGet(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Sat, 01 Mar 2025 12:00:00 GMT")
		w.Header().Set("Cache-Control", "public, max-age=300, s-maxage=900")
		w.Header().Set("Expires", "Sat, 01 Mar 2025 12:05:00 GMT")
		io.WriteString(w, "<rss/>")
	})
	c := newClient(t, Options{UserAgent: "Herald/test"})
	resp, err := c.Get(context.Background(), Request{URL: s.URL + "/feed#frag"})
	if err != nil {
		t.Fatal(err)
	}
	want := Response{
		URL:          s.URL + "/feed",
		StatusCode:   200,
		Body:         []byte("<rss/>"),
		ContentType:  "application/rss+xml; charset=utf-8",
		ETag:         `"v1"`,
		LastModified: "Sat, 01 Mar 2025 12:00:00 GMT",
		MaxAge:       5 * time.Minute,
		Expires:      time.Date(2025, 3, 1, 12, 5, 0, 0, time.UTC),
	}
	got := *resp
	got.Header = nil
	if got.URL != want.URL || got.StatusCode != want.StatusCode || !bytes.Equal(got.Body, want.Body) ||
		got.ContentType != want.ContentType || got.ETag != want.ETag || got.LastModified != want.LastModified ||
		got.MaxAge != want.MaxAge || !got.Expires.Equal(want.Expires) || got.NotModified || got.PermanentRedirect != "" {
		t.Fatalf("response\n%+v\nwant\n%+v", got, want)
	}
	if resp.Header.Get("Cache-Control") == "" {
		t.Error("response headers not kept")
	}
}

func TestRequestHeaders(t *testing.T) {
	var mu sync.Mutex
	var seen []http.Header
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, "new")
	})
	c := newClient(t, Options{UserAgent: "Herald/1.0 (+https://example.org/herald)"})
	ctx := context.Background()

	resp, err := c.Get(ctx, Request{URL: s.URL, ETag: `"v1"`, LastModified: "Sat, 01 Mar 2025 12:00:00 GMT"})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.NotModified || resp.StatusCode != 304 || resp.Body != nil {
		t.Fatalf("got %+v, want not modified", resp)
	}
	if _, err := c.Get(ctx, Request{URL: s.URL, UserAgent: "Other/2", Accept: "text/html"}); err != nil {
		t.Fatal(err)
	}

	h := seen[0]
	for name, want := range map[string]string{
		"User-Agent":        "Herald/1.0 (+https://example.org/herald)",
		"Accept":            FeedAccept,
		"Accept-Encoding":   "gzip, deflate",
		"If-None-Match":     `"v1"`,
		"If-Modified-Since": "Sat, 01 Mar 2025 12:00:00 GMT",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("first request %s: %q, want %q", name, got, want)
		}
	}
	h = seen[1]
	for name, want := range map[string]string{
		"User-Agent":        "Other/2",
		"Accept":            "text/html",
		"If-None-Match":     "",
		"If-Modified-Since": "",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("second request %s: %q, want %q", name, got, want)
		}
	}
}

func TestCredentials(t *testing.T) {
	var mu sync.Mutex
	auth := map[string]bool{}
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		mu.Lock()
		auth[r.URL.Path] = ok
		mu.Unlock()
		switch {
		case r.URL.Path == "/redirect":
			// Another host: the credentials stay behind.
			http.Redirect(w, r, "http://localhost:"+r.URL.Query().Get("port")+"/elsewhere", http.StatusFound)
		case r.URL.Path == "/same":
			// The same host: they go along.
			http.Redirect(w, r, "/feed", http.StatusFound)
		case r.URL.Path == "/elsewhere":
			io.WriteString(w, "no credentials needed")
		case user != "reader" || pass != "secret":
			w.WriteHeader(http.StatusUnauthorized)
		case r.URL.Path == "/feed":
			io.WriteString(w, "private")
		default:
			http.NotFound(w, r)
		}
	})
	c := newClient(t, Options{})
	withAuth := strings.Replace(s.URL, "http://", "http://reader:secret@", 1)
	if _, err := c.Get(context.Background(), Request{URL: withAuth + "/feed"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Get(context.Background(), Request{URL: withAuth + "/missing"})
	wantKind(t, err, KindHTTP4xx)
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q shows the password", err)
	}
	for _, path := range []string{"/same", "/redirect?port=" + s.URL[strings.LastIndex(s.URL, ":")+1:]} {
		if _, err := c.Get(context.Background(), Request{URL: withAuth + path}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !auth["/same"] || !auth["/redirect"] || auth["/elsewhere"] {
		t.Errorf("credentials sent: %v, want to all but /elsewhere", auth)
	}
}

func TestStatus(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		status     int
		retryAfter string
		kind       Kind
		reason     string
		at         time.Time
	}{
		{404, "", KindHTTP4xx, "HTTP 404 Not Found", time.Time{}},
		{403, "", KindHTTP4xx, "HTTP 403 Forbidden", time.Time{}},
		{500, "", KindHTTP5xx, "HTTP 500 Internal Server Error", time.Time{}},
		{599, "", KindHTTP5xx, "HTTP 599", time.Time{}},
		{410, "", KindGone, "gone (HTTP 410)", time.Time{}},
		{429, "120", KindHTTP4xx, "HTTP 429 Too Many Requests", now.Add(2 * time.Minute)},
		{503, now.Add(time.Hour).Format(http.TimeFormat), KindHTTP5xx, "HTTP 503 Service Unavailable", now.Add(time.Hour)},
		{503, "", KindHTTP5xx, "HTTP 503 Service Unavailable", time.Time{}},
		{429, "later", KindHTTP4xx, "HTTP 429 Too Many Requests", time.Time{}},
		{500, "60", KindHTTP5xx, "HTTP 500 Internal Server Error", time.Time{}}, // only 429 and 503
		{300, "", KindOther, "HTTP 300 Multiple Choices", time.Time{}},
		{302, "", KindRedirect, "HTTP 302 Found without Location", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, tt.retryAfter), func(t *testing.T) {
			s := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, "error page")
			})
			c := newClient(t, Options{Now: func() time.Time { return now }})
			_, err := c.Get(context.Background(), Request{URL: s.URL})
			e := wantKind(t, err, tt.kind)
			wantReason(t, e, tt.reason)
			if e.Status != tt.status {
				t.Errorf("status %d, want %d", e.Status, tt.status)
			}
			if !e.RetryAfter.Equal(tt.at) {
				t.Errorf("RetryAfter %v, want %v", e.RetryAfter, tt.at)
			}
		})
	}
}

func TestHeaderTimeout(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if wait(r, 5*time.Second) {
			io.WriteString(w, "late")
		}
	})
	c := newClient(t, Options{Timeout: 10 * time.Second, HeaderTimeout: 100 * time.Millisecond})
	_, err := c.Get(context.Background(), Request{URL: s.URL})
	wantReason(t, wantKind(t, err, KindTimeout), "no response headers after 100ms")
}

func TestBodyTimeout(t *testing.T) {
	s := serve(t, trickle)
	c := newClient(t, Options{Timeout: 10 * time.Second})
	_, err := c.Get(context.Background(), Request{URL: s.URL, Timeout: 350 * time.Millisecond})
	wantReason(t, wantKind(t, err, KindTimeout), "timeout after 350ms")
}

func TestBodyTimeoutGzip(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		for range 100 {
			zw.Write([]byte("x"))
			if zw.Flush() != nil || !wait(r, 100*time.Millisecond) {
				return
			}
			w.(http.Flusher).Flush()
		}
		zw.Close()
	})
	c := newClient(t, Options{Timeout: 350 * time.Millisecond})
	_, err := c.Get(context.Background(), Request{URL: s.URL})
	wantReason(t, wantKind(t, err, KindTimeout), "timeout after 350ms")
}

func TestCanceled(t *testing.T) {
	s := serve(t, trickle)
	c := newClient(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(150*time.Millisecond, cancel)
	_, err := c.Get(ctx, Request{URL: s.URL})
	wantReason(t, wantKind(t, err, KindCanceled), "canceled")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, does not wrap context.Canceled", err)
	}
}

func TestCallerDeadline(t *testing.T) {
	s := serve(t, trickle)
	c := newClient(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.Get(ctx, Request{URL: s.URL})
	wantReason(t, wantKind(t, err, KindTimeout), "deadline exceeded")
}

func TestCanceledWaitingForSite(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	c := newClient(t, Options{Limits: limitAll(SiteLimit{Concurrency: 1, Gap: time.Hour})})
	if _, err := c.Get(context.Background(), Request{URL: s.URL}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Get(ctx, Request{URL: s.URL})
	wantKind(t, err, KindCanceled)
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newClient(t, Options{})
	_, err = c.Get(context.Background(), Request{URL: "http://" + addr + "/feed"})
	wantReason(t, wantKind(t, err, KindConnect), "connection refused")
}

func TestBadURL(t *testing.T) {
	tests := []struct {
		url    string
		kind   Kind
		reason string
	}{
		{"ftp://example.com/feed", KindScheme, "scheme ftp: refused"},
		{"file:///etc/passwd", KindScheme, "scheme file: refused"},
		{"javascript:alert(1)", KindScheme, "scheme javascript: refused"},
		{"example.com/feed", KindScheme, "bad URL: no scheme"},
		{"http:///feed", KindOther, "bad URL: no host"},
		{"http://[::1", KindOther, "bad URL"},
		{"", KindScheme, "bad URL: no scheme"},
	}
	c := newClient(t, Options{})
	for _, tt := range tests {
		_, err := c.Get(context.Background(), Request{URL: tt.url})
		var e *Error
		if !errors.As(err, &e) || e.Kind != tt.kind || e.Reason() != tt.reason {
			t.Errorf("Get(%q) = %v, want kind %s, %q", tt.url, err, tt.kind, tt.reason)
		}
	}
}

func TestTooLarge(t *testing.T) {
	const max = 64 << 10
	big := bytes.Repeat([]byte("a"), max+1)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		ok      bool
	}{
		{"content-length over", func(w http.ResponseWriter, r *http.Request) { w.Write(big) }, false},
		{"chunked over", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			w.Write(big)
		}, false},
		{"exactly max", func(w http.ResponseWriter, r *http.Request) { w.Write(big[:max]) }, true},
		{"endless", func(w http.ResponseWriter, r *http.Request) {
			for {
				if _, err := w.Write(big[:4096]); err != nil {
					return
				}
			}
		}, false},
		{"gzip over", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipped(t, big))
		}, false},
	}
	c := newClient(t, Options{MaxBody: max})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serve(t, tt.handler)
			resp, err := c.Get(context.Background(), Request{URL: s.URL})
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if len(resp.Body) > max {
					t.Fatalf("body of %d bytes, over %d", len(resp.Body), max)
				}
				return
			}
			wantReason(t, wantKind(t, err, KindTooLarge), "body over max_body 64KiB")
		})
	}
}

func TestMaxBodyPerRequest(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2000)) })
	c := newClient(t, Options{MaxBody: 1 << 20})
	_, err := c.Get(context.Background(), Request{URL: s.URL, MaxBody: 1000})
	wantReason(t, wantKind(t, err, KindTooLarge), "body over max_body 1000B")
}

// bombMember is one gzip member of 16 MiB of zeros, about 16 KiB.
var bombMember = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(make([]byte, 16<<20))
	zw.Close()
	return buf.Bytes()
})

// TestGzipBomb serves a gzip body that decodes to 1 GiB and checks that the
// client stops at MaxBody, allocating about that much, not more.
func TestGzipBomb(t *testing.T) {
	member := bombMember()
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		for range 64 {
			if _, err := w.Write(member); err != nil {
				return
			}
		}
	})
	const max = 4 << 20
	c := newClient(t, Options{MaxBody: max})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.Get(context.Background(), Request{URL: s.URL})
	runtime.ReadMemStats(&after)
	wantReason(t, wantKind(t, err, KindTooLarge), "body over max_body 4MiB")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*max/2 {
		t.Fatalf("allocated %d bytes for a body limited to %d", alloc, max)
	}
}

func TestEncodings(t *testing.T) {
	text := []byte(strings.Repeat("<item>Herald</item>", 200))
	tests := []struct {
		encoding string
		body     []byte
		kind     Kind // "" for success
	}{
		{"gzip", gzipped(t, text), ""},
		{"deflate", zlibbed(t, text), ""},
		{"deflate", deflated(t, text), ""},
		{"", text, ""},
		{"br", text, KindOther},
		{"gzip", text, KindOther},
	}
	c := newClient(t, Options{})
	for _, tt := range tests {
		s := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if tt.encoding != "" {
				w.Header().Set("Content-Encoding", tt.encoding)
			}
			w.Write(tt.body)
		})
		resp, err := c.Get(context.Background(), Request{URL: s.URL})
		if tt.kind != "" {
			wantKind(t, err, tt.kind)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.encoding, err)
		}
		if !bytes.Equal(resp.Body, text) {
			t.Fatalf("%s: body %.30q, want %.30q", tt.encoding, resp.Body, text)
		}
	}
}

// redirector serves /r/N, which redirects to /r/N-1 down to /r/0, which
// answers; and paths for other redirect cases.
func redirector(t *testing.T) *httptest.Server {
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/r/"):
			n, _ := strconv.Atoi(p[3:])
			if n == 0 {
				io.WriteString(w, "arrived")
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
		case p == "/a":
			http.Redirect(w, r, "/b", http.StatusMovedPermanently)
		case p == "/b":
			http.Redirect(w, r, "/a", http.StatusMovedPermanently)
		case p == "/self":
			http.Redirect(w, r, "/self#x", http.StatusFound)
		case p == "/to":
			w.Header().Set("Location", r.URL.Query().Get("loc"))
			w.WriteHeader(http.StatusFound)
		case p == "/dir/page":
			w.Header().Set("Location", "../other/page?x=1")
			w.WriteHeader(http.StatusSeeOther)
		case p == "/other/page":
			io.WriteString(w, "relative "+r.URL.RawQuery)
		case p == "/perm":
			// /perm?codes=301,308 redirects with each code in turn.
			codes := strings.Split(r.URL.Query().Get("codes"), ",")
			if codes[0] == "" {
				io.WriteString(w, "final")
				return
			}
			code, _ := strconv.Atoi(codes[0])
			http.Redirect(w, r, "/perm?codes="+strings.Join(codes[1:], ","), code)
		default:
			http.NotFound(w, r)
		}
	})
}

func TestRedirects(t *testing.T) {
	s := redirector(t)
	c := newClient(t, Options{})
	tests := []struct {
		path      string
		kind      Kind // "" for success
		reason    string
		final     string
		permanent bool
	}{
		{path: "/r/5", final: "/r/0"},
		{path: "/r/6", kind: KindRedirect, reason: "too many redirects"},
		{path: "/a", kind: KindRedirect, reason: "redirect loop"},
		{path: "/self", kind: KindRedirect, reason: "redirect loop"},
		{path: "/to?loc=ftp://example.com/x", kind: KindScheme, reason: "redirect to ftp: refused"},
		{path: "/to?loc=file:///etc/passwd", kind: KindScheme, reason: "redirect to file: refused"},
		{path: "/to?loc=javascript:alert(1)", kind: KindScheme, reason: "redirect to javascript: refused"},
		{path: "/to?loc=http://[::1", kind: KindRedirect, reason: "bad redirect Location"},
		{path: "/dir/page", final: "/other/page?x=1"},
		{path: "/perm?codes=301,308", final: "/perm?codes=", permanent: true},
		{path: "/perm?codes=301", final: "/perm?codes=", permanent: true},
		{path: "/perm?codes=301,302", final: "/perm?codes="},
		{path: "/perm?codes=307,301", final: "/perm?codes="},
		{path: "/perm?codes=", final: "/perm?codes="},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := c.Get(context.Background(), Request{URL: s.URL + tt.path})
			if tt.kind != "" {
				wantReason(t, wantKind(t, err, tt.kind), tt.reason)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.URL != s.URL+tt.final {
				t.Errorf("URL %q, want %q", resp.URL, s.URL+tt.final)
			}
			want := ""
			if tt.permanent {
				want = s.URL + tt.final
			}
			if resp.PermanentRedirect != want {
				t.Errorf("PermanentRedirect %q, want %q", resp.PermanentRedirect, want)
			}
		})
	}
}

// TestRedirectCrossServer follows a redirect to another server, keeping
// the conditional GET validators.
func TestRedirectCrossServer(t *testing.T) {
	target := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, "moved")
	})
	origin := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(target.URL, "127.0.0.1", "localhost", 1)+"/feed", http.StatusPermanentRedirect)
	})
	c := newClient(t, Options{})
	resp, err := c.Get(context.Background(), Request{URL: origin.URL, ETag: `"v1"`})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.NotModified || !strings.HasPrefix(resp.PermanentRedirect, "http://localhost:") {
		t.Fatalf("got %+v, want not modified at the new URL", resp)
	}
}

// starts records when each request reached a server and how many were in
// its handler at once.
type starts struct {
	mu    sync.Mutex
	times map[string][]time.Time
	f     flight
}

func (s *starts) handler(hold time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.times == nil {
			s.times = map[string][]time.Time{}
		}
		s.times[r.URL.Path] = append(s.times[r.URL.Path], time.Now())
		s.mu.Unlock()
		s.f.enter()
		defer s.f.leave()
		wait(r, hold)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/target", http.StatusFound)
			return
		}
		io.WriteString(w, "ok")
	}
}

func (s *starts) sorted() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []time.Time
	for _, ts := range s.times {
		all = append(all, ts...)
	}
	slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
	return all
}

func getAll(t *testing.T, c *Client, urls []string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), Request{URL: u}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestPolitenessConcurrency(t *testing.T) {
	var st starts
	s := serve(t, st.handler(30*time.Millisecond))
	c := newClient(t, Options{Limits: limitAll(SiteLimit{Concurrency: 3})})
	getAll(t, c, slices.Repeat([]string{s.URL + "/x"}, 24))
	if m := st.f.most.Load(); m > 3 || m < 2 {
		t.Fatalf("server saw up to %d requests at once, want 2 or 3 (site limit 3)", m)
	}
}

func TestPolitenessGlobal(t *testing.T) {
	var st starts
	s := serve(t, st.handler(30*time.Millisecond))
	c := newClient(t, Options{Concurrency: 2, Limits: unlimited})
	getAll(t, c, slices.Repeat([]string{s.URL + "/x"}, 12))
	if m := st.f.most.Load(); m != 2 {
		t.Fatalf("server saw up to %d requests at once, want 2 (global limit)", m)
	}
}

func TestPolitenessGap(t *testing.T) {
	const gap = 60 * time.Millisecond
	var st starts
	s := serve(t, st.handler(0))
	c := newClient(t, Options{Limits: func(site string) SiteLimit {
		if site != "127.0.0.1" {
			t.Errorf("limits asked for site %q, want 127.0.0.1", site)
		}
		return SiteLimit{Concurrency: 4, Gap: gap}
	}})
	// Redirects count: each hop is a request to its site.
	getAll(t, c, append(slices.Repeat([]string{s.URL + "/x"}, 4), s.URL+"/redirect", s.URL+"/redirect"))
	all := st.sorted()
	if len(all) != 8 {
		t.Fatalf("server saw %d requests, want 8", len(all))
	}
	for i := 1; i < len(all); i++ {
		// The margin covers loopback latency differing between requests.
		if d := all[i].Sub(all[i-1]); d < gap*2/3 {
			t.Errorf("requests %d and %d reached the server %v apart, want about %v or more", i-1, i, d, gap)
		}
	}
}

// Started hears of every request before the site does, with the instant
// the gate let it go: one site's instants are the gap apart, however late
// a request reaches the site, and no URL it is told carries credentials.
func TestStarted(t *testing.T) {
	const gap = 40 * time.Millisecond
	type start struct {
		site, url string
		at        time.Time
	}
	var mu sync.Mutex
	var started []start
	told := func(path string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range started {
			if strings.HasSuffix(s.url, path) {
				return true
			}
		}
		return false
	}
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if !told(herald.StoredURL(r.URL.RequestURI())) {
			t.Errorf("%s reached the site before Started heard of it", r.URL)
		}
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/x?after=redirect", http.StatusFound)
		}
	})
	c := newClient(t, Options{
		Limits: limitAll(SiteLimit{Concurrency: 2, Gap: gap}),
		Started: func(site, url string, at time.Time) {
			mu.Lock()
			started = append(started, start{site, url, at})
			mu.Unlock()
		},
	})
	withAuth := strings.Replace(s.URL, "http://", "http://reader:secret@", 1)
	var urls []string
	for i := range 5 {
		urls = append(urls, fmt.Sprintf("%s/x?n=%d", withAuth, i))
	}
	// A URL in the query keeps its credentials on the wire, not in what
	// Started is told.
	urls = append(urls, s.URL+"/x?from=http://reader:secret@elsewhere.example/")
	getAll(t, c, append(urls, withAuth+"/redirect"))

	mu.Lock()
	defer mu.Unlock()
	if len(started) != 8 {
		t.Fatalf("Started heard of %d requests, want 8 (a redirect is two)", len(started))
	}
	slices.SortFunc(started, func(a, b start) int { return a.at.Compare(b.at) })
	for i, s := range started {
		if s.site != "127.0.0.1" || strings.Contains(s.url, "reader") || strings.Contains(s.url, "secret") {
			t.Errorf("Started(%q, %q): want site 127.0.0.1 and a URL without credentials", s.site, s.url)
		}
		if i > 0 && s.at.Sub(started[i-1].at) < gap {
			t.Errorf("%s started %v after %s, want at least %v", s.url, s.at.Sub(started[i-1].at), started[i-1].url, gap)
		}
	}
}

func TestRetryAfterHoldsSite(t *testing.T) {
	var mu sync.Mutex
	var hits []time.Time
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits = append(hits, time.Now())
		if len(hits) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	})
	c := newClient(t, Options{})
	start := time.Now()
	_, err := c.Get(context.Background(), Request{URL: s.URL})
	e := wantKind(t, err, KindHTTP5xx)
	if d := e.RetryAfter.Sub(start); d < 900*time.Millisecond || d > 2*time.Second {
		t.Fatalf("RetryAfter %v after the start, want about 1s", d)
	}

	// A request that cannot wait that long fails at once, without asking.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = c.Get(ctx, Request{URL: s.URL + "/other"})
	e = wantKind(t, err, KindHTTP5xx)
	wantReason(t, e, "held back by Retry-After (HTTP 503 Service Unavailable)")
	if e.Status != 503 || e.RetryAfter.IsZero() {
		t.Fatalf("held error %+v, want status 503 and RetryAfter", e)
	}
	if ctx.Err() != nil {
		t.Fatal("held request waited for its deadline instead of failing at once")
	}

	// One that can wait, waits.
	if _, err := c.Get(context.Background(), Request{URL: s.URL, Timeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hits) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(hits))
	}
	if d := hits[1].Sub(hits[0]); d < 900*time.Millisecond {
		t.Fatalf("second request came %v after the 503, want >= 1s", d)
	}
}

func TestDenyPrivate(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "internal") })
	c := newClient(t, Options{})
	ctx := context.Background()
	for _, u := range []string{s.URL, strings.Replace(s.URL, "127.0.0.1", "localhost", 1)} {
		_, err := c.Get(ctx, Request{URL: u, DenyPrivate: true})
		wantReason(t, wantKind(t, err, KindBlocked), "private address refused")
	}
	// The same server without the check; then with it again, to see that a
	// kept-alive connection is not reused to get around it.
	if _, err := c.Get(ctx, Request{URL: s.URL}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Get(ctx, Request{URL: s.URL, DenyPrivate: true})
	wantKind(t, err, KindBlocked)
}

func TestTLS(t *testing.T) {
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "HTTP/%d", r.ProtoMajor)
	}))
	s.EnableHTTP2 = true
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	s.StartTLS()
	t.Cleanup(s.Close)

	c := newClient(t, Options{})
	_, err := c.Get(context.Background(), Request{URL: s.URL})
	if !strings.HasPrefix(wantKind(t, err, KindTLS).Reason(), "TLS: ") {
		t.Fatalf("reason %q, want TLS: ...", err.(*Error).Reason())
	}

	c = newClient(t, Options{})
	c.direct.TLSClientConfig = s.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	resp, err := c.Get(context.Background(), Request{URL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "HTTP/2" {
		t.Fatalf("server saw %s, want HTTP/2", resp.Body)
	}
}

// TestNoGoroutineLeak makes many requests, ending every way, and checks
// that the goroutines come back to where they were.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write(make([]byte, 10000))
		case "/slow":
			trickle(w, r)
		case "/404":
			http.NotFound(w, r)
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		default:
			io.WriteString(w, "ok")
		}
	}))
	c := New(Options{Limits: unlimited, MaxBody: 1000, Timeout: 200 * time.Millisecond})
	paths := []string{"/ok", "/big", "/slow", "/404", "/redirect"}
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			c.Get(context.Background(), Request{URL: s.URL + paths[i%len(paths)]})
		})
	}
	wg.Wait()
	c.CloseIdleConnections()
	s.Close()

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func FuzzGet(f *testing.F) {
	f.Add(200, "", "", "", "", []byte("<rss/>"))
	f.Add(302, "/x", "", "", "", []byte(nil))
	f.Add(503, "", "gzip", "max-age=1", "1", []byte{0x1f, 0x8b})
	f.Add(301, "ftp://x", "deflate", "no-cache", "Sat, 01 Mar 2025 12:00:00 GMT", []byte{1, 2, 3})
	f.Add(200, "", "gzip", "", "", gzipped(f, []byte("hello")))
	var mu sync.Mutex
	var status int
	var location, encoding, cache, retry string
	var body []byte
	s := serve(f, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		h := w.Header()
		for k, v := range map[string]string{"Location": location, "Content-Encoding": encoding, "Cache-Control": cache, "Retry-After": retry, "Expires": retry} {
			if v != "" {
				h.Set(k, v)
			}
		}
		w.WriteHeader(status)
		w.Write(body)
	})
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return -1
			}
			return r
		}, s)
	}
	c := New(Options{Limits: unlimited, MaxBody: 4 << 10, Timeout: 2 * time.Second})
	f.Fuzz(func(t *testing.T, code int, loc, enc, cc, ra string, b []byte) {
		mu.Lock()
		status = 200 + (max(code, -code)%400+400)%400 // 200..599
		location, encoding, cache, retry, body = clean(loc), clean(enc), clean(cc), clean(ra), b
		mu.Unlock()
		resp, err := c.Get(context.Background(), Request{URL: s.URL})
		var e *Error
		switch {
		case err == nil && resp == nil:
			t.Fatal("nil response and nil error")
		case err != nil && !errors.As(err, &e):
			t.Fatalf("err %v (%T) is not an *Error", err, err)
		case err == nil && len(resp.Body) > 4<<10:
			t.Fatalf("body of %d bytes over MaxBody", len(resp.Body))
		}
	})
}

func BenchmarkGetLoopback(b *testing.B) {
	body := []byte(strings.Repeat("<item>Herald</item>\n", 50)) // 1 KiB
	s := serve(b, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	c := newClient(b, Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Get(context.Background(), Request{URL: s.URL}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
