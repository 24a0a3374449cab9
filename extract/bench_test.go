package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// benchPages are corpus pages of different sizes and origins.
var benchPages = []string{
	"../../shared/fixtures/seed/article.html",
	"../../shared/corpus/extraction/readability/002.html",
	"../../shared/corpus/extraction/trafilatura/bettycrocker.com.pineapple.html",
	"../../shared/corpus/extraction/trafilatura/citylimits.org-Nycha.html",
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
			for b.Loop() {
				_, _ = Page(page, "https://example.com/a/b.html", "", nil)
			}
		})
	}
}
