package herald

import (
	"net/url"
	"strings"
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://www.koreaherald.com/view.php?ud=20150624000515&utm_source=rss&utm_medium=feed",
			"http://www.koreaherald.com/view.php?ud=20150624000515"},
		{"HTTPS://Example.COM:443/a?b=2&a=1#top", "https://example.com/a?a=1&b=2"},
		{"http://example.com:80", "http://example.com/"},
		{"http://example.com:8080/x", "http://example.com:8080/x"},
		{"https://example.com/a?fbclid=xyz&gclid=1&id=7", "https://example.com/a?id=7"},
		{"https://example.com/a?UTM_Campaign=x", "https://example.com/a"},
		{"https://example.com/a?", "https://example.com/a"},
		{"https://example.com/a?x=1&x=0", "https://example.com/a?x=1&x=0"},
		{"https://user:pw@example.com/", "https://example.com/"},
		{"https://example.com./p", "https://example.com/p"},
		{"https://[::1]:443/p", "https://[::1]/p"},
		{"  https://example.com/p  ", "https://example.com/p"},
		{"/relative/path", "/relative/path"},
		{"mailto:a@example.com", "mailto:a@example.com"},
		{"javascript:alert(1)", "javascript:alert(1)"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CanonicalURL(tt.in); got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestURLKeyIgnoresScheme(t *testing.T) {
	same := [][2]string{
		{"http://example.com/a?b=1&utm_source=x", "https://EXAMPLE.com/a?b=1#frag"},
		{"https://example.com/a?y=2&x=1", "https://example.com/a?x=1&y=2"},
	}
	for _, p := range same {
		if URLKey(p[0]) != URLKey(p[1]) {
			t.Errorf("URLKey(%q) = %q, URLKey(%q) = %q: want equal", p[0], URLKey(p[0]), p[1], URLKey(p[1]))
		}
	}
	if URLKey("https://example.com/a") == URLKey("https://example.com/b") {
		t.Error("different paths gave one key")
	}
}

func TestNormalizeAndHash(t *testing.T) {
	a := "Hello,   World! It's “quoted” — text.\n\nSecond paragraph."
	b := "hello world it s quoted text second paragraph"
	if got := NormalizeText(a); got != b {
		t.Errorf("NormalizeText = %q, want %q", got, b)
	}
	if ContentHash(a) != ContentHash(b) {
		t.Error("texts that differ only in case, punctuation and spacing hash differently")
	}
	if ContentHash(a) == ContentHash(a+" more") {
		t.Error("different texts hash alike")
	}
	if len(ContentHash("")) != 64 {
		t.Error("ContentHash is not hex sha256")
	}
}

func TestHashIdentifies(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"", false},
		{"Breaking news", false},
		{strings.Repeat("!? ", 500), false},
		{strings.Repeat("word ", 60), true},
		{strings.Repeat("한국어", 70), true},
	}
	for _, tt := range tests {
		if got := HashIdentifies(tt.text); got != tt.want {
			t.Errorf("HashIdentifies(%.20q...) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{"http://a.b/c?d=e&utm_x=1#f", "https://[::1]:443/", "%", "http://x:99999", "https://a/b?c=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c := CanonicalURL(raw)
		if CanonicalURL(c) != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, c, CanonicalURL(c))
		}
		if _, ok := parseHTTP(raw); !ok {
			return
		}
		if u, err := url.Parse(c); err == nil {
			if u.Fragment != "" {
				t.Fatalf("fragment left in %q", c)
			}
			for _, pair := range strings.Split(u.RawQuery, "&") {
				key, _, _ := strings.Cut(pair, "=")
				if k, err := url.QueryUnescape(key); err == nil && isTracking(k) {
					t.Fatalf("tracking parameter %q left in %q", k, c)
				}
			}
		}
		URLKey(raw)
	})
}

// BenchmarkCanonicalURL canonicalises the links feeds give (tracking
// parameters, mixed-case hosts, default ports, fragments, escapes) and
// makes their deduplication keys.
func BenchmarkCanonicalURL(b *testing.B) {
	links := []string{
		"https://www.example.com/2026/11/27/a-story-about-things/",
		"HTTPS://News.Example.com:443/world/asia/story.html?utm_source=rss&utm_medium=feed&id=42#comments",
		"http://www.koreaherald.com/view.php?ud=20150624000515&fbclid=IwAR0abc&ref=rss",
		"https://example.org/p/%E2%9C%93?b=2&a=1&gclid=xyz",
	}
	for _, bc := range []struct {
		name string
		fn   func(string) string
	}{{"CanonicalURL", CanonicalURL}, {"URLKey", URLKey}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				for _, l := range links {
					bc.fn(l)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(links)), "ns/url")
		})
	}
}
