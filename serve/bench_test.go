package serve

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/internal/memo"
	"herald/search"
)

// benchArticles are makeArticles with bodies of a realistic size (about
// 2 KB of HTML and 1.5 KB of text).
func benchArticles(n int) []herald.Article {
	list := makeArticles(n)
	para := strings.Repeat("Officials met on Tuesday to discuss the agreement, which covers tariffs and shipping. ", 4)
	for i := range list {
		var html, text strings.Builder
		for p := range 5 {
			fmt.Fprintf(&html, "<p>%d.%d %s</p>", i, p, para)
			fmt.Fprintf(&text, "%d.%d %s\n\n", i, p, para)
		}
		list[i].HTML, list[i].Text = html.String(), text.String()
	}
	return list
}

// BenchmarkFeedAtom50 serves /feed.atom?limit=50 from a real archive of
// 100,000 articles: from the render cache, as 304 revalidations, rendered
// afresh every time (the cost after each archive change), with no article
// sanitised before, and over loopback HTTP. Each reports its p99 latency.
func BenchmarkFeedAtom50(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 100,000-article archive")
	}
	const n = 100_000
	start := time.Now()
	db := openArchive(b, benchArticles(n))
	b.Logf("archive of %d articles built in %v", n, time.Since(start).Round(time.Millisecond))
	s := New(db, Options{})
	h := s.Handler()
	const path = "/feed.atom?limit=50"
	etag := get(b, h, path).Header().Get("ETag")

	b.Run("cached", func(b *testing.B) { benchHandler(b, h, path, "", http.StatusOK) })
	b.Run("revalidate", func(b *testing.B) { benchHandler(b, h, path, etag, http.StatusNotModified) })
	b.Run("render", func(b *testing.B) {
		// After a change: the page is rendered again, its articles'
		// sanitised HTML mostly still cached.
		uncached := New(db, Options{})
		uncached.cache = newRenderCache(0, 0)
		benchHandler(b, uncached.Handler(), path, "", http.StatusOK)
	})
	b.Run("render-cold", func(b *testing.B) {
		// Every article sanitised anew, as for a page of new articles.
		cold := New(db, Options{})
		cold.cache, cold.clean = newRenderCache(0, 0), memo.New[string](0)
		benchHandler(b, cold.Handler(), path, "", http.StatusOK)
	})

	srv := httptest.NewServer(h)
	defer srv.Close()
	b.Run("http-cached", func(b *testing.B) { benchHTTP(b, srv.URL+path, "", http.StatusOK) })
	// Links, and so the bytes and the ETag, follow the Host asked for.
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	httpETag := resp.Header.Get("ETag")
	b.Run("http-revalidate", func(b *testing.B) { benchHTTP(b, srv.URL+path, httpETag, http.StatusNotModified) })
}

func benchHandler(b *testing.B, h http.Handler, path, etag string, want int) {
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		r := httptest.NewRequest(http.MethodGet, "http://localhost"+path, nil)
		if etag != "" {
			r.Header.Set("If-None-Match", etag)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		lat = append(lat, time.Since(t0))
		if w.Code != want {
			b.Fatalf("status %d, want %d", w.Code, want)
		}
	}
	reportLatency(b, lat)
}

func benchHTTP(b *testing.B, url, etag string, want int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(t0))
		if resp.StatusCode != want {
			b.Fatalf("status %d, want %d", resp.StatusCode, want)
		}
	}
	reportLatency(b, lat)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	b.ReportMetric(float64(len(lat))/sum.Seconds(), "req/s")
}

// BenchmarkWriteAtom50 renders 50 articles, sanitising included.
func BenchmarkWriteAtom50(b *testing.B) {
	list := benchArticles(50)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteAtom(io.Discard, testFeed, list); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReading renders the reading page afresh (no render cache): the
// newest stories at /, a one-word search at /?q=, and an article at
// /read/{id}, from the archive at HERALD_READING_BENCH_DB and its search
// index (BenchmarkQuery in search/ leaves a million-article one behind),
// else from a new archive of 20,000. Each reports its p99 latency.
func BenchmarkReading(b *testing.B) {
	path := os.Getenv("HERALD_READING_BENCH_DB")
	if path == "" {
		if testing.Short() {
			b.Skip("builds a 20,000-article archive")
		}
		db := openArchive(b, benchArticles(20_000))
		path = db.Path()
		db.Close()
	}
	db, err := archive.Open(path, archive.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ix, err := search.Open(search.PathFor(db.Path()))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.CatchUp(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	newest, _, err := db.Recent(archive.Query{Limit: 1})
	if err != nil || len(newest) == 0 {
		b.Fatalf("no newest article: %v", err)
	}
	word := strings.Fields(newest[0].Text + " " + newest[0].Title)[0]
	st, _ := db.Stats()
	b.Logf("%d articles; searching for %q", st.Articles, word)
	fresh := func() http.Handler {
		s := New(db, Options{Search: ix})
		s.cache = newRenderCache(0, 0)
		return s.Handler()
	}
	for _, p := range []struct{ name, path string }{
		{"newest", "/"},
		{"search", "/?q=" + url.QueryEscape(word)},
		{"article", "/read/" + url.PathEscape(newest[0].ID)},
	} {
		b.Run(p.name, func(b *testing.B) { benchHandler(b, fresh(), p.path, "", http.StatusOK) })
	}
}
