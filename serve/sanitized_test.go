package serve

import (
	"fmt"
	"testing"

	"herald"
	"herald/internal/memo"
)

func TestSanitizedHTML(t *testing.T) {
	m := memo.New[string](3)
	a := &herald.Article{ID: "a", HTML: `<p onclick="x()">Hello <script>alert(1)</script>world</p>`}
	want := contentHTML(a)
	for range 2 {
		if got := sanitizedHTML(m, a); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	// The same article with other HTML is sanitised anew.
	b := *a
	b.HTML = `<p>Changed <img src=x onerror=alert(1)></p>`
	if got, want := sanitizedHTML(m, &b), contentHTML(&b); got != want {
		t.Errorf("changed HTML: got %q, want %q", got, want)
	}
	// Text only: built from the text, not kept.
	text := &herald.Article{ID: "t", Text: "One\n\nTwo <b>"}
	if got, want := sanitizedHTML(m, text), contentHTML(text); got != want {
		t.Errorf("text only: got %q, want %q", got, want)
	}
	for i := range 10 {
		sanitizedHTML(m, &herald.Article{ID: fmt.Sprint(i), HTML: fmt.Sprintf("<p>%d</p>", i)})
		if m.Len() > 3 {
			t.Fatalf("%d kept, bound 3", m.Len())
		}
	}
	off := memo.New[string](0)
	if got := sanitizedHTML(off, a); got != want || off.Len() != 0 {
		t.Errorf("memo of 0: %q, %d kept", got, off.Len())
	}
}
