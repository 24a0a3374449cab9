package archive

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"herald"
)

// Saved states are seen at once, ordered with Ingest's own state writes,
// and on disk after Close.
func TestStateQueue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	save := func(name, etag string) {
		t.Helper()
		if err := db.SaveFeedState(ctx, herald.FeedState{Name: name, ETag: etag}); err != nil {
			t.Fatal(err)
		}
	}
	ingestState := func(name, etag string) {
		t.Helper()
		if _, err := db.Ingest(ctx, herald.FeedState{Name: name, ETag: etag}, nil); err != nil {
			t.Fatal(err)
		}
	}
	save("a", "a1")
	ingestState("a", "a2") // newer than the queued a1
	ingestState("b", "b1")
	save("b", "b2") // newer than b1
	save("c", "c1")
	save("c", "c2")
	save("d", "d1")
	if err := db.DeleteFeedState("d"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "a2", "b": "b2", "c": "c2"}
	check := func(when string, db *DB) {
		t.Helper()
		states, err := db.FeedStates()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range states {
			names = append(names, s.Name)
			if s.ETag != want[s.Name] {
				t.Errorf("%s: FeedStates: %s has %q, want %q", when, s.Name, s.ETag, want[s.Name])
			}
		}
		if fmt.Sprint(names) != "[a b c]" {
			t.Errorf("%s: FeedStates names %v, want [a b c]", when, names)
		}
		for name, etag := range want {
			s, ok, err := db.FeedState(name)
			if err != nil || !ok || s.ETag != etag {
				t.Errorf("%s: FeedState(%s) = %q, %v, %v; want %q", when, name, s.ETag, ok, err, etag)
			}
		}
		if _, ok, _ := db.FeedState("d"); ok {
			t.Errorf("%s: deleted state d still there", when)
		}
	}
	check("open", db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	check("reopened", ro)
}

// Many feeds saving and ingesting at once (run with -race): every last
// state reaches the disk.
func TestStateQueueConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for f := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("feed", f)
			for i := range 20 {
				st := herald.FeedState{Name: name, ETag: fmt.Sprint(i)}
				if i%3 == 0 {
					if _, err := db.Ingest(ctx, st, nil); err != nil {
						t.Error(err)
					}
					continue
				}
				if err := db.SaveFeedState(ctx, st); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	states, err := ro.FeedStates()
	if err != nil || len(states) != 16 {
		t.Fatalf("%d states, %v", len(states), err)
	}
	for _, s := range states {
		if s.ETag != "19" {
			t.Errorf("%s: last state %q, want 19", s.Name, s.ETag)
		}
	}
}
