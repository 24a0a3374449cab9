package extract

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// adversarialPages build pages whose shape once made extraction slower than
// linear (issue 12, finding 2): blocks that tie on score, a page of links, a
// huge table, deeply nested lists. n is the number of repeated units.
var adversarialPages = []struct {
	name  string
	build func(n int) []byte
}{
	{"ties", tiePage},
	{"classties", classTiePage},
	{"deepdivs", deepDivPage},
	{"links", linkPage},
	{"table", tablePage},
	{"deeplists", deepListPage},
	{"deepquotes", deepQuotePage},
	{"deepcards", deepCardPage},
}

func pageOf(body string) []byte {
	return []byte("<!doctype html><html><head><title>t</title></head><body>" + body + "</body></html>")
}

// tiePage repeats one paragraph in its own <div>: every div scores the same.
func tiePage(n int) []byte {
	return pageOf(strings.Repeat("<div><p>word, word, word, word, word, word.</p></div>", n))
}

// classTiePage is tiePage with a class on every div: the blocks are also
// taken for parts of one article cut up by ads.
func classTiePage(n int) []byte {
	return pageOf(strings.Repeat(`<div class="entry"><p>word, word, word, word, word, word.</p></div>`, n))
}

// maxDepth is how deep the deep pages nest: the HTML parser refuses a
// page nested more than 512 elements deep.
const maxDepth = 400

// deepDivPage nests divs maxDepth deep, each with a paragraph, n/maxDepth
// times.
func deepDivPage(n int) []byte {
	tower := strings.Repeat("<div><p>word, word, word, word, word, word.</p>", maxDepth) + strings.Repeat("</div>", maxDepth)
	return pageOf(strings.Repeat(tower, n/maxDepth))
}

func linkPage(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `<a href="/l/%d">link number %d, here</a> `, i, i)
	}
	return pageOf("<div><p>" + b.String() + "</p></div>")
}

func tablePage(n int) []byte {
	var b strings.Builder
	b.WriteString("<table>")
	for i := range n {
		fmt.Fprintf(&b, "<tr><td>cell %d, a</td><td>cell, b</td><td>cell, c</td></tr>", i)
	}
	b.WriteString("</table>")
	return pageOf(b.String())
}

// deepListPage nests lists maxDepth/2 deep (a <ul> and an <li> a level),
// each level with a line of text, 2n/maxDepth times.
func deepListPage(n int) []byte {
	tower := strings.Repeat("<ul><li>item, text, more text, and more.", maxDepth/2) + strings.Repeat("</li></ul>", maxDepth/2)
	return pageOf(strings.Repeat(tower, 2*n/maxDepth))
}

// deepQuotePage nests divs maxDepth deep, each with a quotation and a
// link: every div is weighed on the quoted text inside it.
func deepQuotePage(n int) []byte {
	tower := strings.Repeat(`<div><blockquote>word, word, <a href="/q">word</a>, word.</blockquote>`, maxDepth) + strings.Repeat("</div>", maxDepth)
	return pageOf(strings.Repeat(tower, n/maxDepth))
}

// deepCardPage nests spans maxDepth deep, each after a link and with a
// picture, none linking where that link goes: every span is a candidate
// hover card.
func deepCardPage(n int) []byte {
	tower := strings.Repeat(`word, word. <a href="/p">name</a><span><img src="/i.jpg">`, maxDepth) + strings.Repeat("</span>", maxDepth)
	return pageOf(strings.Repeat("<p>"+tower+"</p>", n/maxDepth))
}

// BenchmarkAdversarial extracts each adversarial page at three sizes: the
// MB/s column must stay roughly level as the page grows (linear cost).
func BenchmarkAdversarial(b *testing.B) {
	for _, p := range adversarialPages {
		for _, n := range []int{10000, 40000, 160000} {
			page := p.build(n)
			b.Run(fmt.Sprintf("%s/%dk", p.name, n/1000), func(b *testing.B) {
				b.SetBytes(int64(len(page)))
				cpu := startCPU()
				for b.Loop() {
					// No budget: the figure is what the whole page costs.
					if _, err := extractPage(context.Background(), time.Hour, page, "https://example.com/a", "", nil); err != nil {
						b.Fatal(err)
					}
				}
				cpu.report(b, 1)
			})
		}
	}
}
