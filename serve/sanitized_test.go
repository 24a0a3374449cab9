package serve

import (
	"fmt"
	"testing"

	"herald"
)

func TestSanitizedCache(t *testing.T) {
	c := newSanitizedCache(3)
	a := &herald.Article{ID: "a", HTML: `<p onclick="x()">Hello <script>alert(1)</script>world</p>`}
	want := contentHTML(a)
	for range 2 {
		if got := c.contentHTML(a); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	// The same article with other HTML is sanitised anew.
	b := *a
	b.HTML = `<p>Changed <img src=x onerror=alert(1)></p>`
	if got, want := c.contentHTML(&b), contentHTML(&b); got != want {
		t.Errorf("changed HTML: got %q, want %q", got, want)
	}
	// Text only: built from the text, not cached.
	text := &herald.Article{ID: "t", Text: "One\n\nTwo <b>"}
	if got, want := c.contentHTML(text), contentHTML(text); got != want {
		t.Errorf("text only: got %q, want %q", got, want)
	}
	for i := range 10 {
		c.contentHTML(&herald.Article{ID: fmt.Sprint(i), HTML: fmt.Sprintf("<p>%d</p>", i)})
		if len(c.items) > 3 {
			t.Fatalf("%d items cached, bound 3", len(c.items))
		}
	}
	off := newSanitizedCache(0)
	if got := off.contentHTML(a); got != want || len(off.items) != 0 {
		t.Errorf("disabled cache: %q, %d items", got, len(off.items))
	}
}
