package extract_test

import (
	"testing"

	"herald/extract"
)

func TestOwnURL(t *testing.T) {
	for _, tt := range []struct{ page, want string }{
		{`<html><head><link rel="canonical" href="https://www.example.com/a?id=1"><meta property="og:url" content="https://www.example.com/og"></head><body><p>x</p></body></html>`, "https://www.example.com/a?id=1"},
		{`<html><head><meta property="og:url" content="https://www.example.com/og"></head></html>`, "https://www.example.com/og"},
		{`<html><head><link rel="canonical" href="/relative"></head></html>`, ""}, // nothing to resolve it against
		{`<html><head><link rel="canonical" href="javascript:alert(1)"></head></html>`, ""},
		{`<p>no head at all</p>`, ""},
	} {
		if got := extract.OwnURL([]byte(tt.page), "text/html"); got != tt.want {
			t.Errorf("OwnURL(%.60q) = %q, want %q", tt.page, got, tt.want)
		}
	}
}
