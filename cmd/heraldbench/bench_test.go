package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"herald/internal/farm"
)

// The bare loop parses every item cold, gets 304 for every feed warm, and
// with pages fetches and parses every page; a farm serving fewer items than
// it expects is an error, not a fast result.
func TestBareLoop(t *testing.T) {
	srv := httptest.NewServer(nil)
	defer srv.Close()
	f := farm.Farm{Base: srv.URL, N: 5, Items: 4}
	srv.Config.Handler = f.Handler()
	for _, pages := range []bool{false, true} {
		l := &loop{client: &http.Client{Timeout: 10 * time.Second}, etags: make([]string, f.N), workers: 3, pages: pages}
		got, err := l.round(f.Base, f.N, f.Items, false)
		if err != nil {
			t.Fatal(err)
		}
		want := "20 items parsed, 0 pages parsed"
		if pages {
			want = "20 items parsed, 20 pages parsed"
		}
		if got != want {
			t.Errorf("pages=%v: cold: %q, want %q", pages, got, want)
		}
		if got, err := l.round(f.Base, f.N, f.Items, true); err != nil || got != "5 feeds not modified" {
			t.Errorf("pages=%v: warm: %q, %v", pages, got, err)
		}
	}
	l := &loop{client: &http.Client{Timeout: 10 * time.Second}, etags: make([]string, 6), workers: 2}
	if _, err := l.round(f.Base, 6, f.Items, false); err == nil {
		t.Error("a missing feed went unnoticed")
	}
}

func TestMedianAndTable(t *testing.T) {
	ms := []measure{{Wall: 3 * time.Second}, {Wall: time.Second}, {Wall: 2 * time.Second}}
	if m := median(ms); m.Wall != 2*time.Second {
		t.Errorf("median %v, want 2s", m.Wall)
	}
	var b strings.Builder
	printTable(&b, []row{
		{"fast", measure{Wall: time.Second, CPU: time.Second, PeakKB: 20 << 10}, measure{Wall: 3 * time.Second, PeakKB: 100 << 10}, 4},
		{"slow", measure{Wall: time.Second}, measure{Wall: 5 * time.Second}, 3},
	})
	out := b.String()
	for _, want := range []string{"3.0×", "≤4× ok", "5.0×", "≤3× MISSED", "100 MB"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
