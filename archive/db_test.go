package archive

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/archive/kv"

	"github.com/klauspost/compress/s2"
	bolt "go.etcd.io/bbolt"
)

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := ingest(t, db, "a", entry{guid: "1", url: "https://a.example/1", text: "kept", tags: []string{"x"}})
	want := exportString(t, db, FormatJSONL)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := exportString(t, db, FormatJSONL); got != want {
		t.Errorf("after reopen:\n%s\nwant\n%s", got, want)
	}
	if _, err := db.Article(res.IDs[0]); err != nil {
		t.Error(err)
	}
	if st, ok, err := db.FeedState("a"); err != nil || !ok || st.URL != "https://a.example/feed.xml" {
		t.Errorf("feed state %+v %v %v", st, ok, err)
	}
	if db.Path() != path {
		t.Errorf("path %q", db.Path())
	}
	if err := db.SaveFeedState(context.Background(), herald.FeedState{Name: "b"}); err == nil {
		t.Error("write to a read-only archive succeeded")
	}
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, ro := range []bool{false, true} {
		_, err := Open(path, Options{LockTimeout: 100 * time.Millisecond, ReadOnly: ro})
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
			t.Errorf("read-only %v: error %v, want ErrLocked naming %s", ro, err, path)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	t.Run("read-only missing file", func(t *testing.T) {
		if _, err := Open(filepath.Join(dir, "none.db"), Options{ReadOnly: true}); err == nil {
			t.Error("opened")
		}
	})
	t.Run("not bbolt", func(t *testing.T) {
		p := filepath.Join(dir, "text.db")
		os.WriteFile(p, bytes.Repeat([]byte("not a database "), 1000), 0o600)
		if _, err := Open(p, Options{}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("newer version", func(t *testing.T) {
		p := filepath.Join(dir, "new.db")
		db, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		db.store.Update(func(tx kv.Tx) error { return tx.Bucket(bucketMeta).Put(metaVersion, []byte("99")) })
		db.Close()
		if _, err := Open(p, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("other bbolt file", func(t *testing.T) {
		p := filepath.Join(dir, "other.db")
		b, _ := bolt.Open(p, 0o600, nil)
		b.Close()
		if _, err := Open(p, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "not a Herald archive") {
			t.Errorf("error %v", err)
		}
	})
}

func TestFeedStates(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	next := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600))
	want := herald.FeedState{
		Name: "b", URL: "https://b.example/rss", ETag: `"x"`, NextPoll: next, ErrorCount: 2,
		Hints: herald.Hints{TTL: time.Hour, SkipHours: []int{1, 2}, SkipDays: []time.Weekday{time.Sunday}},
	}
	for _, s := range []herald.FeedState{want, {Name: "c"}, {Name: "a"}} {
		if err := db.SaveFeedState(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := db.FeedState("b")
	if err != nil || !ok || got.ETag != want.ETag || !got.NextPoll.Equal(next) || got.Hints.TTL != time.Hour ||
		!slices.Equal(got.Hints.SkipDays, want.Hints.SkipDays) {
		t.Errorf("got %+v %v %v", got, ok, err)
	}
	if _, ok, err := db.FeedState("zz"); ok || err != nil {
		t.Errorf("unknown feed: %v %v", ok, err)
	}
	list, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Errorf("names %v", names)
	}
	if err := db.DeleteFeedState("b"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.FeedState("b"); ok {
		t.Error("still there")
	}
	if err := db.SaveFeedState(ctx, herald.FeedState{}); err == nil {
		t.Error("saved a state with no name")
	}
}

func TestPages(t *testing.T) {
	db := openTest(t)
	body := bytes.Repeat([]byte("<p>Paragraph of an article page, repeated.</p>\n"), 2000)
	fetched := time.Date(2025, 2, 3, 4, 5, 6, 7, time.FixedZone("", 3600))
	items := []Item{
		entry{feed: "a", guid: "1", url: "https://a.example/1", text: "one"}.item(),
		entry{feed: "a", guid: "2", url: "https://a.example/2", text: "two"}.item(),
		entry{feed: "a", guid: "3", url: "https://a.example/3", text: "three"}.item(),
	}
	items[0].Page = &Page{URL: "https://a.example/1", ContentType: "text/html; charset=utf-8", Fetched: fetched, Body: body}
	items[1].Page = &Page{URL: "https://a.example/2"} // empty body
	res, err := db.Ingest(context.Background(), herald.FeedState{Name: "a"}, items)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Page(res.IDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Body, body) || p.ContentType != "text/html; charset=utf-8" || !p.Fetched.Equal(fetched) || p.URL != "https://a.example/1" {
		t.Errorf("page round trip: %q %q %v", p.URL, p.ContentType, p.Fetched)
	}
	var stored int
	db.store.View(func(tx kv.Tx) error {
		stored = len(tx.Bucket(bucketPages).Get([]byte(res.IDs[0])))
		return nil
	})
	if stored == 0 || stored > len(body)/10 {
		t.Errorf("stored %d bytes for a %d-byte repetitive page: not compressed", stored, len(body))
	}
	if p, err := db.Page(res.IDs[1]); err != nil || len(p.Body) != 0 {
		t.Errorf("empty page: %v %v", p, err)
	}
	if _, err := db.Page(res.IDs[2]); !errors.Is(err, ErrNotFound) {
		t.Errorf("no page: %v", err)
	}
	var seen []string
	err = db.EachPage(context.Background(), func(id string, p *Page) error {
		seen = append(seen, id)
		return nil
	})
	if err != nil || len(seen) != 2 || !slices.IsSorted(seen) {
		t.Errorf("EachPage: %v %v", seen, err)
	}
	stop := errors.New("stop")
	if err := db.EachPage(context.Background(), func(string, *Page) error { return stop }); err != stop {
		t.Errorf("EachPage error %v", err)
	}
	var stream bytes.Buffer
	stream.WriteByte(recordS2)
	sw := s2.NewWriter(&stream)
	sw.Write([]byte("no newline"))
	sw.Close()
	for _, garbage := range [][]byte{nil, []byte("garbage"), {recordS2}, {recordS2, 3, 0, 'x'}, append([]byte{recordS2}, s2.Encode(nil, []byte("a block\nnot a stream"))...), stream.Bytes()} {
		if _, err := decodePage(garbage); err == nil {
			t.Errorf("decoded %q", garbage)
		}
	}
}

// TestPageVersion1: pages that schema version 1 stored as a gzip stream
// still read.
func TestPageVersion1(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"url":"https://example.com/a","content_type":"text/html","fetched":"2025-03-01T12:00:00Z"}` + "\n<p>old page\nline two</p>"))
	zw.Close()
	p, err := decodePage(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != "https://example.com/a" || p.ContentType != "text/html" || !p.Fetched.Equal(t0) || string(p.Body) != "<p>old page\nline two</p>" {
		t.Errorf("page %+v", p)
	}
	again, err := encodePage(p, &sync.Pool{})
	if err != nil {
		t.Fatal(err)
	}
	if q, err := decodePage(again); err != nil || !reflect.DeepEqual(q, p) {
		t.Errorf("re-encoded page reads %+v, %v; want %+v", q, err, p)
	}
}

func TestStats(t *testing.T) {
	db := openTest(t)
	ingest(t, db, "a",
		entry{guid: "1", url: "https://x.example/1", text: "one"},
		entry{guid: "2", url: "https://x.example/2", text: "two"},
	)
	ingest(t, db, "b", entry{guid: "1", url: "https://x.example/1"}, entry{guid: "3", url: "https://x.example/3"})
	it := entry{feed: "c", guid: "1", url: "https://x.example/4"}.item()
	it.Page = &Page{Body: []byte("x")}
	if _, err := db.Ingest(context.Background(), herald.FeedState{Name: "c"}, []Item{it}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Articles != 4 || s.Sources != 5 || s.Pages != 1 || (s.FileSize <= 0) != (testEngine != "bbolt") {
		t.Errorf("stats %+v", s)
	}
	want := []FeedCount{{"a", 2}, {"b", 2}, {"c", 1}}
	if got := s.PerFeed(); !slices.Equal(got, want) {
		t.Errorf("per feed %v, want %v", got, want)
	}
}

func TestArticleNotFound(t *testing.T) {
	db := openTest(t)
	if _, err := db.Article("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("error %v", err)
	}
}

// TestPageLarge: a page of several megabytes, which the stream compresses a
// block at a time, reads back whole, and a pooled writer serves the next
// page afresh.
func TestPageLarge(t *testing.T) {
	var pool sync.Pool
	body := bytes.Repeat([]byte("<p>A paragraph of an article page, repeated.</p>\n"), 100_000) // 5 MB
	for i, p := range []*Page{
		{URL: "https://example.com/big", ContentType: "text/html", Fetched: t0, Body: body},
		{URL: "https://example.com/small", Body: []byte("<p>small</p>")},
	} {
		data, err := encodePage(p, &pool)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > len(p.Body)/2+100 {
			t.Errorf("page %d: %d stored bytes for %d", i, len(data), len(p.Body))
		}
		back, err := decodePage(data)
		if err != nil || back.URL != p.URL || !bytes.Equal(back.Body, p.Body) {
			t.Errorf("page %d: read back %q, %d bytes, %v", i, back.URL, len(back.Body), err)
		}
	}
}
