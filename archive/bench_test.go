package archive

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"herald"
	"herald/internal/pgtest"
)

// TestMain runs the tests on bbolt files, then once more on PostgreSQL
// (HERALD_ARCHIVE_ENGINE=postgres, in a child process: testing runs a
// binary's tests once), where each archive is a fresh database from
// internal/pgtest; those tests skip, or fail under
// HERALD_REQUIRE_POSTGRES=1, without a PostgreSQL at hand. Not in -short
// runs (CI's race run): PostgreSQL's run takes several times bbolt's.
func TestMain(m *testing.M) {
	if testEngine == "postgres" {
		pgtest.Main(m)
		return
	}
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	if code == 0 && os.Getenv(engineEnv) == "" && !benchmarking() && !testing.Short() {
		code = runOn("postgres")
	}
	os.Exit(code)
}

// benchmarking reports whether -test.bench was given: benchmarks measure
// one engine, the one named.
func benchmarking() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}

// runOn runs this test binary again, with its arguments, on engine.
func runOn(engine string) int {
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), engineEnv+"="+engine)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "run the tests on", engine+":", err)
		return 1
	}
	return 0
}

// Article sizes of the benchmarks: what a feed entry gives (a title and a
// paragraph of summary) and what a full-text extraction gives (3 KB of text
// and the same as 4 KB of HTML).
type benchSize int

const (
	feedSized benchSize = iota
	fullSized
	// fullCopies are full texts drawn from a pool of 256: each article is
	// a near-copy of the one 256 before it, so every one is linked into a
	// story after verifying its candidates, the worst case for stories.
	fullCopies
)

func (s benchSize) String() string { return [...]string{"feed", "fulltext", "fulltext-copies"}[s] }

var benchSizes = []benchSize{feedSized, fullSized, fullCopies}

// benchItem is article n of feed: a unique text of the given size, an
// entry hash as the poller gives, and the URL as its GUID, as most feeds do.
func benchItem(feed string, n int, url string, size benchSize) Item {
	text, html := benchProse(n, size)
	return Item{
		EntryHash: fmt.Sprintf("%032x", n),
		Article: herald.Article{
			URL: url, Title: fmt.Sprint("Story ", n), Text: text, HTML: html,
			Published: t0.Add(time.Duration(n) * time.Minute), Tags: []string{"news", feed},
			Sources: []herald.Source{{Feed: feed, FeedURL: "https://" + feed + ".example/rss", GUID: url, Link: url}},
		},
	}
}

// benchWords is the vocabulary of benchParagraphs: syllables joined into
// words of one to four syllables.
var benchWords = func() []string {
	syl := strings.Fields("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi wa we")
	r := rand.New(rand.NewPCG(1, 2))
	words := make([]string, 4000)
	for i := range words {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		words[i] = b.String()
	}
	return words
}()

// benchProse is article n's text and HTML: a sentence naming n, then
// prose of its own (feedSized, fullSized: distinct stories, as most of a
// real round's are) or from a pool made once (fullCopies). The prose is
// drawn at random from a few thousand words, common ones recurring, so
// that it compresses about as well as real text does.
func benchProse(n int, size benchSize) (text, html string) {
	lead := fmt.Sprintf("Story %d begins here. ", n)
	switch size {
	case feedSized:
		t := benchTeaser(n)
		return lead + t, "<p>" + lead + t + "</p>"
	case fullSized:
		t, h := benchParagraphs(1000 + n) // seeds apart from the pool's
		return lead + t, "<p>" + lead + "</p>\n" + h
	}
	pool := benchPool()
	p := pool[n%len(pool)]
	return lead + p.text, "<p>" + lead + "</p>\n" + p.html
}

// benchTeaser is about 400 letters of prose of article n's own: feed-sized
// texts are distinct stories, as most of a real round's are, so that the
// story sketches find what they find in real rounds, not a near-copy of
// one of the pool's texts in every article.
func benchTeaser(n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 11))
	var t strings.Builder
	for t.Len() < 400 {
		if t.Len() > 0 {
			t.WriteByte(' ')
		}
		t.WriteString(benchWords[int(r.ExpFloat64()*1000)%len(benchWords)])
	}
	return t.String()
}

type prose struct{ text, html string }

var benchPool = sync.OnceValue(func() []prose {
	pool := make([]prose, 256)
	for i := range pool {
		pool[i].text, pool[i].html = benchParagraphs(i)
	}
	return pool
})

