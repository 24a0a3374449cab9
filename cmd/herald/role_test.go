package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"herald/archive"
)

func TestRunRoleBadUsage(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "feeds.yaml")
	writeConfig(t, cfgPath, freePort(t), map[string]string{"alpha": "http://127.0.0.1:1/alpha"})
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"-c", cfgPath, "run", "--role", "both"}, nil, io.Discard, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), `--role: "both" is not one of all, poll, serve`) {
		t.Errorf("run --role both: exit %d, stderr %q; want %d and the roles", code, stderr.String(), exitUsage)
	}
}

// runRole runs `herald run --role r` in this process until the test ends.
func runRole(t *testing.T, cfgPath, r string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var logs syncBuffer
	go func() { done <- run(ctx, []string{"-c", cfgPath, "run", "--role", r}, nil, io.Discard, &logs) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("run --role %s: exit %d\n%s", r, code, logs.String())
		}
	})
}

// A serving process answers HTTP and polls nothing.
func TestRunRoleServe(t *testing.T) {
	var requests atomic.Int32
	feeds := &rssServer{items: map[string][]string{}}
	feeds.add("/alpha", "Alpha one")
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		feeds.ServeHTTP(w, r)
	}))
	defer ts.Close()
	listen := freePort(t)
	cfgPath := filepath.Join(t.TempDir(), "feeds.yaml")
	writeConfig(t, cfgPath, listen, map[string]string{"alpha": ts.URL + "/alpha"})

	runRole(t, cfgPath, "serve")
	waitFor(t, "/healthz to answer 200", func() bool { return get(t, "http://"+listen+"/healthz", nil).status == http.StatusOK })
	if r := get(t, "http://"+listen+"/feed.atom", nil); r.status != http.StatusOK {
		t.Errorf("/feed.atom: %d", r.status)
	}
	// A feed never polled is due at once: a process that polls would
	// have asked for it by now.
	time.Sleep(time.Second)
	if n := requests.Load(); n != 0 {
		t.Errorf("a serving process sent %d feed requests, want none", n)
	}
}

// A polling process polls and archives, and listens on nothing.
func TestRunRolePoll(t *testing.T) {
	feeds := &rssServer{items: map[string][]string{}}
	feeds.add("/alpha", "Alpha one")
	ts := httptest.NewServer(feeds)
	defer ts.Close()
	listen := freePort(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "feeds.yaml")
	writeConfig(t, cfgPath, listen, map[string]string{"alpha": ts.URL + "/alpha"})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var logs syncBuffer
	go func() { done <- run(ctx, []string{"-c", cfgPath, "run", "--role", "poll"}, nil, io.Discard, &logs) }()
	waitFor(t, "the poll in the log", func() bool { return strings.Contains(logs.String(), "polled") })
	if r := get(t, "http://"+listen+"/healthz", nil); r.status != 0 {
		t.Errorf("a polling process answers HTTP on %s: %d", listen, r.status)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\n%s", code, logs.String())
	}
	db, err := archive.Open(filepath.Join(dir, "herald.db"), archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if st, ok, err := db.FeedState("alpha"); err != nil || !ok || st.LastPoll.IsZero() {
		t.Errorf("alpha's state after a polling process: %+v %v %v, want polled", st, ok, err)
	}
}

func TestRunLeaseBadUsage(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "feeds.yaml")
	writeConfig(t, cfgPath, freePort(t), map[string]string{"alpha": "http://127.0.0.1:1/alpha"})
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"-c", cfgPath, "run", "--lease", "100ms"}, nil, io.Discard, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--lease: 100ms is less than 1s") {
		t.Errorf("run --lease 100ms: exit %d, stderr %q; want %d and the least lease", code, stderr.String(), exitUsage)
	}
}

// The driver gets the password the config keeps apart; the user stays.
func TestWithPassword(t *testing.T) {
	got := withPassword("postgres://herald@db.example:5432/news?sslmode=require", "p@ss:word")
	if got != "postgres://herald:p%40ss%3Aword@db.example:5432/news?sslmode=require" {
		t.Errorf("withPassword = %q", got)
	}
	if got := withPassword("postgres://herald@db.example/news", ""); got != "postgres://herald@db.example/news" {
		t.Errorf("without a password: %q", got)
	}
}
