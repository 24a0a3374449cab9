package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// faultFarm is a loopback server of misbehaving feeds, one per fault of
// issue 5, and a few healthy ones. Until hostile is set, every feed serves
// two well-formed items, so that a test can archive an initial set and
// then check that the hostile round changes none of it.
//
// The feeds answering 429 and 503 live on their own loopback addresses
// (127.0.0.2 and 127.0.0.3): Retry-After holds back the whole site, and
// the other feeds must not be held with them.
type faultFarm struct {
	main    *httptest.Server // 127.0.0.1
	held503 *httptest.Server // 127.0.0.2
	held429 *httptest.Server // 127.0.0.3
	hostile atomic.Bool
	// round numbers the healthy feeds' newest story (round+3), so that a
	// test can give the daemon something new to find.
	round atomic.Int64

	bomb []byte // 32 MiB of zeros, gzipped
}

// fault is one misbehaving feed and what Herald must say about it.
type fault struct {
	name string
	// host is the server the feed lives on: "" for 127.0.0.1, "503" and
	// "429" for the throttling ones.
	host string
	// yaml is extra per-feed config, indented as a feed's keys.
	yaml string
	// outcome is the feed's outcome after the hostile round, and reason a
	// part of its one-line status that says what went wrong.
	outcome, reason string
}

// faults lists every fault the farm serves with the status Herald must
// report. The config gives every feed max_body 1MiB and a timeout of 10s,
// long enough for the limits other than time to act first on a busy
// machine; the slow ones have 2s.
var faults = []fault{
	{name: "slow-headers", yaml: "    timeout: 2s\n", outcome: "failed", reason: "after 2s"},
	{name: "trickle", yaml: "    timeout: 2s\n", outcome: "failed", reason: "timeout after 2s"},
	{name: "endless", outcome: "failed", reason: "body over max_body 1MiB"},
	{name: "http-500", outcome: "failed", reason: "HTTP 500 Internal Server Error"},
	{name: "http-502", outcome: "failed", reason: "HTTP 502 Bad Gateway"},
	{name: "http-503", host: "503", outcome: "failed", reason: "HTTP 503 Service Unavailable"},
	{name: "http-429", host: "429", outcome: "failed", reason: "HTTP 429 Too Many Requests"},
	{name: "redirect-chain", outcome: "failed", reason: "too many redirects"},
	{name: "redirect-loop", outcome: "failed", reason: "redirect loop"},
	{name: "redirect-short", outcome: "ok"},
	{name: "redirect-file", outcome: "failed", reason: "redirect to file: refused"},
	{name: "redirect-ftp", outcome: "failed", reason: "redirect to ftp: refused"},
	{name: "redirect-javascript", outcome: "failed", reason: "redirect to javascript: refused"},
	{name: "gzip-bomb", outcome: "failed", reason: "body over max_body 1MiB"},
	{name: "gzip-bomb-undeclared", outcome: "failed", reason: "gzip body expands beyond 16 MiB"},
	{name: "over-max-body", outcome: "failed", reason: "body over max_body 1MiB"},
	{name: "odd-encoding", outcome: "failed", reason: "unsupported content-encoding"},
	{name: "truncated", outcome: "ok", reason: "truncated document: kept 2 entries"},
	{name: "dropped", outcome: "failed", reason: "connection closed early"},
	{name: "as-html", outcome: "ok"},
	{name: "as-plain", outcome: "ok"},
	{name: "html-page", outcome: "failed", reason: "not a feed but an HTML page; it links to feed http://127.0.0.1:PORT/f/healthy-1"},
	{name: "invalid-utf8", outcome: "ok", reason: "charset utf-8 does not fit the bytes; ignored"},
	{name: "lying-charset", outcome: "ok", reason: "charset shift_jis does not fit the bytes; ignored"},
	{name: "billion-laughs", outcome: "ok"},
	{name: "external-entity", outcome: "ok"},
	{name: "many-items", yaml: "    max_body: 16MiB\n", outcome: "ok", reason: "kept 5000 of 100000 entries"},
	{name: "huge-title", outcome: "ok"},
	{name: "same-guid", outcome: "ok"},
	{name: "odd-dates", outcome: "ok"},
	{name: "title-only", outcome: "ok"},
	{name: "pages-not-html", yaml: "    full_text: true\n", outcome: "ok"},
	{name: "healthy-1", outcome: "ok"},
	{name: "healthy-2", outcome: "ok"},
	{name: "healthy-3", outcome: "ok"},
}

func newFaultFarm(t testing.TB) *faultFarm {
	t.Helper()
	f := &faultFarm{bomb: gzipBomb(32 << 20)}
	f.main = httptest.NewServer(f)
	t.Cleanup(f.main.Close)
	f.held503 = serveOn(t, "127.0.0.2", f)
	f.held429 = serveOn(t, "127.0.0.3", f)
	return f
}

