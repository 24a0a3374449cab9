package search_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/search"
	"herald/search/searchtest"
)

// BenchmarkIndex measures the search index at benchN articles: archive
// ingest alone and with the index following it (as herald run does),
// index bytes per article, query latency (p50, p99) for one word, two
// words, a phrase and a filtered word, and a rebuild.
func BenchmarkIndex(b *testing.B) {
	n := searchtest.BenchN()
	for range b.N {
		benchIndex(b, n)
	}
}

func benchIndex(b *testing.B, n int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	v := searchtest.NewVocabulary(r)
	articles := make([]herald.Article, n)
	for i := range articles {
		articles[i] = searchtest.BenchArticle(v, i)
	}
	ingestAll := func(db *archive.DB) time.Duration { return searchtest.Ingest(b, db, articles) }
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
	s := searchtest.NewSampler(n)
	for i, a := range articles {
		s.Offer(i, a)
	}
	searchtest.BenchQueries(b, ix, s.Sample)
	t0 := time.Now()
	if _, err := ix.Rebuild(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.Logf("rebuild (herald reindex): %v", time.Since(t0).Round(time.Millisecond))
	b.ReportMetric(float64(n)/withIndex.Seconds(), "articles/s")
}

// BenchmarkQuery measures query latency alone on an archive of benchN
// articles and its index, kept between runs in HERALD_SEARCH_BENCH_DIR
// (made on the first run; a temporary directory without it), so that a
// change to how queries run is measured without ingesting again.
func BenchmarkQuery(b *testing.B) {
	ctx := context.Background()
	n := searchtest.BenchN()
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
	v := searchtest.NewVocabulary(rand.New(rand.NewPCG(1, 2)))
	s := searchtest.NewSampler(n)
	const per = 500
	items := make([]archive.Item, 0, per)
	for i := range n {
		a := searchtest.BenchArticle(v, i)
		s.Offer(i, a)
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
		searchtest.BenchQueries(b, ix, s.Sample)
	}
}
