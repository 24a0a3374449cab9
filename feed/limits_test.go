package feed

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestCapItems(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		max       int
		wantTotal int
		wantItems int
	}{
		{"under the cap", rssDoc(strings.Repeat(`<item><title>a</title></item>`, 3)), 5, 3, 3},
		{"at the cap", rssDoc(strings.Repeat(`<item><title>a</title></item>`, 5)), 5, 5, 5},
		{"over the cap", rssDoc(strings.Repeat(`<item><title>a</title></item>`, 9)), 5, 9, 5},
		{"atom over the cap", `<feed xmlns="http://www.w3.org/2005/Atom">` + strings.Repeat(`<entry><id>x</id></entry>`, 7) + `</feed>`, 2, 7, 2},
		{"no items", rssDoc(``), 5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, total := capItems([]byte(tt.doc), tt.max)
			if total != tt.wantTotal {
				t.Errorf("total %d, want %d", total, tt.wantTotal)
			}
			got := len(itemEnd.FindAllIndex(out, -1))
			if got != tt.wantItems {
				t.Errorf("kept %d items, want %d: %s", got, tt.wantItems, out)
			}
			if _, _, broken := breakPoint(out); broken {
				t.Errorf("cut document is not well-formed: %s", out)
			}
		})
	}
}

// TestJSONFeedEntriesCapped: a JSON Feed is cut after parsing, with the
// same warning.
func TestJSONFeedEntriesCapped(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[`)
	n := MaxEntries + 10
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","title":"item %d"}`, i, i)
	}
	b.WriteString(`]}`)
	d := mustParse(t, b.String(), "application/feed+json", "")
	if len(d.Entries) != MaxEntries || d.Entries[0].GUID != "0" {
		t.Errorf("kept %d entries starting at %q, want the first %d", len(d.Entries), d.Entries[0].GUID, MaxEntries)
	}
	if want := fmt.Sprintf("kept %d of %d entries", MaxEntries, n); !strings.Contains(strings.Join(d.Warnings, "; "), want) {
		t.Errorf("warnings %q lack %q", d.Warnings, want)
	}
}

// TestManyItemsMemory bounds what parsing a 100,000-item feed allocates:
// before the cap, gofeed took about 690 MB for it.
func TestManyItemsMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocates a large document: skipped in -short and -race")
	}
	body := manyItems(100_000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := ParseAt(body, "", "https://e.org/", now); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	t.Logf("parsing 100,000 items allocated %d MB", (after.TotalAlloc-before.TotalAlloc)>>20)
	const limit = 100 << 20
	if got := after.TotalAlloc - before.TotalAlloc; got > limit {
		t.Errorf("parsing 100,000 items allocated %d MB, want under %d MB", got>>20, limit>>20)
	}
}
