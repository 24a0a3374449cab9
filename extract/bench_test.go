package extract

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/internal/farm"
)

// benchPages are corpus pages of different sizes and origins.
var benchPages = []string{
	"../../shared/fixtures/seed/article.html",
	"../../shared/corpus/extraction/readability/002.html",
	"../../shared/corpus/extraction/trafilatura/bettycrocker.com.pineapple.html",
	"../../shared/corpus/extraction/trafilatura/citylimits.org-Nycha.html",
}

// BenchmarkFarmPage extracts the page that heraldbench's full-text round
// fetches 4,000 times (issue 6).
func BenchmarkFarmPage(b *testing.B) {
	page := farm.Article("17", "3")
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if _, err := Page(context.Background(), page, "http://127.0.0.1:8080/article/17/3", "text/html; charset=utf-8", nil); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b, 1)
}

func BenchmarkPage(b *testing.B) {
	for _, p := range benchPages {
		page, err := os.ReadFile(p)
		if err != nil {
			b.Logf("skip %s: %v", p, err)
			continue
		}
		b.Run(filepath.Base(p), func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			cpu := startCPU()
			for b.Loop() {
				_, _ = Page(context.Background(), page, "https://example.com/a/b.html", "", nil)
			}
			cpu.report(b, 1)
		})
	}
}

// corpusPage is one page of the extraction corpus with the URL it was
// fetched from.
type corpusPage struct {
	name, url string
	html      []byte
}

// corpusSample reads every nth page of the corpus manifest, so that the
// sample spreads over its three data sets and its page sizes.
func corpusSample(tb testing.TB, every int) []corpusPage {
	const dir = "../../shared/corpus/extraction"
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		tb.Skipf("extraction corpus absent (%v): ../shared is a sibling of the repository", err)
	}
	defer f.Close()
	var pages []corpusPage
	sc := bufio.NewScanner(f)
	for i := 0; sc.Scan(); i++ {
		cols := strings.Split(sc.Text(), "\t")
		if i == 0 || i%every != 0 || len(cols) < 12 {
			continue
		}
		name := filepath.Join(cols[0], cols[1]+".html")
		page, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			tb.Fatalf("corpus manifest names %s: %v", name, err)
		}
		pages = append(pages, corpusPage{name: name, url: cols[11], html: page})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return pages
}

// BenchmarkCorpus extracts about 50 corpus pages per iteration: its ns/op
// divided by the page count is the in-process cost of a page (issue 3's
// target is ~12 ms of CPU per page with process start).
func BenchmarkCorpus(b *testing.B) {
	pages := corpusSample(b, 16)
	var size int64
	for _, p := range pages {
		size += int64(len(p.html))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		for _, p := range pages {
			_, _ = Page(context.Background(), p.html, p.url, "", nil)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*len(pages)), "ms/page")
	cpu.report(b, len(pages))
}
