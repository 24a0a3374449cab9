package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive"
)

// seedArchive fills a new archive at path with what a migration must
// carry: articles with several sources (the same story from two feeds,
// one of them with a tracking parameter), edited copies that join a story,
// an article changed after it was archived (a revision), stored pages and
// feed states.
func seedArchive(t *testing.T, path string) {
	t.Helper()
	db, err := archive.Open(path, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	item := func(feed, guid, link, title, text string, page bool) archive.Item {
		a := herald.Article{
			URL: link, Title: title, Text: text, Published: at, Fetched: at, Lang: "en",
			Sources: []herald.Source{{Feed: feed, FeedURL: "https://" + feed + ".example/feed", GUID: guid, Link: link, Seen: at}},
		}
		it := archive.Item{Article: a}
		if page {
			it.Page = &archive.Page{URL: link, ContentType: "text/html", Fetched: at, Body: []byte("<html><body><p>" + text + "</p></body></html>")}
		}
		return it
	}
	paras := func(topic string, n int) []string {
		var ps []string
		for i := range n {
			ps = append(ps, fmt.Sprintf("Paragraph %d of the %s story reports what officials said on the record, what the figures show, and what comes next for the people of %s.", i, topic, topic))
		}
		return ps
	}
	for i := range 40 {
		at = at.Add(time.Minute)
		topic := fmt.Sprintf("topic%d", i)
		base := paras(topic, 10)
		var items []archive.Item
		items = append(items, item("wire", fmt.Sprint(i), fmt.Sprintf("https://wire.example/%d", i), "Wire "+topic, strings.Join(base, "\n\n"), i%2 == 0))
		if _, err := db.Ingest(ctx, herald.FeedState{Name: "wire", URL: "https://wire.example/feed", LastPoll: at}, items); err != nil {
			t.Fatal(err)
		}
		switch i % 4 {
		case 0: // another source of the same article: its URL with tracking
			it := item("outlet", "o"+fmt.Sprint(i), fmt.Sprintf("https://wire.example/%d?utm_source=rss", i), "Wire "+topic, strings.Join(base, "\n\n"), false)
			if _, err := db.Ingest(ctx, herald.FeedState{Name: "outlet", URL: "https://outlet.example/feed", LastPoll: at}, []archive.Item{it}); err != nil {
				t.Fatal(err)
			}
		case 1: // an edited copy: another article in the same story
			cp := append([]string{"SEOUL (Yonhap) -- " + base[0]}, base[1:8]...)
			cp[3] = strings.Replace(cp[3], "officials said", "officials stated", 1)
			it := item("outlet", "o"+fmt.Sprint(i), fmt.Sprintf("https://outlet.example/%d", i), "Outlet on "+topic, strings.Join(cp, "\n\n"), true)
			if _, err := db.Ingest(ctx, herald.FeedState{Name: "outlet", URL: "https://outlet.example/feed", LastPoll: at}, []archive.Item{it}); err != nil {
				t.Fatal(err)
			}
		case 2: // the wire changes its text: the old one is a revision
			changed := append(base[:9:9], "An update: officials corrected the figures.")
			it := item("wire", fmt.Sprint(i), fmt.Sprintf("https://wire.example/%d", i), "Wire "+topic+" (corrected)", strings.Join(changed, "\n\n"), false)
			if _, err := db.Ingest(ctx, herald.FeedState{Name: "wire", URL: "https://wire.example/feed", LastPoll: at}, []archive.Item{it}); err != nil {
				t.Fatal(err)
			}
		}
	}
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Copies == 0 || st.Pages == 0 || st.Sources <= st.Articles {
		t.Fatalf("the seed lacks what it is for: %+v", st)
	}
}
