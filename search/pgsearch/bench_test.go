package pgsearch_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"herald"
	"herald/archive"
	"herald/internal/pgtest"
	"herald/search/pgsearch"
	"herald/search/searchtest"
)

// BenchmarkIndex measures PostgreSQL's text search of an archive of
// searchtest.BenchN() feed-sized articles, on the server pgtest gives
// (the throwaway cluster on this machine): the archive alone, the index
// built from it (herald reindex's work), a tenth as many again ingested
// with the index following every second as herald run does, the index's
// bytes per article, and query latency. A query's CPU is this process's
// alone, not the server's.
func BenchmarkIndex(b *testing.B) {
	for range b.N {
		benchIndex(b, searchtest.BenchN())
	}
}

func benchIndex(b *testing.B, n int) {
	ctx := context.Background()
	dsn := pgtest.DB(b)
	db, err := archive.Open(dsn, archive.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	v := searchtest.NewVocabulary(rand.New(rand.NewPCG(1, 2)))
	s := searchtest.NewSampler(n)
	took := ingest(b, db, v, s, 0, n)
	b.Logf("%d feed-sized articles: the archive alone %.0f articles/s", n, float64(n)/took.Seconds())

	ix, err := pgsearch.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	t0 := time.Now()
	if _, err := ix.CatchUp(ctx, db); err != nil {
		b.Fatal(err)
	}
	built := time.Since(t0)
	st, err := ix.Stats()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("index built in %v (%.0f articles/s); %d bytes, %.0f bytes/article", built.Round(time.Millisecond), float64(n)/built.Seconds(), st.Bytes, float64(st.Bytes)/float64(n))

	more := n / 10
	start := time.Now()
	done := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		for {
			if _, err := ix.CatchUp(ctx, db); err != nil {
				done <- err
				return
			}
			select {
			case <-stop:
				_, err := ix.CatchUp(ctx, db)
				done <- err
				return
			case <-time.After(time.Second):
			}
		}
	}()
	archived := ingest(b, db, v, nil, n, n+more)
	close(stop)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.Logf("%d more with the index following: the archive %.0f articles/s; caught up after %v (%.0f articles/s)",
		more, float64(more)/archived.Seconds(), time.Since(start).Round(time.Millisecond), float64(more)/time.Since(start).Seconds())
	searchtest.BenchQueries(b, ix, s.Sample)
}

// ingest archives the benchmark's articles from to to, offering each to s
// (when not nil).
func ingest(b *testing.B, db *archive.DB, v *searchtest.Vocabulary, s *searchtest.Sampler, from, to int) time.Duration {
	articles := make([]herald.Article, 0, to-from)
	for i := from; i < to; i++ {
		a := searchtest.BenchArticle(v, i)
		if s != nil {
			s.Offer(i, a)
		}
		articles = append(articles, a)
	}
	return searchtest.Ingest(b, db, articles)
}
