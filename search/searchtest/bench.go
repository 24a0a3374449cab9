package searchtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
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

// The benchmarks' articles and queries, for every engine's benchmark.

// BenchN is how many articles a search benchmark archives and indexes:
// HERALD_SEARCH_BENCH_N, else 20,000 (go test -bench . -benchtime 1x
// with HERALD_SEARCH_BENCH_N=100000 gives the figures).
func BenchN() int {
	if n, err := strconv.Atoi(os.Getenv("HERALD_SEARCH_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// Vocabulary is a Zipf-distributed word list: a few words are in most
// articles, most words in few, as in news text.
type Vocabulary struct {
	words []string
	zipf  *rand.Zipf
}

// NewVocabulary makes the benchmarks' vocabulary of 50,000 words from r.
func NewVocabulary(r *rand.Rand) *Vocabulary {
	syl := strings.Fields("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi wa we")
	v := &Vocabulary{zipf: rand.NewZipf(r, 1.1, 2, 49_999)}
	for i := range 50_000 {
		w := syl[i%len(syl)] + syl[(i/len(syl))%len(syl)] + syl[(i/len(syl)/len(syl))%len(syl)]
		v.words = append(v.words, w)
	}
	return v
}

// Text is n words drawn from v.
func (v *Vocabulary) Text(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = v.words[v.zipf.Uint64()]
	}
	return strings.Join(out, " ")
}

// Ingest archives articles as pollers do, 20 a call from 16 workers at
// once, and returns how long it took.
func Ingest(b testing.TB, db *archive.DB, articles []herald.Article) time.Duration {
	const workers, per = 16, 20
	start := time.Now()
	next := make(chan []herald.Article)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range next {
				items := make([]archive.Item, len(batch))
				for i, a := range batch {
					items[i] = archive.Item{Article: a}
				}
				if _, err := db.Ingest(context.Background(), herald.FeedState{Name: batch[0].Sources[0].Feed}, items); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for at := 0; at < len(articles); at += per {
		next <- articles[at:min(at+per, len(articles))]
	}
	close(next)
	wg.Wait()
	return time.Since(start)
}

// BenchArticle is the benchmarks' n-th article, feed-sized: a title of 8
// words and a teaser of 40, one of 500 feeds and 20 tags, a minute after
// the one before.
func BenchArticle(v *Vocabulary, n int) herald.Article {
	feed := fmt.Sprint("feed", n%500)
	u := fmt.Sprintf("https://news%d.example/story/%d", n%500, n)
	return herald.Article{
		URL: u, Title: v.Text(8), Text: v.Text(40), Published: time.Unix(1_700_000_000+int64(n)*60, 0).UTC(),
		Tags:    []string{fmt.Sprint("tag", n%20)},
		Sources: []herald.Source{{Feed: feed, FeedURL: "https://" + feed + ".example/rss", GUID: strconv.Itoa(n), Link: u}},
	}
}

// Sampler keeps the articles BenchQueries takes its queries from, spread
// over the archive, as they are made: BenchmarkQuery does not hold a
// million articles, whose marking by the collector would slow the queries
// it measures.
type Sampler struct {
	at     map[int][]int // article -> its places in sample
	Sample []herald.Article
}

// NewSampler samples 300 of n articles.
func NewSampler(n int) *Sampler {
	const size = 300
	s := &Sampler{at: map[int][]int{}, Sample: make([]herald.Article, size)}
	for i := range size {
		k := (i * 7919) % n
		s.at[k] = append(s.at[k], i)
	}
	return s
}

// Offer shows s the i-th article as it is made.
func (s *Sampler) Offer(i int, a herald.Article) {
	for _, j := range s.at[i] {
		s.Sample[j] = a
	}
}

// BenchQueries runs each kind of query on words of each sampled article
// and logs the p50 and p99 of each.
func BenchQueries(b *testing.B, ix search.Engine, sample []herald.Article) {
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
