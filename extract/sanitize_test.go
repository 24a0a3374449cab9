package extract

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
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

// referencePolicy is newPolicy as it was built on bluemonday.UGCPolicy.
func referencePolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowElements("figure", "figcaption", "picture", "section", "article", "main", "time", "mark", "small", "sub", "sup")
	p.AllowAttrs("datetime").OnElements("time")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(false)
	return p
}

var policySamples = []string{
	`<p lang="en">a</p><p lang="e1">b</p><p lang="-">c</p><p lang="x-yz">d</p>`,
	`<map name="m1"><area shape="RECT" coords="1,2,3,4" href="https://x.org/" alt="A" rel="nofollow"></map><img src="https://x.org/a.png" usemap="#m1">`,
	`<img src="https://x.org/a.png" usemap="#Ωmega"><img src="https://x.org/b.png" usemap="#\u0345"><img src="https://x.org/c.png" usemap="#a b">`,
	`<map name="ünï_1"></map><map name="a b"></map><details open="OPEN"><summary>s</summary></details>`,
	`<p id="a:b" title="T" dir="rtl">x</p><table summary="s"><tr><td scope="colgroup" nowrap="" colspan="2">c</td></tr></table>`,
	`<meter value="1" min="0" max="2">m</meter><progress value="0.5" max="1"></progress><time datetime="2015-06-24T09:40:00+09:00">t</time>`,
	`<a href="javascript:alert(1)">x</a><a href="/rel">y</a><ol type="a"><li value="3">z</li></ol><bdo dir="ltr">w</bdo>`,
}

func TestUGCPolicy(t *testing.T) {
	ref := regexp.MustCompile(`(?i)^#[\p{L}\p{N}_-]+$`)
	ours := regexp.MustCompile(usemapPattern)
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if s := "#" + string(r); ref.MatchString(s) != ours.MatchString(s) {
			t.Errorf("usemap %U: the original pattern says %v", r, ref.MatchString(s))
		}
	}
	for _, s := range policySamples {
		checkPolicy(t, s)
	}
}

// checkPolicy fails when newPolicy and the policy it replaces sanitise s
// differently.
func checkPolicy(t *testing.T, s string) {
	t.Helper()
	if got, want := testPolicies.ours().Sanitize(s), testPolicies.ref().Sanitize(s); got != want {
		t.Errorf("sanitise %q:\n got %q\nwant %q", s, got, want)
	}
}

// testPolicies are built once: a bluemonday Policy may be shared.
var testPolicies = struct{ ours, ref func() *bluemonday.Policy }{sync.OnceValue(newPolicy), sync.OnceValue(referencePolicy)}

func FuzzUGCPolicy(f *testing.F) {
	for _, s := range policySamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2000 {
			return
		}
		checkPolicy(t, s)
	})
}
