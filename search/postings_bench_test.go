package search_test

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"herald/search"
	"herald/search/searchtest"
)

// BenchmarkPostingsInBolt measures the alternative to bleve that issue 16
// asks to compare it with: an inverted index in a bbolt file, written as
// the archive writes (16 workers, 20 articles a call, calls committed
// together by bolt's Batch, fsync on). A posting is a key, field, term,
// 0 and the article's number, whose value is the term's positions in the
// field (varints): a phrase needs them. The file is apart from the archive
// here; inside it, the archive's transaction would write these keys too.
// It reports articles/s and bytes/article, and what a one-word query
// costs that must read every posting of its word (BM25 over all matches,
// without bleve's skipping), p50 and p99.
func BenchmarkPostingsInBolt(b *testing.B) {
	for range b.N {
		benchPostings(b, searchtest.BenchN())
	}
}

var bucketPostings = []byte("postings")

func benchPostings(b *testing.B, n int) {
	path := filepath.Join(b.TempDir(), "postings.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType, InitialMmapSize: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucketPostings); return err }); err != nil {
		b.Fatal(err)
	}
	v := searchtest.NewVocabulary(rand.New(rand.NewPCG(1, 2)))
	s := searchtest.NewSampler(n)
	var next atomic.Uint64
	const workers, per = 16, 20
	work := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for at := range work {
				var keys, vals [][]byte
				for i := at; i < min(at+per, n); i++ {
					a := searchtest.BenchArticle(v, i)
					doc := next.Add(1)
					for field, text := range map[byte]string{'t': a.Title, 'x': a.Text} {
						k, vs := postings(field, text, doc)
						keys, vals = append(keys, k...), append(vals, vs...)
					}
				}
				err := db.Batch(func(tx *bolt.Tx) error {
					bk := tx.Bucket(bucketPostings)
					for i, k := range keys {
						if err := bk.Put(k, vals[i]); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for at := 0; at < n; at += per {
		work <- at
	}
	close(work)
	wg.Wait()
	took := time.Since(start)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	var stats bolt.BucketStats
	db.View(func(tx *bolt.Tx) error { stats = tx.Bucket(bucketPostings).Stats(); return nil })
	b.Logf("%d feed-sized articles: %.0f articles/s; %d postings (%.0f an article); file %d bytes, %.0f bytes/article",
		n, float64(n)/took.Seconds(), stats.KeyN, float64(stats.KeyN)/float64(n), fi.Size(), float64(fi.Size())/float64(n))
	for i := range n {
		s.Offer(i, searchtest.BenchArticle(v, i))
	}
	var lat []time.Duration
	for _, a := range s.Sample {
		word := strings.Fields(a.Text)[5]
		t0 := time.Now()
		db.View(func(tx *bolt.Tx) error {
			var matches int
			for _, field := range []byte{'t', 'x'} {
				prefix := append([]byte{field}, word...)
				prefix = append(prefix, 0)
				c := tx.Bucket(bucketPostings).Cursor()
				for k, v := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
					matches += len(v)
				}
			}
			return nil
		})
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.Logf("one word, every posting read: p50 %v, p99 %v", lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond))
	b.ReportMetric(float64(n)/took.Seconds(), "articles/s")
}

// postings are the keys and values of text's terms in field for article
// doc.
func postings(field byte, text string, doc uint64) (keys, vals [][]byte) {
	at := map[string][]byte{}
	var order []string
	for _, t := range search.IndexTokens(text) {
		if _, ok := at[t.Term]; !ok {
			order = append(order, t.Term)
		}
		at[t.Term] = binary.AppendUvarint(at[t.Term], uint64(t.Position))
	}
	for _, term := range order {
		k := make([]byte, 0, 1+len(term)+1+8)
		k = append(append(append(k, field), term...), 0)
		keys = append(keys, binary.BigEndian.AppendUint64(k, doc))
		vals = append(vals, at[term])
	}
	return keys, vals
}
