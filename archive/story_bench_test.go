package archive

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkStoryWindow measures the memory the story window holds per
// article (its band keys, id and map entries): once full, and at its
// largest, just before a sweep, when the map also holds the keys of a
// window of articles gone (story.go), which is what it keeps from then on,
// since a map does not shrink.
func BenchmarkStoryWindow(b *testing.B) {
	const n = 50_000
	var before, full, peak runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var x storyIndex
	x.init(n)
	for i := range 2*n - 1 {
		// A full text of its own: every band key its own.
		var text strings.Builder
		for j := range 8 {
			text.WriteString(benchTeaser(8*i + j))
		}
		x.add(storyEntry{id: fmt.Sprintf("%032x", i), keys: bandKeys(shingles(text.String()))})
		if i == n-1 {
			runtime.GC()
			runtime.ReadMemStats(&full)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&peak)
	b.ReportMetric(float64(full.HeapAlloc-before.HeapAlloc)/n, "window-bytes/article")
	b.ReportMetric(float64(peak.HeapAlloc-before.HeapAlloc)/n, "peak-bytes/article")
	runtime.KeepAlive(&x)
}

// BenchmarkSketch is the cost of sketching a feed-sized and a full-text
// article (in the caller's goroutine, before the shared transaction).
func BenchmarkSketch(b *testing.B) {
	for _, size := range []benchSize{feedSized, fullSized} {
		text, _ := benchProse(7, size)
		b.Run("sketch="+size.String(), func(b *testing.B) {
			for b.Loop() {
				bandKeys(shingles(text))
			}
		})
	}
}
