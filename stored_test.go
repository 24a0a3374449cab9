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
		"https://example.com/@user/post":             "https://example.com/@user/post",
		"mailto:someone@example.com":                 "mailto:someone@example.com",
		"":                                           "",
		"/relative/@x":                               "/relative/@x",
		"guid http://u:p@h/a":                        "guid http://h/a",
		`<a href="http://u:p@h/1">x</a> <img src='https://u:p@h/i.jpg'> mail@example.com`: `<a href="http://h/1">x</a> <img src='https://h/i.jpg'> mail@example.com`,
		"fetch http://u:p@h/f: it links to feed http://u:p@h/g":                           "fetch http://h/f: it links to feed http://h/g",
	} {
		if got := herald.StoredURL(raw); got != want {
			t.Errorf("StoredURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
