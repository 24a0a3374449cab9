package main

// White-box: the daemon's index follower and its bounded last catch-up.

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"herald/archive"
	"herald/search"
)

// A stopping daemon does not wait for a large index backlog: its last
// catch-up is cut at stopCatchUp, nothing is lost (the change log keeps
// it) and the next catch-up indexes everything.
func TestIndexStopDoesNotWaitForBacklog(t *testing.T) {
	srv := farm(t, 4)
	cfg := farmConfig(t, srv, 4, "")
	if code, _, stderr := runCLI(t, "-c", cfg, "fetch"); code != 0 {
		t.Fatalf("fetch: exit %d: %s", code, stderr)
	}
	path := filepath.Join(filepath.Dir(cfg), "herald.db")
	if err := os.RemoveAll(search.PathFor(path)); err != nil {
		t.Fatal(err)
	}
	db, err := archive.Open(path, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	saved := stopCatchUp
	stopCatchUp = 0
	defer func() { stopCatchUp = saved }()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the daemon is already stopping: the follower does no work
	e := &env{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	_, stop, err := followIndex(ctx, e, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("stop with its time spent: %v, want nil (the backlog waits for the next open)", err)
	}
	ix, err := search.Open(search.PathFor(path))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, built, err := ix.Applied(); err != nil || built {
		t.Fatalf("after a stop with no time left: built %v, %v; want the rebuild left for the next open", built, err)
	}
	if _, err := ix.CatchUp(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if st, err := ix.Stats(); err != nil || st.Docs != 12 {
		t.Fatalf("next catch-up: %d documents, %v; want 12", st.Docs, err)
	}
}
