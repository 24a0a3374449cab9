package serve

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"herald"
)

const clientsCheck = "../../shared/tools/feed-clients-check"

// requireClients skips the test when the real feed clients are not
// installed, unless HERALD_REQUIRE_CLIENTS=1 (as in CI) makes that a
// failure.
func requireClients(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := os.Stat(clientsCheck); err != nil {
		missing = append(missing, clientsCheck+" (is the shared directory beside the repository?)")
	}
	for _, bin := range []string{"/usr/bin/python3", "/usr/bin/newsboat", "xmllint", "jing"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	if len(missing) == 0 {
		if err := exec.Command("/usr/bin/python3", "-c", "import feedparser").Run(); err != nil {
			missing = append(missing, "python3 feedparser module")
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "feed clients missing: " + strings.Join(missing, ", ") +
		" (apt-get install python3-feedparser newsboat libxml2-utils jing)"
	if os.Getenv("HERALD_REQUIRE_CLIENTS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// clientArticles are varied: bylines or none, one source or two, HTML or
// text only, Korean, tags or none, undated updates, and fields with
// characters XML forbids.
func clientArticles() []herald.Article {
	list := makeArticles(18)
	odd := makeArticles(2)
	odd[0].ID, odd[0].URL = "odd1", "https://news.example.com/odd?id=1&lang=ko"
	odd[0].Title = "Control\x01 chars\x1f and bad UTF-8 \xff in a title"
	odd[0].HTML = "<p>Text with \x00 NUL, \x0b VT and <b>bold</b> & an ampersand.</p>"
	odd[0].Published = baseTime.Add(-30 * time.Hour)
	odd[1].ID, odd[1].URL = "odd2", "https://news.example.com/odd?id=2"
	odd[1].Title, odd[1].Byline, odd[1].Tags = "]]> CDATA end & <tags>", "", nil
	odd[1].Published = baseTime.Add(-31 * time.Hour)
	return append(list, odd...)
}

func TestFeedClientsCheck(t *testing.T) {
	requireClients(t)
	fa := newFakeArchive(clientArticles(), baseTime)
	srv := httptest.NewServer(New(fa, Options{Title: "Herald test"}).Handler())
	defer srv.Close()
	for _, path := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/feed.atom?limit=5", "/feed.rss?tag=wire"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, clientsCheck, "-v", srv.URL+path).CombinedOutput()
			if err != nil {
				t.Fatalf("feed-clients-check %s: %v\n%s", path, err, out)
			}
			if !strings.Contains(string(out), "verdict: PASS") {
				t.Errorf("no PASS verdict:\n%s", out)
			}
			t.Logf("%s", out)
		})
	}
}
