package archive

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// benchItem is a typical article: 3 KB of text, 4 KB of HTML. Its prose is
// drawn at random (seeded by n) from a vocabulary of a few thousand words, so
// that it compresses about as well as real text does, not as a repeated
// sentence would.
func benchItem(feed string, n int, url string) Item {
	text, html := benchProse(n)
	return Item{Article: herald.Article{
		URL: url, Title: fmt.Sprint("Story ", n), Text: text, HTML: html,
		Published: t0.Add(time.Duration(n) * time.Minute), Tags: []string{"news", feed},
		Sources: []herald.Source{{Feed: feed, FeedURL: "https://" + feed + ".example/rss", GUID: fmt.Sprint(n), Link: url}},
	}}
}

// benchWords is the vocabulary of benchProse: syllables joined into words
// of one to four syllables.
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

// benchProse returns about 3 KB of text in paragraphs and the same as HTML
// with some markup.
func benchProse(n int) (text, html string) {
	r := rand.New(rand.NewPCG(uint64(n), 7))
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
						items[j] = benchItem("other", n, fmt.Sprintf("https://news.example/%d?utm_source=x", n-23))
						continue
					}
					items[j] = benchItem("main", n, fmt.Sprintf("https://news.example/%d", n))
				}
				res, err := db.Ingest(ctx, herald.FeedState{Name: "main"}, items)
				if err != nil {
					b.Fatal(err)
				}
				articles += res.New
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "articles/s")
			if st, err := db.Stats(); err == nil && st.Articles > 0 {
				b.ReportMetric(float64(st.FileSize)/float64(st.Articles), "bytes/article")
			}
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
			items[j] = benchItem("main", n, fmt.Sprintf("https://news.example/%d", n))
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
// Batch commits together, with fsync as in production. One item in four is
// a story another feed gave in the previous iteration (same URL), so it is
// deduplicated into a second source. -benchtime 1000x ingests a million
// articles.
func BenchmarkIngestRound(b *testing.B) {
	const feeds, perFeed = 50, 20
	db, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	rounds := make([][][]Item, 0, 2) // built ahead, outside the timer, two at a time
	build := func(i int) [][]Item {
		polls := make([][]Item, feeds)
		for f := range polls {
			feed := fmt.Sprint("feed", f)
			polls[f] = make([]Item, perFeed)
			for j := range perFeed {
				n := (i*feeds+f)*perFeed + j
				u := fmt.Sprintf("https://news%d.example/story/%d", f, n)
				if j%4 == 3 && i > 0 {
					// Item j of the previous round's next feed.
					m := ((i-1)*feeds+(f+1)%feeds)*perFeed + j
					u = fmt.Sprintf("https://news%d.example/story/%d?utm_source=rss", (f+1)%feeds, m)
				}
				polls[f][j] = benchItem(feed, n, u)
			}
		}
		return polls
	}
	var dups, fresh int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rounds = append(rounds[:0], build(i))
		b.StartTimer()
		var wg sync.WaitGroup
		errs := make([]error, feeds)
		results := make([]Result, feeds)
		for f, items := range rounds[0] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[f], errs[f] = db.Ingest(ctx, herald.FeedState{Name: fmt.Sprint("feed", f)}, items)
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
	if st, err := db.Stats(); err == nil && st.Articles > 0 {
		b.ReportMetric(float64(st.FileSize)/float64(st.Articles), "bytes/article")
	}
}
