package scriptcheck

import "testing"

// The judge must catch what it looks for, and pass what is safe.
func TestExecutable(t *testing.T) {
	for _, frag := range []string{
		"<script>x</script>", `<img src=x onerror=alert(1)>`, `<a href="javascript:x">`, `<a href=" JaVa&#x09;script:x">`,
		`<svg onload=x>`, `<iframe src="https://e">`, `<p style="x">`, `<img src="data:text/html,x">`,
		`<noscript><p>x</p></noscript>`, `<p><b><a href="vbscript:x">deep</a></b></p>`,
	} {
		if Executable(frag) == "" {
			t.Errorf("Executable(%q) found nothing", frag)
		}
	}
	for _, frag := range []string{
		`<p>ok <a href="https://e/">x</a> <a href="/rel">y</a> <img src="pic.png"></p>`,
		`<a href="mailto:a@example.com">mail</a> <a href="?q=1#top">here</a>`, "plain text",
	} {
		if d := Executable(frag); d != "" {
			t.Errorf("Executable(%q) = %s", frag, d)
		}
	}
}
