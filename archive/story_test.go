package archive_test

import (
	"fmt"
	"strings"
	"testing"

	"herald/archive"
)

// storyParas is a wire story of twelve paragraphs.
func storyParas(topic string) []string {
	var ps []string
	for i := range 12 {
		ps = append(ps, fmt.Sprintf("Paragraph %d of the %s story reports what officials said on the record, what the figures show, and what comes next for the people involved in %s.", i, topic, topic))
	}
	return ps
}

// An edited copy from another feed joins the story; a follow-up that quotes
// a paragraph, another story from the same outlet, and a copy from the
// same feed do not (issue 13, stories).
func TestStories(t *testing.T) {
	db := openDB(t)
	base := storyParas("harbour")
	put(t, db, in{feed: "wire", guid: "1", link: "https://wire.example/1", title: "Harbour reopens", text: strings.Join(base, "\n\n")})
	// The copy: a dateline, three paragraphs cut, words changed, a tagline.
	cp := append([]string{"SEOUL, Dec. 7 (Yonhap) -- " + base[0]}, base[1:9]...)
	cp[3] = strings.Replace(cp[3], "officials said", "officials stated", 1)
	cp = append(cp, "Copyright © 2026 Outlet. All rights reserved.")
	put(t, db, in{feed: "outlet", guid: "1", link: "https://outlet.example/a", title: "Port back in business after storm", text: strings.Join(cp, "\n\n")})
	// A follow-up: another story quoting one paragraph of the first.
	other := storyParas("election")
	follow := append(append([]string{}, other[:8]...), base[2])
	put(t, db, in{feed: "outlet2", guid: "2", link: "https://outlet2.example/b", title: "Election day", text: strings.Join(follow, "\n\n")})
	// A near copy from the wire's own feed, under another entry: a feed's
	// own articles are not compared (they would match by its template),
	// but the outlet's copy links it to the story.
	put(t, db, in{feed: "wire", guid: "3", link: "https://wire.example/3", title: "Harbour reopens (update)", text: strings.Join(base[:11], "\n\n")})

	stories := map[string]string{}
	for _, a := range articles(t, db) {
		stories[a.Sources[0].Feed+" "+a.Sources[0].GUID] = a.StoryID()
	}
	if len(stories) != 4 {
		t.Fatalf("%d articles, want 4 (a copy keeps its article)", len(stories))
	}
	if stories["wire 1"] != stories["outlet 1"] {
		t.Errorf("the edited copy is not in its story")
	}
	if stories["outlet2 2"] == stories["wire 1"] {
		t.Errorf("the follow-up joined the story it quotes")
	}
	if stories["wire 3"] != stories["wire 1"] {
		t.Errorf("the wire's near copy is not in the story of the outlet's copy")
	}
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Stories != 2 || st.Copies != 2 {
		t.Errorf("stats: %d stories, %d copies; want 2 and 2", st.Stories, st.Copies)
	}
	// The merged feed's view: one item per story, with every copy's
	// source; and with the copies asked for, every article.
	one, _, err := db.Recent(archive.Query{OnePerStory: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 2 {
		t.Fatalf("one per story: %d items, want 2", len(one))
	}
	for _, a := range one {
		if a.ID == stories["wire 1"] && len(a.Sources) != 3 {
			t.Errorf("the story's item has %d sources, want its copies' too (3)", len(a.Sources))
		}
	}
	if byFeed, _, _ := db.Recent(archive.Query{OnePerStory: true, Feed: "outlet"}); len(byFeed) != 1 || byFeed[0].Sources[0].Feed != "outlet" {
		t.Errorf("a copy whose story's first article is not selected is not shown: %v", byFeed)
	}
	if all, _, _ := db.Recent(archive.Query{}); len(all) != 4 {
		t.Errorf("with copies: %d items, want 4", len(all))
	}
	first, second := roundTrip(t, db)
	if first != second || !strings.Contains(first, `"story":"`+stories["wire 1"]+`"`) {
		t.Errorf("stories do not survive export → import → export:\n%s", firstDiff(first, second))
	}
}
