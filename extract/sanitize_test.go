package extract

import (
	"context"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		has    []string
		hasNot []string
	}{
		{name: "script", in: `<p>a</p><script>alert(1)</script>`, has: []string{"<p>a</p>"}, hasNot: []string{"script", "alert"}},
		{name: "event handler", in: `<img src="https://x.org/a.png" onerror="alert(1)">`, has: []string{`src="https://x.org/a.png"`}, hasNot: []string{"onerror", "alert"}},
		{name: "javascript href", in: `<a href="javascript:alert(1)">x</a>`, hasNot: []string{"javascript", "href"}},
		{name: "javascript href with case and space", in: `<a href=" JaVaScRiPt:alert(1)">x</a>`, hasNot: []string{"alert"}},
		{name: "data href", in: `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, hasNot: []string{"data:"}},
		{name: "svg script", in: `<svg><script>alert(1)</script><circle r="1"/></svg><p>ok</p>`, has: []string{"<p>ok</p>"}, hasNot: []string{"svg", "alert", "script"}},
		{name: "style attribute", in: `<p style="background:url(javascript:alert(1))">x</p>`, hasNot: []string{"style", "alert"}},
		{name: "iframe", in: `<iframe src="https://evil.example/"></iframe><p>x</p>`, hasNot: []string{"iframe", "evil"}},
		{name: "structure kept", in: `<figure><img src="https://x.org/a.png" alt="A"><figcaption>Cap</figcaption></figure><h2>H</h2><ul><li>i</li></ul><table><tbody><tr><td>c</td></tr></tbody></table><blockquote>q</blockquote><pre><code>c</code></pre>`,
			has: []string{"<figure>", "<figcaption>Cap</figcaption>", "<h2>H</h2>", "<li>i</li>", "<td>c</td>", "<blockquote>q</blockquote>", "<pre><code>c</code></pre>"}},
		{name: "mailto kept", in: `<a href="mailto:a@b.org">mail</a>`, has: []string{`href="mailto:a@b.org"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sanitize(strings.NewReader(tt.in))
			for _, s := range tt.has {
				if !strings.Contains(got, s) {
					t.Errorf("sanitize(%q) = %q, lacks %q", tt.in, got, s)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(strings.ToLower(got), strings.ToLower(s)) {
					t.Errorf("sanitize(%q) = %q, has %q", tt.in, got, s)
				}
			}
		})
	}
}

func TestPageHTMLIsSafe(t *testing.T) {
	page := article(`<p>Look <a href="javascript:alert(1)" onclick="alert(2)">here</a>, and <a href="/rel/link">there</a>.</p><img src="x.png" onerror="alert(3)">`)
	a, err := Page(context.Background(), page, "https://example.com/news/bridge.html", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"alert", "javascript", "onclick", "onerror", "<script"} {
		if strings.Contains(a.HTML, bad) {
			t.Errorf("HTML has %q: %s", bad, a.HTML)
		}
	}
	for _, good := range []string{`href="https://example.com/rel/link"`, `src="https://example.com/news/x.png"`} {
		if !strings.Contains(a.HTML, good) {
			t.Errorf("HTML lacks %q: %s", good, a.HTML)
		}
	}
}

func TestLargestCandidate(t *testing.T) {
	tests := map[string]string{
		"a.jpg 1x, b.jpg 2x":             "b.jpg",
		"s.jpg 300w, l.jpg 1200w, m.jpg": "l.jpg",
		"only.jpg":                       "only.jpg",
		"":                               "",
		"data:image/gif;base64,xx 1x":    "",
	}
	for in, want := range tests {
		if got := largestCandidate(in); got != want {
			t.Errorf("largestCandidate(%q) = %q, want %q", in, got, want)
		}
	}
}
