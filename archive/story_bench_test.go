package archive

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkStoryWindow measures the memory the story window holds per
// article (its band keys, id and map entries).
func BenchmarkStoryWindow(b *testing.B) {
	const n = 50_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var x storyIndex
	x.init(n)
	for i := range n {
		text, _ := benchProse(i, fullSized)
		x.add(storyEntry{id: fmt.Sprintf("%032x", i), keys: bandKeys(shingles(text))})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "window-bytes/article")
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
