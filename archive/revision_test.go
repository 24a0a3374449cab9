package archive_test

import (
	"fmt"
	"strings"
	"testing"
)

// A changed entry keeps its previous title and text as a revision; a change
// of white space or of the page's furniture is none; history is bounded;
// revisions survive export and import (issue 13, revisions).
func TestRevisions(t *testing.T) {
	db := openDB(t)
	body := func(v int) string {
		return fmt.Sprintf("The council voted %d to 2 on the new harbour plan after a long debate on Tuesday night.\n\nUpdated 5 minutes ago", v)
	}
	e := in{feed: "f", guid: "1", link: "https://f.example/1", title: "Vote", text: body(7)}
	put(t, db, e)
	e.text = strings.ReplaceAll(body(7), " ", "  ") // white space only
	if r := put(t, db, e); r.Unchanged != 1 {
		t.Errorf("a white-space change counted: %+v", r)
	}
	e.text = strings.Replace(body(7), "5 minutes", "1 hour", 1) // furniture only
	if r := put(t, db, e); r.Unchanged != 1 {
		t.Errorf("a furniture change counted: %+v", r)
	}
	e.title, e.text = "Vote, corrected", body(8)
	if r := put(t, db, e); r.Updated != 1 {
		t.Fatalf("a real change not counted: %+v", r)
	}
	a := articles(t, db)[0]
	if len(a.Revisions) != 1 || a.Revisions[0].Title != "Vote" || a.Revisions[0].Text != body(7) || a.Updated.IsZero() {
		t.Fatalf("revisions %+v, updated %v", a.Revisions, a.Updated)
	}
	for v := 9; v < 16; v++ {
		e.text = body(v)
		put(t, db, e)
	}
	a = articles(t, db)[0]
	if len(a.Revisions) != 5 || a.Revisions[4].Text != body(14) {
		t.Errorf("%d revisions, the newest %q; want 5, ending with the text before the last", len(a.Revisions), a.Revisions[len(a.Revisions)-1].Text)
	}
	if first, second := roundTrip(t, db); first != second || !strings.Contains(first, `"revisions":[`) {
		t.Errorf("revisions do not survive export → import → export:\n%s", firstDiff(first, second))
	}
	// A teaser has no furniture: any change of its words is one.
	put(t, db, in{feed: "f", guid: "2", link: "https://f.example/2", title: "T", text: "A short teaser."})
	if r := put(t, db, in{feed: "f", guid: "2", link: "https://f.example/2", title: "T", text: "A shorter teaser."}); r.Updated != 1 {
		t.Errorf("a teaser's change not counted: %+v", r)
	}
}