// serveOn starts a test server on another loopback address.
func serveOn(t testing.TB, ip string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s (needed to serve a second loopback site): %v", ip, err)
	}
	s := httptest.NewUnstartedServer(h)
	s.Listener.Close()
	s.Listener = ln
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// url is where the farm serves a fault's feed.
func (f *faultFarm) url(ft fault) string {
	switch ft.host {
	case "503":
		return f.held503.URL + "/f/" + ft.name
	case "429":
		return f.held429.URL + "/f/" + ft.name
	}
	return f.main.URL + "/f/" + ft.name
}

// config writes a feeds.yaml over the given faults, each name suffixed by
// copy (for farms of many copies), with short timeouts and a small max_body.
func (f *faultFarm) config(list []fault, copies int, head string) string {
	var b strings.Builder
	b.WriteString(head)
	b.WriteString(`defaults:
  interval: 1s
  min_interval: 1s
  max_interval: 2s
  full_text: false
  timeout: 10s
  max_body: 1MiB
sites:
  127.0.0.1:
    site_concurrency: 64
    site_gap: 0s
feeds:
`)
	for c := range copies {
		for _, ft := range list {
			fmt.Fprintf(&b, "  - url: %s\n    name: %s\n%s", copyURL(f.url(ft), c), copyName(ft.name, c), ft.yaml)
		}
	}
	return b.String()
}

// copyURL tells copies apart by a query the farm ignores: the same feed
// twice is a config error.
func copyURL(u string, c int) string {
	if c == 0 {
		return u
	}
	return fmt.Sprintf("%s?copy=%d", u, c)
}

func copyName(name string, c int) string {
	if c == 0 {
		return name
	}
	return fmt.Sprintf("%s~%d", name, c)
}

func (f *faultFarm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/chain/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(path, "/chain/"))
		if n <= 0 {
			f.good(w, "chain-end", 0)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
	case path == "/loop/a":
		http.Redirect(w, r, "/loop/b", http.StatusMovedPermanently)
	case path == "/loop/b":
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	case path == "/page/report.pdf":
		w.Header().Set("Content-Type", "application/pdf")
		io.WriteString(w, "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	case path == "/page/photo.png":
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	case strings.HasPrefix(path, "/f/"):
		name := strings.TrimPrefix(path, "/f/")
		if !f.hostile.Load() || strings.HasPrefix(name, "healthy") {
			f.good(w, name, int(f.round.Load()))
			return
		}
		f.serveFault(w, r, name)
	default:
		http.NotFound(w, r)
	}
}

// item is one RSS item; empty fields are left out.
type item struct {
	guid, title, link, desc, date string
}

func (it item) String() string {
	var b strings.Builder
	b.WriteString("<item>")
	for _, el := range [][2]string{{"guid", it.guid}, {"title", it.title}, {"link", it.link}, {"description", it.desc}, {"pubDate", it.date}} {
		if el[1] != "" {
			fmt.Fprintf(&b, "<%s>%s</%s>", el[0], el[1], el[0])
		}
	}
	b.WriteString("</item>")
	return b.String()
}

