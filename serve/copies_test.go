package serve

import (
	"net/url"
	"testing"
)

// White-box: copies=1 asks the archive for every copy of a story, and is
// part of the page's query (cache key, next link); by default a story is
// one item.
func TestCopiesParameter(t *testing.T) {
	for raw, want := range map[string]bool{"": false, "copies=1": true, "copies=true": true, "copies=0": false} {
		v, _ := url.ParseQuery(raw)
		q, err := parseQuery(v)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if q.Copies != want || q.archive().OnePerStory == want {
			t.Errorf("%q: copies %v, one per story %v", raw, q.Copies, q.archive().OnePerStory)
		}
		if want && q.page("") != "copies=1" {
			t.Errorf("%q: page %q, want the parameter kept", raw, q.page(""))
		}
	}
	if _, err := parseQuery(url.Values{"copies": {"maybe"}}); err == nil {
		t.Errorf("copies=maybe accepted")
	}
}
