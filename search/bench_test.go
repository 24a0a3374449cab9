package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/search"
)

// benchN is how many articles BenchmarkIndex archives and indexes:
// HERALD_SEARCH_BENCH_N, else 20,000 (go test -bench . -benchtime 1x
// with HERALD_SEARCH_BENCH_N=100000 gives the figures).
func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("HERALD_SEARCH_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// vocabulary is a Zipf-distributed word list: a few words are in most
// articles, most words in few, as in news text.
type vocabulary struct {
	words []string
	zipf  *rand.Zipf
}

func newVocabulary(r *rand.Rand) *vocabulary {
	syl := strings.Fields("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi wa we")
	v := &vocabulary{zipf: rand.NewZipf(r, 1.1, 2, 49_999)}
	for i := range 50_000 {
		w := syl[i%len(syl)] + syl[(i/len(syl))%len(syl)] + syl[(i/len(syl)/len(syl))%len(syl)]
		v.words = append(v.words, w)
	}
	return v
}

func (v *vocabulary) text(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = v.words[v.zipf.Uint64()]
	}
	return strings.Join(out, " ")
}

// benchArticle is feed-sized: a title of 8 words, a teaser of 40.
func benchArticle(v *vocabulary, n int) herald.Article {
	feed := fmt.Sprint("feed", n%500)
	u := fmt.Sprintf("https://news%d.example/story/%d", n%500, n)
	return herald.Article{
		URL: u, Title: v.text(8), Text: v.text(40), Published: time.Unix(1_700_000_000+int64(n)*60, 0).UTC(),
		Tags:    []string{fmt.Sprint("tag", n%20)},
		Sources: []herald.Source{{Feed: feed, FeedURL: "https://" + feed + ".example/rss", GUID: strconv.Itoa(n), Link: u}},
	}
}

// BenchmarkIndex measures the search index at benchN articles: archive
// ingest alone and with the index following it (as herald run does),
// index bytes per article, query latency (p50, p99) for one word, two
// words, a phrase and a filtered word, and a rebuild.
func BenchmarkIndex(b *testing.B) {
	n := benchN()
	for range b.N {
		benchIndex(b, n)
	}
}