// benchParagraphs returns about 3 KB of text in paragraphs and the same as
// HTML with some markup.
func benchParagraphs(seed int) (text, html string) {
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	var t, h strings.Builder
	for p := 0; t.Len() < 3000; p++ {
		if p > 0 {
			t.WriteString("\n\n")
		}
		h.WriteString(`<p class="story-paragraph">`)
		for range 3 + r.IntN(3) {
			for w := range 8 + r.IntN(12) {
				word := benchWords[int(r.ExpFloat64()*1000)%len(benchWords)] // common words recur
				if w == 0 {
					word = strings.ToUpper(word[:1]) + word[1:]
				} else {
					t.WriteByte(' ')
					h.WriteByte(' ')
				}
				t.WriteString(word)
				if r.IntN(40) == 0 {
					fmt.Fprintf(&h, `<a href="https://news.example/tag/%s">%s</a>`, word, word)
				} else {
					h.WriteString(word)
				}
			}
			t.WriteString(". ")
			h.WriteString(". ")
		}
		h.WriteString("</p>\n")
	}
	return t.String(), h.String()
}

// reportArchive adds what the archive became: bytes of file per article
// (text, HTML, indexes and free pages; no raw pages in these benchmarks)
// and page writes per article.
func reportArchive(b *testing.B, db *DB, items int) {
	if st, err := db.Stats(); err == nil && st.Articles > 0 && st.FileSize > 0 {
		b.ReportMetric(float64(st.FileSize)/float64(st.Articles), "bytes/article")
	}
	if db.store.bolt == nil {
		return // a database: no file, no page writes
	}
	st := db.store.bolt.Stats()
	b.ReportMetric(float64(st.TxStats.GetWrite())/float64(items), "writes/article")
}

// BenchmarkIngest archives polls of 20 items, one transaction each; one
// item in four is a story another feed already gave (same URL).
func BenchmarkIngest(b *testing.B) {
	for _, sync := range []bool{true, false} {
		b.Run(fmt.Sprintf("fsync=%v", sync), func(b *testing.B) {
			db, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{NoSync: !sync})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			items := make([]Item, 20)
			articles := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range items {
					n := i*20 + j
					if j%4 == 3 && i > 0 {
						// The story item j-3 of the previous poll, from another feed.
						items[j] = benchItem("other", n, fmt.Sprintf("https://news.example/%d?utm_source=x", n-23), fullSized)
						continue
					}
					items[j] = benchItem("main", n, fmt.Sprintf("https://news.example/%d", n), fullSized)
				}
				res, err := db.Ingest(ctx, herald.FeedState{Name: "main"}, items)
				if err != nil {
					b.Fatal(err)
				}
				articles += res.New
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "articles/s")
			reportArchive(b, db, b.N*len(items))
		})
	}
}

