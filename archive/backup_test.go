package archive_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/archive"
)

// TestBackupDuringIngest takes backups while feeds are ingested batch
// after batch: each backup is a sound archive (Verify finds nothing)
// holding exactly the batches committed before it, each whole, every
// article as the live archive has it.
func TestBackupDuringIngest(t *testing.T) {
	dir := t.TempDir()
	db, err := archive.Open(filepath.Join(dir, "herald.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const batches, perBatch = 60, 25
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range batches {
			items := make([]archive.Item, perBatch)
			for i := range items {
				text := strings.Repeat(fmt.Sprintf("Batch %d item %d says a good deal. ", b, i), 20)
				items[i] = archive.Item{Article: herald.Article{
					URL: fmt.Sprintf("https://b.example/%d/%d", b, i), Title: fmt.Sprint("T", b, i), Text: text,
					Published: time.Date(2025, 1, 1, 0, b, i, 0, time.UTC), Tags: []string{fmt.Sprint("batch", b)},
					Sources: []herald.Source{{Feed: "f", GUID: fmt.Sprint(b, "-", i), Link: fmt.Sprintf("https://b.example/%d/%d", b, i)}},
				}}
			}
			if _, err := db.Ingest(context.Background(), herald.FeedState{Name: "f", URL: "https://b.example/feed"}, items); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var copies []string
	for i := 0; i < 6; i++ {
		time.Sleep(15 * time.Millisecond)
		var buf bytes.Buffer
		if _, err := db.Backup(&buf); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("backup%d.db", i))
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		copies = append(copies, p)
	}
	wg.Wait()
	live := exportLines(t, db)
	sizes := map[int]bool{}
	for _, p := range copies {
		if problems, err := archive.Verify(p, archive.Options{}); err != nil || len(problems) > 0 {
			t.Fatalf("%s: %v %v", p, problems, err)
		}
		b, err := archive.Open(p, archive.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		lines := exportLines(t, b)
		b.Close()
		perTag := map[string]int{}
		for l := range lines {
			if !live[l] {
				t.Fatalf("%s holds an article the live archive does not: %.120s", p, l)
			}
			tag := l[strings.Index(l, `"tags":["batch`)+9:]
			perTag[tag[:strings.IndexByte(tag, '"')]]++
		}
		for tag, n := range perTag {
			if n != perBatch {
				t.Errorf("%s holds %d of %s's %d articles: a commit cut in two", p, n, tag, perBatch)
			}
		}
		for b := range len(perTag) {
			if perTag[fmt.Sprint("batch", b)] == 0 {
				t.Errorf("%s lacks batch %d but holds %d batches: not a moment of the archive", p, b, len(perTag))
			}
		}
		sizes[len(lines)] = true
	}
	if len(sizes) < 2 {
		t.Logf("all backups were taken between the same two commits (%v)", sizes)
	}
}

func exportLines(t *testing.T, db *archive.DB) map[string]bool {
	t.Helper()
	var b strings.Builder
	if _, err := db.Export(context.Background(), &b, archive.FormatJSONL, archive.Query{}); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l != "" {
			out[l] = true
		}
	}
	return out
}
