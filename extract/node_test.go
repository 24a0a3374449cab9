package extract

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestStatsMemo checks the memo against measuring afresh, on pages and on
// the same pages after removals through the memo.
func TestStatsMemo(t *testing.T) {
	pages := []string{
		`<div>a, b <a href="/x">link <a href="#y">in</a> text</a> <a href="#f">1</a><p>x,y</p></div>`,
		`<a href="#top"><span>in-page <a href="/out">out</a></span></a>`,
		"<ul><li>\u00a0one,\u3001 two </li><li> <a>no href</a></li></ul><svg><a href=\"/s\">svg</a></svg>",
	}
	for _, p := range benchPages {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the corpus pages are optional: the inline pages still run
		}
		pages = append(pages, string(b))
	}
	for i, p := range pages {
		root, err := html.Parse(strings.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		memo := statsMemo{}
		checkMemo(t, i, root, memo)
		// Remove every third element, deepest first, as cleaning does,
		// measuring between removals so that stale entries would show.
		els := elements(root)
		for k := len(els) - 1; k > 0; k -= 3 {
			if els[k].Parent == nil {
				continue
			}
			memo.measure(els[k].Parent)
			memo.detach(els[k])
		}
		checkMemo(t, i, root, memo)
	}
}

func checkMemo(t *testing.T, page int, root *html.Node, memo statsMemo) {
	t.Helper()
	for _, n := range elements(root) {
		if got, want := memo.measure(n), measure(n); got != want {
			t.Fatalf("page %d: memo measures <%s> as %+v, afresh %+v", page, n.Data, got, want)
		}
	}
}