func rss(title string, items ...item) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>` + title + `</title><link>http://example.org/</link>`)
	for _, it := range items {
		b.WriteString(it.String())
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// storyItem is a well-formed item of a feed whose text is its own.
func storyItem(feed string, n int) item {
	return item{
		guid:  fmt.Sprintf("%s-%d", feed, n),
		title: fmt.Sprintf("Story %d of %s", n, feed),
		link:  fmt.Sprintf("http://example.org/%s/%d", feed, n),
		desc:  fmt.Sprintf("The story numbered %d, as %s tells it in its own words.", n, feed),
		date:  time.Date(2025, 3, 1, n%24, 0, 0, 0, time.UTC).Format(time.RFC1123Z),
	}
}

// good serves a healthy feed: stories 1 and 2, and 3..round+3 when the
// farm is hostile (new stories appear in healthy feeds).
func (f *faultFarm) good(w http.ResponseWriter, name string, round int) {
	items := []item{storyItem(name, 1), storyItem(name, 2)}
	if f.hostile.Load() {
		for n := 3; n <= round+3; n++ {
			items = append(items, storyItem(name, n))
		}
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	io.WriteString(w, rss(name, items...))
}

// serveFault serves the hostile form of a feed.
func (f *faultFarm) serveFault(w http.ResponseWriter, r *http.Request, name string) {
	fresh := func(n int) item { return storyItem(name+"-new", n) }
	switch name {
	case "slow-headers":
		wait(r, 10*time.Second)
	case "trickle":
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(http.StatusOK)
		for _, c := range []byte(rss(name, fresh(1))) {
			if _, err := w.Write([]byte{c}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			if !wait(r, time.Second) {
				return
			}
		}
	case "endless":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>endless</title>`)
		chunk := []byte(strings.Repeat(fresh(1).String(), 64))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case "http-500":
		http.Error(w, "boom", http.StatusInternalServerError)
	case "http-502":
		http.Error(w, "bad gateway", http.StatusBadGateway)
	case "http-503":
		w.Header().Set("Retry-After", "120")
		http.Error(w, "later", http.StatusServiceUnavailable)
	case "http-429":
		w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case "redirect-chain":
		http.Redirect(w, r, "/chain/8", http.StatusFound)
	case "redirect-short":
		http.Redirect(w, r, "/chain/1", http.StatusFound)
	case "redirect-loop":
		http.Redirect(w, r, "/loop/a", http.StatusFound)
	case "redirect-file":
		redirectTo(w, "file:///etc/passwd")
	case "redirect-ftp":
		redirectTo(w, "ftp://127.0.0.1/feed.xml")
	case "redirect-javascript":
		redirectTo(w, "javascript:alert(document.cookie)")
	case "gzip-bomb":
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(f.bomb)
	case "gzip-bomb-undeclared":
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(f.bomb)
	case "over-max-body":
		w.Header().Set("Content-Type", "application/rss+xml")
		body := rss(name, fresh(1), item{guid: "big", title: "big", desc: strings.Repeat("x", 2<<20)})
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body)
	case "odd-encoding":
		// A Content-Encoding nobody asked for, 16 KiB long: the status must
		// still be one short line.
		w.Header().Set("Content-Encoding", "x-"+strings.Repeat("q", 16<<10))
		io.WriteString(w, rss(name, fresh(1)))
	case "truncated":
		body := rss(name, fresh(1), fresh(2), fresh(3))
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, body[:strings.LastIndex(body, "<item>")+40])
	case "dropped":
		dropMidBody(w, rss(name, fresh(1), fresh(2)))
	case "as-html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, rss(name, fresh(1)))
	case "as-plain":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, rss(name, fresh(1)))
	case "html-page":
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!DOCTYPE html><html><head><title>A blog</title><link rel="alternate" type="application/rss+xml" href="/f/healthy-1"></head><body><p>Hello</p></body></html>`)
	case "invalid-utf8":
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		io.WriteString(w, rss(name, item{guid: "bad-bytes", title: "Caf\xe9 \xff\xfe broken", desc: "Bytes \xc3\x28 that are not UTF-8, in a story of their own."}))
	case "lying-charset":
		w.Header().Set("Content-Type", "application/rss+xml; charset=shift_jis")
		io.WriteString(w, rss(name, item{guid: "korean", title: "한국어 기사 제목", desc: "서울에서 전하는 이야기입니다."}))
	case "billion-laughs":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><rss version="2.0"><channel><title>&lol9;</title><item><guid>laughs</guid><title>Laughs &lol9;</title><description>The laughing story &lol9;.</description></item></channel></rss>`)
	case "external-entity":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY web SYSTEM "http://127.0.0.1:1/x">]><rss version="2.0"><channel><title>x</title><item><guid>xxe</guid><title>Entity &xxe; &web;</title><description>The external story &xxe;.</description></item></channel></rss>`)
	case "many-items":
		w.Header().Set("Content-Type", "application/rss+xml")
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>many</title>`)
		for i := range 100_000 {
			fmt.Fprintf(&b, `<item><guid>m%d</guid><title>Many %d</title><description>Item %d of many</description></item>`, i, i, i)
		}
		b.WriteString(`</channel></rss>`)
		w.Write(b.Bytes())
	case "huge-title":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rss(name, item{guid: "huge", title: strings.Repeat("word ", 200_000), desc: "The story with a huge title."}))
	case "same-guid":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rss(name,
			item{guid: "same", title: "First story", link: "http://example.org/same/1", desc: "The first of three stories."},
			item{guid: "same", title: "Second story", link: "http://example.org/same/2", desc: "The second of three stories."},
			item{guid: "same", title: "Third story", link: "http://example.org/same/3", desc: "The third of three stories."}))
	case "odd-dates":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rss(name,
			item{guid: "year1", title: "From year one", desc: "A story dated in the year 1.", date: "Mon, 01 Jan 0001 00:00:00 +0000"},
			item{guid: "year2999", title: "From year 2999", desc: "A story dated in the year 2999.", date: "Tue, 01 Jan 2999 00:00:00 +0000"}))
	case "title-only":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rss(name, item{title: "Only a title"}, item{title: "Another bare title"}, item{title: "A third bare title"}))
	case "pages-not-html":
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, rss(name,
			item{guid: "pdf", title: "A report", link: f.main.URL + "/page/report.pdf", desc: "The report, as a PDF."},
			item{guid: "png", title: "A photo", link: f.main.URL + "/page/photo.png", desc: "The photo, as a PNG image."}))
	default:
		http.NotFound(w, r)
	}
}

// wait sleeps for d or until the client goes away; it reports whether the
// client is still there.
func wait(r *http.Request, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

func redirectTo(w http.ResponseWriter, loc string) {
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}

// dropMidBody promises a body, sends half of it and closes the connection.
func dropMidBody(w http.ResponseWriter, body string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:len(body)/2])
	buf.Flush()
}

// gzipBomb is n bytes of zeros, gzipped to about a thousandth of that.
func gzipBomb(n int) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range n >> 20 {
		zw.Write(zeros)
	}
	zw.Close()
	return b.Bytes()
}
