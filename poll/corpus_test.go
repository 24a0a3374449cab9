package poll

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald/feed"
)

const feedCorpus = "../../shared/corpus/feeds"

// Every real capture that feedparser reads without complaint is archived
// with at least the entries feedparser finds, through the whole path: HTTP,
// parse, archive. Ill-formed ones archive what can be recovered or fail
// with a clear per-feed error.
func TestCorpusArchives(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus test skipped in -short mode")
	}
	rows := expectedRows(t)
	s := newSite(t)
	p, db := newPollerT(t)
	for i, r := range rows {
		body, err := os.ReadFile(filepath.Join(feedCorpus, r.path))
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/f%d", i)
		s.set(path, page{body: string(body), contentType: "-"})
		name := fmt.Sprintf("f%d", i)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out := p.Poll(ctx, feedOf(s, name, path, false))
		cancel()
		if out.Err != nil {
			if !r.bozo {
				t.Errorf("%s: well-formed for feedparser, but: %v", r.path, out.Err)
			} else if out.State.LastError == "" {
				t.Errorf("%s: failed with no reason recorded", r.path)
			}
			continue
		}
		doc, err := feed.Parse(body, "", s.url(path))
		if err != nil {
			t.Fatalf("%s: polled but does not parse: %v", r.path, err)
		}
		keys := map[string]bool{}
		for _, e := range doc.Entries {
			keys[e.Key] = true
		}
		st, err := db.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Feeds[name]; got != len(keys) {
			t.Errorf("%s: %d entries with distinct keys parsed, %d archived", r.path, len(keys), got)
		}
		if !r.bozo && len(doc.Entries) < r.nonEmpty {
			t.Errorf("%s: %d entries, feedparser finds %d", r.path, len(doc.Entries), r.nonEmpty)
		}
	}
}

type expectedRow struct {
	path     string
	bozo     bool
	nonEmpty int
}

func expectedRows(t *testing.T) []expectedRow {
	f, err := os.Open(filepath.Join(feedCorpus, "EXPECTED.tsv"))
	if os.IsNotExist(err) {
		t.Skipf("%s is absent (../shared is only beside the repository in CI and development)", feedCorpus)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []expectedRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 6 || cols[0] == "path" {
			continue
		}
		n, err := strconv.Atoi(cols[5])
		if err != nil {
			t.Fatalf("EXPECTED.tsv: %q: %v", sc.Text(), err)
		}
		rows = append(rows, expectedRow{path: cols[0], bozo: cols[2] == "1", nonEmpty: n})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}
