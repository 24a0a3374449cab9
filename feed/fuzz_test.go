package feed

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		rssDoc(`<item><title>a</title><link>/x</link><pubDate>Wed, 24 Jun 2015 09:40:00 KST</pubDate></item>`),
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>t</title></entry></feed>`,
		`<entry xmlns="http://www.w3.org/2005/Atom"><title>t</title></entry>`,
		`<?xml version="1.0" encoding="euc-kr"?><rss><channel><item><title>` + "\xc7\xd1" + `</title></item></channel></rss>`,
		`<rss><channel><item><title>cut`,
		`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":1,"tags":"a,b"}`,
		`<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/f"></head></html>`,
		"\x1f\x8b\x08\x00\x00\x00\x00\x00",
	} {
		f.Add([]byte(seed), "")
	}
	if b, err := os.ReadFile("../../shared/fixtures/seed/feed.xml"); err == nil {
		f.Add(b, "text/xml; charset=utf-8")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		// A hang must fail the run, not stall it.
		timer := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("Parse hung on %q (Content-Type %q)", body, contentType)) })
		defer timer.Stop()
		doc, err := ParseAt(body, contentType, "https://example.org/feed", now)
		if err != nil {
			var nf *NotFeedError
			if err.Error() == "" || errors.As(err, &nf) && nf == nil {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		if len(doc.Entries) > MaxEntries {
			t.Fatalf("%d entries kept, over the cap of %d", len(doc.Entries), MaxEntries)
		}
		for _, e := range doc.Entries {
			if len(e.Title) > maxTitle || len(e.Summary) > maxSummary || len(e.Content) > maxContent {
				t.Fatalf("entry fields over their bounds: %d, %d, %d bytes", len(e.Title), len(e.Summary), len(e.Content))
			}
			if strings.TrimSpace(e.GUID) == "" || e.Key == "" {
				t.Fatalf("entry without GUID or Key: %+v", e)
			}
			if !utf8.ValidString(e.Title) || !utf8.ValidString(e.Content) {
				t.Fatalf("invalid UTF-8 in entry %+v", e)
			}
		}
	})
}