// BenchmarkExport reports the jsonl export's speed in MB/s.
func BenchmarkExport(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for i := range 100 {
		items := make([]Item, 20)
		for j := range items {
			n := i*20 + j
			items[j] = benchItem("main", n, fmt.Sprintf("https://news.example/%d", n), fullSized)
		}
		if _, err := db.Ingest(ctx, herald.FeedState{Name: "main"}, items); err != nil {
			b.Fatal(err)
		}
	}
	for _, format := range []string{FormatJSONL, FormatJSON} {
		b.Run(format, func(b *testing.B) {
			var size countWriter
			if _, err := db.Export(ctx, &size, format, Query{}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := db.Export(ctx, io.Discard, format, Query{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "articles/s")
		})
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// The 100,000-article archive of BenchmarkRecent50 is built once per test
// binary run, in a temporary directory TestMain removes.
var (
	bigOnce sync.Once
	bigDir  string
	bigErr  error
)

const bigArticles = 100_000

func bigArchive(b *testing.B) string {
	bigOnce.Do(func() {
		if bigDir, bigErr = os.MkdirTemp("", "herald-archive-bench-"); bigErr != nil {
			return
		}
		path := filepath.Join(bigDir, "big.db")
		db, err := Open(path, Options{NoSync: true})
		if err != nil {
			bigErr = err
			return
		}
		defer db.Close()
		var sb strings.Builder
		for i := range bigArticles {
			a := herald.Article{
				ID: fmt.Sprintf("%032x", i), URL: fmt.Sprintf("https://news.example/%d", i),
				Title: fmt.Sprint("Story ", i), Text: fmt.Sprint("Short text ", i), HTML: fmt.Sprint("<p>Short text ", i, "</p>"),
				Published: t0.Add(-time.Duration(i) * time.Minute), Tags: []string{fmt.Sprint("tag", i%10)},
				Sources: []herald.Source{{Feed: fmt.Sprint("feed", i%20), GUID: fmt.Sprint(i), Seen: t0}},
			}
			data, _ := encodeArticle(&a)
			sb.Write(data)
			sb.WriteByte('\n')
		}
		_, bigErr = db.Import(context.Background(), strings.NewReader(sb.String()))
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return filepath.Join(bigDir, "big.db")
}

// BenchmarkRecent50 reads one page of the merged feed from 100,000
// articles.
func BenchmarkRecent50(b *testing.B) {
	db, err := Open(bigArchive(b), Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	_, deep, err := db.Recent(Query{Limit: bigArticles / 2})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		q    Query
	}{
		{"all", Query{}},
		{"feed", Query{Feed: "feed7"}},
		{"tag", Query{Tag: "tag3"}},
		{"since", Query{Since: t0.Add(-30 * 24 * time.Hour)}},
		{"page-1000", Query{Before: deep}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				list, _, err := db.Recent(bc.q)
				if err != nil || len(list) != DefaultLimit {
					b.Fatalf("%d articles, %v", len(list), err)
				}
			}
		})
	}
}

// BenchmarkIngestRound archives what a poll round gives the archive: each
// iteration is 50 feeds of 20 items ingested by concurrent calls, which
// commit together (commit.go), with fsync as in production, and the next round
// waits for all of them. One item in four is a story another feed gave in
// the previous iteration (same URL), so it is deduplicated into a second
// source. -benchtime 1000x ingests a million articles.
func BenchmarkIngestRound(b *testing.B) {
	for _, size := range benchSizes {
		b.Run("size="+size.String(), func(b *testing.B) { benchIngestRound(b, size) })
	}
}

func benchIngestRound(b *testing.B, size benchSize) {
	const feeds, perFeed = 50, 20
	db, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	poll := func(i, f int) []Item {
		items := make([]Item, perFeed)
		for j := range perFeed {
			n := (i*feeds+f)*perFeed + j
			u := fmt.Sprintf("https://news%d.example/story/%d", f, n)
			if j%4 == 3 && i > 0 {
				// Item j of the previous round's next feed.
				m := ((i-1)*feeds+(f+1)%feeds)*perFeed + j
				u = fmt.Sprintf("https://news%d.example/story/%d?utm_source=rss", (f+1)%feeds, m)
			}
			items[j] = benchItem(fmt.Sprint("feed", f), n, u, size)
		}
		return items
	}
	benchPool()
	var dups, fresh int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		errs := make([]error, feeds)
		results := make([]Result, feeds)
		for f := range feeds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[f], errs[f] = db.Ingest(ctx, herald.FeedState{Name: fmt.Sprint("feed", f)}, poll(i, f))
			}()
		}
		wg.Wait()
		for f := range feeds {
			if errs[f] != nil {
				b.Fatal(errs[f])
			}
			dups += results[f].Duplicate
			fresh += results[f].New
		}
	}
	b.StopTimer()
	if want := b.N * feeds * perFeed; dups+fresh != want {
		b.Fatalf("%d new + %d duplicate, want %d items", fresh, dups, want)
	}
	b.ReportMetric(float64(b.N*feeds*perFeed)/b.Elapsed().Seconds(), "articles/s")
	reportArchive(b, db, b.N*feeds*perFeed)
}

// BenchmarkIngestStream archives polls as herald fetch and herald run give
// them: 64 workers, each ingesting one feed's poll of 20 new items after
// another, with no pause between rounds, so that building the next polls'
// records overlaps the commit of the last ones. (A poll waiting for its
// commit holds no fetch slot, so more polls than the fetch limit wait on
// the archive at once: fetches go on while a commit runs.) Feeds take turns
// among 500; one item in four is a story another feed gave a few polls
// before (same URL). b.N counts polls: -benchtime 50000x ingests a million
// articles.
func BenchmarkIngestStream(b *testing.B) {
	for _, size := range benchSizes {
		b.Run("size="+size.String(), func(b *testing.B) { benchIngestStream(b, size) })
	}
}

func benchIngestStream(b *testing.B, size benchSize) {
	const workers, feeds, perFeed, back = 64, 500, 20, 40
	db, err := Open(testPath(b), Options{}) // HERALD_ARCHIVE_ENGINE=postgres: a fresh database
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	poll := func(p int) (string, []Item) {
		feed := fmt.Sprint("feed", p%feeds)
		items := make([]Item, perFeed)
		for j := range perFeed {
			n := p*perFeed + j
			u := fmt.Sprintf("https://news%d.example/story/%d", p%feeds, n)
			if j%4 == 3 && p >= back {
				// Item j of an earlier poll of another feed.
				q := p - back
				u = fmt.Sprintf("https://news%d.example/story/%d?utm_source=rss", q%feeds, q*perFeed+j)
			}
			items[j] = benchItem(feed, n, u, size)
		}
		return feed, items
	}
	benchPool()
	var (
		next     atomic.Int64
		stored   atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	b.ResetTimer()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := int(next.Add(1) - 1); p < b.N; p = int(next.Add(1) - 1) {
				feed, items := poll(p)
				res, err := db.Ingest(ctx, herald.FeedState{Name: feed}, items)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				stored.Add(int64(res.New + res.Duplicate))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	if want := int64(b.N * perFeed); stored.Load() != want {
		b.Fatalf("%d items new or duplicate, want %d", stored.Load(), want)
	}
	b.ReportMetric(float64(b.N*perFeed)/b.Elapsed().Seconds(), "articles/s")
	reportArchive(b, db, b.N*perFeed)
}
