package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const feedClientsCheck = "../../../shared/tools/feed-clients-check"

// clientsAvailable says why real feed readers cannot run here, or "".
func clientsAvailable() string {
	if _, err := os.Stat(feedClientsCheck); err != nil {
		return feedClientsCheck + " is absent (../shared is only beside the repository in CI and development)"
	}
	for _, bin := range []string{"/usr/bin/python3", "/usr/bin/newsboat", "/usr/bin/xmllint", "/usr/bin/jing"} {
		if _, err := os.Stat(bin); err != nil {
			return bin + " is missing (apt-get install python3-feedparser newsboat libxml2-utils jing)"
		}
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import feedparser").Run(); err != nil {
		return "python3-feedparser is missing"
	}
	return ""
}

// TestDaemonFeedsReadByRealClients starts `herald run` and has feedparser,
// newsboat and the RFC 4287 schema read the merged feed it serves, in all
// three formats.
func TestDaemonFeedsReadByRealClients(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the daemon: skipped in -short mode")
	}
	if why := clientsAvailable(); why != "" {
		if os.Getenv("HERALD_REQUIRE_CLIENTS") == "1" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	bin := heraldBinary(t)
	dir := t.TempDir()
	feeds := &rssServer{items: map[string][]string{}}
	for i := range 8 {
		feeds.add("/alpha", fmt.Sprintf("Alpha story %d", i))
		feeds.add("/beta", fmt.Sprintf("Beta story %d", i))
	}
	ts := httptest.NewServer(feeds)
	defer ts.Close()
	listen := freePort(t)
	cfgPath := filepath.Join(dir, "feeds.yaml")
	writeConfig(t, cfgPath, listen, map[string]string{"alpha": ts.URL + "/alpha", "beta": ts.URL + "/beta"})

	startDaemon(t, bin, cfgPath)
	base := "http://" + listen
	waitFor(t, "both feeds in /feed.atom", func() bool {
		body := get(t, base+"/feed.atom", nil).body
		return strings.Contains(body, "Alpha story 7") && strings.Contains(body, "Beta story 7")
	})
	for _, path := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/feed.atom?limit=5", "/feed.rss?feed=beta"} {
		cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := exec.CommandContext(cctx, feedClientsCheck, base+path).CombinedOutput()
		ccancel()
		if err != nil {
			t.Errorf("feed-clients-check %s: %v\n%s", path, err, out)
			continue
		}
		if !strings.Contains(string(out), "verdict: PASS") {
			t.Errorf("feed-clients-check %s: no PASS verdict:\n%s", path, out)
		}
	}
}