func benchIndex(b *testing.B, n int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	v := newVocabulary(r)
	articles := make([]herald.Article, n)
	for i := range articles {
		articles[i] = benchArticle(v, i)
	}
	ingestAll := func(db *archive.DB) time.Duration {
		start := time.Now()
		const workers, per = 16, 20
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for at := range next {
					items := make([]archive.Item, 0, per)
					for _, a := range articles[at:min(at+per, n)] {
						items = append(items, archive.Item{Article: a})
					}
					feed := items[0].Article.Sources[0].Feed
					if _, err := db.Ingest(ctx, herald.FeedState{Name: feed}, items); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for at := 0; at < n; at += per {
			next <- at
		}
		close(next)
		wg.Wait()
		return time.Since(start)
	}
	open := func(dir string) *archive.DB {
		db, err := archive.Open(filepath.Join(dir, "herald.db"), archive.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return db
	}

	// The archive alone.
	plainDir := b.TempDir()
	plain := open(plainDir)
	plainTook := ingestAll(plain)
	plain.Close()

	// The archive with the index following it every second, as in herald
	// run; the time runs until the index has caught up.
	dir := b.TempDir()
	db := open(dir)
	defer db.Close()
	ix, err := search.Open(search.PathFor(db.Path()))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	start := time.Now()
	done := make(chan struct{})
	var followErr error
	go func() {
		defer close(done)
		for {
			applied, err := ix.CatchUp(ctx, db)
			if err != nil {
				followErr = err
				return
			}
			if err := db.TrimChanges(applied); err != nil {
				followErr = err
				return
			}
			l, _ := db.Changes(applied, 1)
			if l.Last == applied && applied >= uint64(n) {
				return
			}
			time.Sleep(time.Second)
		}
	}()
	archived := ingestAll(db)
	<-done
	if followErr != nil {
		b.Fatal(followErr)
	}
	withIndex := time.Since(start)
	st, err := ix.Stats()
	if err != nil || st.Docs != uint64(n) {
		b.Fatalf("index holds %d documents, want %d (%v)", st.Docs, n, err)
	}

	b.Logf("%d feed-sized articles: archive alone %.0f articles/s; with the index following %.0f articles/s (archive done after %v, index after %v); index %d bytes, %.0f bytes/article",
		n, float64(n)/plainTook.Seconds(), float64(n)/withIndex.Seconds(), archived.Round(time.Millisecond), withIndex.Round(time.Millisecond), st.Bytes, float64(st.Bytes)/float64(n))
	s := newSampler(n)
	for i, a := range articles {
		s.offer(i, a)
	}
	benchQueries(b, ix, s.sample)
	t0 := time.Now()
	if _, err := ix.Rebuild(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.Logf("rebuild (herald reindex): %v", time.Since(t0).Round(time.Millisecond))
	b.ReportMetric(float64(n)/withIndex.Seconds(), "articles/s")
}

// sampler keeps the articles benchQueries takes its queries from, spread
// over the archive, as they are made: BenchmarkQuery does not hold a
// million articles, whose marking by the collector would slow the queries
// it measures.
type sampler struct {
	at     map[int][]int // article -> its places in sample
	sample []herald.Article
}

func newSampler(n int) *sampler {
	const size = 300
	s := &sampler{at: map[int][]int{}, sample: make([]herald.Article, size)}
	for i := range size {
		k := (i * 7919) % n
		s.at[k] = append(s.at[k], i)
	}
	return s
}

func (s *sampler) offer(i int, a herald.Article) {
	for _, j := range s.at[i] {
		s.sample[j] = a
	}
}

// benchQueries runs each kind of query on words of each sampled article
// and logs the p50 and p99 of each.
func benchQueries(b *testing.B, ix *search.Index, sample []herald.Article) {
	ctx := context.Background()
	kinds := []struct {
		name string
		make func(a herald.Article) search.Request
	}{
		{"one word", func(a herald.Article) search.Request { return req(strings.Fields(a.Text)[5]) }},
		{"two words", func(a herald.Article) search.Request {
			w := strings.Fields(a.Text)
			return req(w[3] + " " + w[17])
		}},
		{"phrase", func(a herald.Article) search.Request {
			w := strings.Fields(a.Text)
			return req(`"` + w[10] + " " + w[11] + " " + w[12] + `"`)
		}},
		{"filtered", func(a herald.Article) search.Request {
			r := req(strings.Fields(a.Text)[5])
			r.Feed = a.Sources[0].Feed
			return r
		}},
		{"one word, by date", func(a herald.Article) search.Request {
			r := req(strings.Fields(a.Text)[5])
			r.ByDate = true
			return r
		}},
	}
	for _, k := range kinds {
		var lat []time.Duration
		cpu0 := cpuTime()
		for _, a := range sample {
			rq := k.make(a)
			t0 := time.Now()
			if _, err := ix.Search(ctx, rq); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		cpu := (cpuTime() - cpu0) / time.Duration(len(lat))
		b.Logf("query %-18s p50 %v, p99 %v, CPU %v a query", k.name+":", lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), cpu.Round(time.Microsecond))
	}
}

// cpuTime is the process's CPU time so far, user and system: on a loaded
// machine a query's wall time is mostly waiting for a core, its CPU time
// is what it costs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func req(q string) search.Request {
	pq, err := search.ParseQuery(q)
	if err != nil {
		panic(err)
	}
	return search.Request{Query: pq, Limit: 20}
}

// BenchmarkQuery measures query latency alone on an archive of benchN
// articles and its index, kept between runs in HERALD_SEARCH_BENCH_DIR
// (made on the first run; a temporary directory without it), so that a
// change to how queries run is measured without ingesting again.
func BenchmarkQuery(b *testing.B) {
	ctx := context.Background()
	n := benchN()
	dir := os.Getenv("HERALD_SEARCH_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	dir = filepath.Join(dir, strconv.Itoa(n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	db, err := archive.Open(filepath.Join(dir, "herald.db"), archive.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st, err := db.Stats()
	if err != nil {
		b.Fatal(err)
	}
	v := newVocabulary(rand.New(rand.NewPCG(1, 2)))
	s := newSampler(n)
	const per = 500
	items := make([]archive.Item, 0, per)
	for i := range n {
		a := benchArticle(v, i)
		s.offer(i, a)
		if st.Articles > 0 {
			continue
		}
		if items = append(items, archive.Item{Article: a}); len(items) == per || i == n-1 {
			if _, err := db.Ingest(ctx, herald.FeedState{Name: "bench"}, items); err != nil {
				b.Fatal(err)
			}
			items = items[:0]
		}
	}
	ix, err := search.Open(search.PathFor(db.Path()))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	t0 := time.Now()
	if _, err := ix.CatchUp(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.Logf("index caught up in %v", time.Since(t0).Round(time.Millisecond))
	for range b.N {
		benchQueries(b, ix, s.sample)
	}
}
