package poll

import (
	"context"
	"testing"
)

// A feed that answers every poll in full (no ETag, no Last-Modified): the
// entries it gives unchanged are skipped before the archive; a changed one
// updates its article.
func TestUnchangedEntriesSkipped(t *testing.T) {
	s := newSite(t)
	first := rss(item("1", "http://example.com/1", "One", "first story"), item("2", "http://example.com/2", "Two", "second story"))
	s.set("/f", page{body: first, contentType: "application/rss+xml"})
	p, db := newPollerT(t)
	f := feedOf(s, "f", "/f", false)
	ctx := context.Background()

	for round, tc := range []struct {
		body                       string
		new, updated, unchanged, n int
	}{
		{first, 2, 0, 0, 2},
		{first, 0, 0, 0, 2}, // both skipped: nothing reaches Ingest
		{rss(item("1", "http://example.com/1", "One", "first story, corrected"), item("2", "http://example.com/2", "Two", "second story")), 0, 1, 0, 2},
		{rss(item("1", "http://example.com/1", "One", "first story, corrected"), item("3", "http://example.com/3", "Three", "third")), 1, 0, 0, 3},
	} {
		s.set("/f", page{body: tc.body, contentType: "application/rss+xml"})
		out := p.Poll(ctx, f)
		if out.Err != nil {
			t.Fatalf("round %d: %v", round, out.Err)
		}
		r := out.Result
		if r.New != tc.new || r.Updated != tc.updated || r.Unchanged != tc.unchanged {
			t.Errorf("round %d: %d new, %d updated, %d unchanged; want %d, %d, %d", round, r.New, r.Updated, r.Unchanged, tc.new, tc.updated, tc.unchanged)
		}
		if n := len(all(t, db)); n != tc.n {
			t.Errorf("round %d: %d articles, want %d", round, n, tc.n)
		}
	}
	for _, a := range all(t, db) {
		if a.Sources[0].GUID == "1" && a.Text != "first story, corrected" {
			t.Errorf("article 1 text %q, want the corrected one", a.Text)
		}
	}
}
