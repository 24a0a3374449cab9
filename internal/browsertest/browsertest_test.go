package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"herald/internal/browsertest"
)

// The harness sees what it is meant to catch: a script error, a page too
// wide for a phone; and a clean page passes.
func TestHarnessCatchesErrorsAndOverflow(t *testing.T) {
	b := browsertest.Start(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/bad" {
			w.Write([]byte(`<!doctype html><meta name="viewport" content="width=device-width"><body><div style="width:900px">wide</div><script>undefinedFunction()</script></body>`))
			return
		}
		w.Write([]byte(`<!doctype html><meta name="viewport" content="width=device-width"><body><p>fine</p><script>document.title = "ok"</script></body>`))
	}))
	defer srv.Close()

	if err := b.Open(srv.URL+"/good", 375, 700); err != nil {
		t.Fatal(err)
	}
	if px, err := b.Overflow(); err != nil || px != 0 {
		t.Errorf("clean page: overflow %d px, %v", px, err)
	}
	if err := b.Open(srv.URL+"/bad", 375, 700); err != nil {
		t.Fatal(err)
	}
	if px, err := b.Overflow(); err != nil || px < 500 {
		t.Errorf("a 900px block at 375px: overflow %d px, %v; want over 500", px, err)
	}
	if title, err := browsertest.Eval[string](b, "document.title"); err != nil || title != "" {
		t.Errorf("title %q, %v", title, err)
	}
	errs := b.ScriptErrors()
	if len(errs) != 1 || !strings.Contains(errs[0], "undefinedFunction") {
		t.Errorf("script errors %q, want the one ReferenceError", errs)
	}
	if err := b.Screenshot("harness.png"); err != nil {
		t.Error(err)
	}
}
