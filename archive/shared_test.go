package archive_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/extract"
)

// openTwice opens the test's archive twice, as two processes sharing it
// would; it skips unless the archive is a shared engine's.
func openTwice(t *testing.T) (*archive.DB, *archive.DB) {
	t.Helper()
	path := archive.ArchivePath(t)
	if !archive.IsPostgres(path) {
		t.Skip("two processes on one archive: runs in the PostgreSQL pass (a bbolt file has one writer)")
	}
	var dbs [2]*archive.DB
	for i := range dbs {
		now := day
		db, err := archive.Open(path, archive.Options{
			NoSync: true, SanitizeHTML: extract.SanitizeHTML,
			Now: func() time.Time { now = now.Add(time.Second); return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if !db.Shared() {
			t.Fatal("a PostgreSQL archive is not Shared")
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// What one process keeps in memory must not hide what another wrote: a
// text claimed by one is found by the other, a copy's story too, and a
// feed state saved by one is read by the other at once.
func TestSharedEngine(t *testing.T) {
	one, two := openTwice(t)
	base := storyParas("harbour")
	text := strings.Join(base, "\n\n")
	put(t, one, in{feed: "wire", guid: "1", link: "https://wire.example/1", title: "Harbour reopens", text: text})
	// The same text under another URL, written by the other process:
	// the first process's claim on it must be seen.
	res := put(t, two, in{feed: "mirror", guid: "1", link: "https://mirror.example/x", title: "Harbour reopens", text: text})
	if res.Duplicate != 1 {
		t.Errorf("the same text through another process: %+v, want a duplicate", res)
	}
	// Each process writes once, so its story window has seen its own
	// open only; the copy must still find the first article's story.
	cp := append([]string{"SEOUL, Dec. 7 (Yonhap) -- " + base[0]}, base[1:9]...)
	cp = append(cp, "Copyright © 2026 Outlet. All rights reserved.")
	put(t, two, in{feed: "outlet", guid: "1", link: "https://outlet.example/a", title: "Port back in business", text: strings.Join(cp, "\n\n")})
	list := articles(t, one)
	if len(list) != 2 {
		t.Fatalf("%d articles, want 2", len(list))
	}
	if list[0].StoryID() != list[1].StoryID() {
		t.Errorf("the copy written by another process is not in its story: %q, %q", list[0].StoryID(), list[1].StoryID())
	}

	state := herald.FeedState{Name: "wire", URL: "https://wire.example/feed.xml", ETag: `"v2"`}
	if err := one.SaveFeedState(context.Background(), state); err != nil {
		t.Fatal(err)
	}
	got, ok, err := two.FeedState("wire")
	if err != nil || !ok || got.ETag != `"v2"` {
		t.Errorf("the other process reads the state %+v, %v, %v; want ETag \"v2\"", got, ok, err)
	}
}

// What only a bbolt file has is refused on PostgreSQL, saying what to use.
func TestSharedEngineFileOnly(t *testing.T) {
	one, _ := openTwice(t)
	if _, err := one.Backup(io.Discard); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("Backup: %v, want a pointer to pg_dump", err)
	}
	if _, err := archive.Verify(one.Path(), archive.Options{}); err == nil || !strings.Contains(err.Error(), "not available on a PostgreSQL archive") {
		t.Errorf("Verify: %v", err)
	}
}
