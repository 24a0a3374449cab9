package serve

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"herald"
)

var baseTime = time.Date(2025, 3, 14, 9, 30, 0, 0, time.FixedZone("KST", 9*3600))

// makeArticles returns n varied articles, newest first, with every few
// sharing a publication time so that paging must break ties by id.
func makeArticles(n int) []herald.Article {
	out := make([]herald.Article, 0, n)
	for i := range n {
		pub := baseTime.Add(-time.Duration(i/3) * time.Hour)
		a := herald.Article{
			ID:          fmt.Sprintf("a%06d", n-i),
			URL:         fmt.Sprintf("https://news.example.com/2025/story-%d", i),
			Title:       fmt.Sprintf("Story %d: Seoul & Tokyo <agree> on \"trade\"", i),
			Byline:      fmt.Sprintf("Reporter %d", i%4),
			Published:   pub,
			Updated:     pub.Add(10 * time.Minute),
			Fetched:     pub.Add(20 * time.Minute),
			Lang:        "en",
			SiteName:    "Example News",
			Summary:     fmt.Sprintf("Summary of story %d.", i),
			Text:        fmt.Sprintf("First paragraph of %d.\n\nSecond paragraph.", i),
			HTML:        fmt.Sprintf(`<p>First paragraph of %d.</p><p>Second <a href="/related/%d">paragraph</a>.</p>`, i, i),
			Tags:        []string{"news"},
			ContentHash: fmt.Sprintf("%064x", i),
			ExtractedBy: herald.ExtractedByGeneric,
			Sources: []herald.Source{{
				Feed: "example", FeedURL: "https://news.example.com/rss", GUID: fmt.Sprint(i),
				Link: fmt.Sprintf("https://news.example.com/2025/story-%d?utm_source=rss", i), Seen: pub.Add(5 * time.Minute),
			}},
		}
		switch {
		case i%5 == 0:
			a.Byline = "" // the feed's name stands in
		case i%7 == 0:
			a.Lang = "ko"
			a.Title = fmt.Sprintf("한국어 기사 %d", i)
			a.Tags = append(a.Tags, "korea")
		}
		if i%3 == 1 {
			a.Sources = append(a.Sources, herald.Source{
				Feed: "wire", FeedURL: "https://wire.example.org/feed.atom", GUID: fmt.Sprintf("urn:wire:%d", i),
				Link: fmt.Sprintf("https://wire.example.org/s/%d", i), Seen: pub.Add(7 * time.Minute),
			})
			a.Tags = append(a.Tags, "wire")
		}
		if i%4 == 3 {
			a.HTML = "" // text only: content is built from the text
			a.ExtractedBy = herald.ExtractedByFeed
		}
		if i%6 == 5 {
			a.Updated = time.Time{}
		}
		out = append(out, a)
	}
	return out
}

// get requests path from h with optional headers, returning the recorder.
func get(t testing.TB, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return request(t, h, http.MethodGet, path, header...)
}

func request(t testing.TB, h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "http://localhost"+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func body(t testing.TB, w *httptest.ResponseRecorder) string {
	t.Helper()
	b, err := io.ReadAll(w.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func contains(t testing.TB, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}
