package extract

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// referenceLines is readLines the plain way: each element's text built from
// its children's and folded with strings.Fields. readLines must agree with
// it on every page.
func referenceLines(bodies []*html.Node, keep map[*html.Node]bool) pageLines {
	w := referenceWalker{out: pageLines{h1: -1}, keep: keep}
	for _, n := range bodies {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && !skipLineTags[c.Data] {
				w.walk(c, 0)
			}
		}
	}
	slices.SortFunc(w.out.lines, func(a, b pageLine) int { return a.pos - b.pos })
	return w.out
}

type referenceWalker struct {
	out   pageLines
	count int
	keep  map[*html.Node]bool
}

func (w *referenceWalker) walk(n *html.Node, inherited int) (text string, long bool) {
	w.count++
	pos := w.count
	if w.count > maxLineNodes {
		return "", true
	}
	hints := inherited | ownHints(n, inherited, w.keep, nil)
	if n.Data == "h1" && w.out.h1 < 0 {
		w.out.h1 = pos
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if !long {
				b.WriteString(c.Data)
			}
		case html.ElementNode:
			if skipLineTags[c.Data] {
				continue
			}
			t, l := w.walk(c, hints&^hintTitle)
			long = long || l
			if !long {
				b.WriteByte(' ')
				b.WriteString(t)
				b.WriteByte(' ')
			}
		}
		if !long && b.Len() > 4*maxMetaLine {
			long = true
		}
	}
	if long {
		return "", true
	}
	text = strings.Join(strings.Fields(b.String()), " ")
	if utf8.RuneCountInString(text) > maxMetaLine {
		return "", true
	}
	if text != "" {
		w.out.lines = append(w.out.lines, pageLine{text: text, node: n, hints: hints, pos: pos})
	}
	return text, false
}

func checkLines(t *testing.T, name string, page []byte) {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	idx := indexPage(goquery.NewDocumentFromNode(root))
	keep := titleAncestors(idx.h1)
	got, want := readLines(idx.bodies, keep), referenceLines(idx.bodies, keep)
	if got.h1 != want.h1 {
		t.Errorf("%s: h1 at %d, want %d", name, got.h1, want.h1)
	}
	if len(got.lines) != len(want.lines) {
		t.Errorf("%s: %d lines, want %d", name, len(got.lines), len(want.lines))
		return
	}
	for i := range got.lines {
		if got.lines[i] != want.lines[i] {
			t.Errorf("%s: line %d = %+v, want %+v", name, i, got.lines[i], want.lines[i])
			return
		}
	}
}

func TestReadLines(t *testing.T) {
	for _, page := range []string{
		``,
		`<p>By <a>Jane</a>  Doe<span>June 24, 2015</span></p>`,
		"<div>\u00a0 lead\u2003<b>x</b>\n\n<i> y </i><!-- c -->z<script>no</script>w</div>",
		`<ul><li>one</li><li>two</li></ul><p>` + strings.Repeat("word ", 40) + `</p>`,
		`<div>` + strings.Repeat(`<span></span>`, 400) + `short</div>`,
		`<div>` + strings.Repeat(" ", 700) + `<b>By X</b></div>`,
		"<p>bad \xff\xfe utf-8 \xc3</p><h1>T</h1><h1>U</h1>",
		`<article><aside class="byline">By A</aside></article><footer>© 2024</footer>`,
	} {
		checkLines(t, page, []byte(page))
	}
}

func TestReadLinesOnCorpus(t *testing.T) {
	for _, p := range corpusSample(t, 4) {
		checkLines(t, p.name, p.html)
	}
}

func FuzzReadLines(f *testing.F) {
	f.Add([]byte(`<div class="meta"><span>By A</span> <time>2015-06-24</time></div>`))
	f.Add([]byte("<p>x\u3000y<br>z</p><p>\xff</p>"))
	f.Fuzz(func(t *testing.T, page []byte) {
		if len(page) > 1<<16 {
			return
		}
		checkLines(t, "fuzz", page)
	})
}
