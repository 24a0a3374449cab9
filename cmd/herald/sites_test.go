package main

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seedPage is the seed article's path, or skips the test when ../shared is
// not beside the repository.
func seedPage(t *testing.T) string {
	t.Helper()
	page := filepath.Join("..", "..", "..", "shared", "fixtures", "seed", "article.html")
	if _, err := os.Stat(page); err != nil {
		t.Skipf("%s is absent (../shared is only beside the repository in CI and development)", page)
	}
	return page
}

type extracted struct {
	Published   string
	ExtractedBy string `json:"extracted_by"`
}

func extractJSON(t *testing.T, args ...string) extracted {
	t.Helper()
	code, out, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got extracted
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// A subdomain entry that sets only politeness keeps the domain's rules, and
// a host:port entry applies to a page on that port: the seed page keeps its
// +09:00 and is extracted by the rule either way.
func TestExtractSiteRulesMergeAndPorts(t *testing.T) {
	page := seedPage(t)
	rules := `
    body: "#articleText"
    strip: [".view_share", ".copy_pop", ".related_news"]
    timezone: Asia/Seoul
`
	dir := t.TempDir()
	cfg := writeFile(t, dir, "feeds.yaml", `feeds:
  - url: https://www.koreaherald.com/rss/newsAll
  - url: http://127.0.0.1:8765/feed
sites:
  koreaherald.com:`+rules+`  www.koreaherald.com: {site_gap: 2s}
  127.0.0.1:8765:`+rules)
	for _, url := range []string{"http://www.koreaherald.com/view.php?ud=20150624000515", "http://127.0.0.1:8765/view.php?ud=20150624000515"} {
		got := extractJSON(t, "-c", cfg, "extract", "--url", url, "--format", "json", page)
		if got.ExtractedBy != "site-rule" || got.Published != "2015-06-24T09:40:00+09:00" {
			t.Errorf("%s: extracted by %s, published %s; want site-rule, 2015-06-24T09:40:00+09:00", url, got.ExtractedBy, got.Published)
		}
	}
	code, _, stderr := runCLI(t, "-c", cfg, "check")
	if code != 0 || stderr != "" {
		t.Errorf("check: exit %d, %q; want 0 and no warning", code, stderr)
	}
}

// check warns, on the entry's line, about a site no feed is on, and still
// passes.
func TestCheckWarnsUnmatchedSite(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "feeds.yaml", "feeds:\n  - url: https://example.com/rss\nsites:\n  exmaple.com:\n    body: article\n")
	code, stdout, stderr := runCLI(t, "-c", cfg, "check")
	if code != 0 || !strings.Contains(stdout, "ok") || !strings.Contains(stderr, "feeds.yaml:4: sites[exmaple.com]: warning: no feed is on exmaple.com") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// Politeness set on a subdomain or host:port entry governs its whole site,
// which is what fetch limits by; the strictest setting wins.
func TestSiteLimitCountsEverySiteEntry(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "feeds.yaml", `feeds:
  - url: https://www.koreaherald.com/rss/newsAll
sites:
  koreaherald.com: {site_concurrency: 4, site_gap: 500ms}
  www.koreaherald.com: {site_gap: 2s}
  m.koreaherald.com:8443: {site_concurrency: 1}
`)
	c, err := loadConfig(&env{configPath: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if l := siteLimit(c, "koreaherald.com"); l.Concurrency != 1 || l.Gap != 2*time.Second {
		t.Errorf("koreaherald.com: %+v; want concurrency 1, gap 2s", l)
	}
	if l := siteLimit(c, "example.com"); l.Concurrency != c.Defaults.SiteConcurrency || l.Gap != c.Defaults.SiteGap {
		t.Errorf("example.com: %+v; want the defaults", l)
	}
}

// Without --url, extract takes the page's own canonical URL to choose the
// site rules: the seed page names www.koreaherald.com and gets its rule.
func TestExtractFileUsesOwnURL(t *testing.T) {
	page := seedPage(t)
	got := extractJSON(t, "-c", "../../feeds.yaml", "extract", "--format", "json", page)
	if got.ExtractedBy != "site-rule" || got.Published != "2015-06-24T09:40:00+09:00" {
		t.Errorf("extracted by %s, published %s; want site-rule, 2015-06-24T09:40:00+09:00", got.ExtractedBy, got.Published)
	}
}

// Several feeds of one host need no names; the same feed twice is a config
// error naming both lines.
func TestCheckFeedNamesAndDuplicates(t *testing.T) {
	dir := t.TempDir()
	ok := writeFile(t, dir, "ok.yaml", "feeds:\n  - url: https://a.com/rss\n  - url: https://a.com/atom\n")
	if code, _, stderr := runCLI(t, "-c", ok, "check"); code != 0 {
		t.Errorf("two unnamed feeds of one host: exit %d, %s", code, stderr)
	}
	dup := writeFile(t, dir, "dup.yaml", "feeds:\n  - url: https://a.com/rss\n  - url: https://a.com/atom\n  - url: HTTPS://a.com/rss/\n")
	code, _, stderr := runCLI(t, "-c", dup, "check")
	if code != exitUsage || !strings.Contains(stderr, `dup.yaml:4: feeds[2].url: "HTTPS://a.com/rss/" is the same feed as feeds[0] (line 2)`) {
		t.Errorf("the same URL twice: exit %d, %q", code, stderr)
	}
}

// The daemon logs what check warns about.
func TestRunLogsConfigWarnings(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "feeds.yaml", "feeds:\n  - url: https://example.com/rss\nsites:\n  exmaple.com:\n    body: article\n")
	var log strings.Builder
	e := &env{configPath: cfg, log: slog.New(slog.NewTextHandler(&log, nil))}
	c, err := loadConfig(e)
	if err != nil {
		t.Fatal(err)
	}
	logWarnings(e, c)
	if !strings.Contains(log.String(), "config warning") || !strings.Contains(log.String(), "sites[exmaple.com]") {
		t.Errorf("log %q", log.String())
	}
}
