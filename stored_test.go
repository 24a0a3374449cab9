package herald_test

import (
	"testing"

	"herald"
)

func TestStoredURL(t *testing.T) {
	for raw, want := range map[string]string{
		"http://user:s3cret@127.0.0.1:8080/feed.xml": "http://127.0.0.1:8080/feed.xml",
		"https://user@example.com/a?b=c@d":           "https://example.com/a?b=c@d",
		"http://a:b@c@example.com/x":                 "http://example.com/x",
		"http://u:p@example.com":                     "http://example.com",
		"http://u:p w@ex ample.com/":                 "http://ex ample.com/",
		"https://example.com/@user/post":             "https://example.com/@user/post",
		"mailto:someone@example.com":                 "mailto:someone@example.com",
		"":                                           "",
		"/relative/@x":                               "/relative/@x",
	} {
		if got := herald.StoredURL(raw); got != want {
			t.Errorf("StoredURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
