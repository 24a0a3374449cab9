package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// parseErrors parses src as "feeds.yaml" and returns the problems' lines.
func parseErrors(t *testing.T, src string) []string {
	t.Helper()
	c, err := Parse([]byte(src), "feeds.yaml")
	if err == nil {
		t.Fatalf("Parse succeeded, want errors; got %+v", c)
	}
	if c != nil {
		t.Errorf("Parse returned a config with errors")
	}
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, want *Errors: %v", err, err)
	}
	if err.Error() != strings.Join(lines(errs), "\n") {
		t.Errorf("Error() = %q, not the lines joined", err.Error())
	}
	return lines(errs)
}

func lines(errs *Errors) []string {
	var out []string
	for _, e := range errs.List {
		out = append(out, e.String())
	}
	return out
}

const oneFeed = "feeds:\n  - url: https://example.com/rss\n"

func TestParseBad(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		// The YAML parser names the line where the mapping it broke starts;
		// the error is on the line that broke it, in a plain sentence.
		{"syntax error", "feeds:\n  - url: x\n bad: [\n",
			[]string{"feeds.yaml:3: this line's indentation does not match the keys above it (or a value needs quotes)"}},
		{"indentation", "feeds:\n  - url: https://a.com/\n   name: x\n",
			[]string{"feeds.yaml:3: this line's indentation does not match the list items above it"}},
		{"indentation of a list item", "archive: x.db\nfeeds:\n - url: https://a.com/\n   name: y\n  - url: https://b.com/\n",
			[]string{"feeds.yaml:5: this line's indentation does not match the list items above it"}},
		{"indentation in sites", oneFeed + "sites:\n  a.com:\n    body: x\n   strip: [y]\n",
			[]string{"feeds.yaml:6: this line's indentation does not match the keys above it (or a value needs quotes)"}},
		{"key too deep", oneFeed + "    name: x\n     tags: [a]\n",
			[]string{`feeds.yaml:4: a "key:" where none can start: indent the line as the keys above it, or quote the value`}},
		{"unclosed flow list", "listen: x\nfeeds: [\n",
			[]string{"feeds.yaml:2: a value is missing here (is a [ or { left open?)"}},
		{"unclosed list", oneFeed + "    tags: [a\n  - url: https://b.com/\n",
			[]string{"feeds.yaml:3: a [ list on this line is never closed with ]"}},
		{"unclosed quote", oneFeed + "    name: \"x\n  - url: https://b.com/\n",
			[]string{"feeds.yaml:3: a quoted value opened on this line is never closed"}},
		{"missing colon", oneFeed + "    name x\n    tags: [a]\n",
			[]string{`feeds.yaml:3: this line is neither "key: value" nor a list item (is a ':' missing?)`}},
		{"reserved character", oneFeed + "    name: @x\n",
			[]string{"feeds.yaml:3: a value starts with a character YAML reserves (such as @, ` or %); put the value in quotes"}},
		{"tab indentation", "feeds:\n\t- url: https://a.com/\n",
			[]string{"feeds.yaml:2: a tab indents this line; YAML allows only spaces for indentation"}},
		{"tab indentation in a feed", oneFeed + "\tname: x\n",
			[]string{"feeds.yaml:3: a tab indents this line; YAML allows only spaces for indentation"}},
		{"unknown top-level key", "feedz: []\n" + oneFeed,
			[]string{"feeds.yaml:1: feedz: unknown key (did you mean feeds?)"}},
		{"unknown feed key", oneFeed + "    titel: x\n",
			[]string{"feeds.yaml:3: feeds[0].titel: unknown key"}},
		{"unknown defaults key", "defaults:\n  intervall: 1m\n" + oneFeed,
			[]string{"feeds.yaml:2: defaults.intervall: unknown key (did you mean interval?)"}},
		{"unknown site key", oneFeed + "sites:\n  a.com:\n    bodyy: x\n",
			[]string{"feeds.yaml:5: sites[a.com].bodyy: unknown key (did you mean body?)"}},
		{"bad duration", oneFeed + "    interval: 5x\n",
			[]string{`feeds.yaml:3: feeds[0].interval: "5x" is not a duration`}},
		{"duration without unit", "defaults:\n  timeout: 30\n" + oneFeed,
			[]string{`feeds.yaml:2: defaults.timeout: "30" is not a duration`}},
		{"negative duration", oneFeed + "    min_interval: -5m\n",
			[]string{`feeds.yaml:3: feeds[0].min_interval: "-5m" is negative`}},
		{"zero interval", oneFeed + "    interval: 0s\n",
			[]string{`feeds.yaml:3: feeds[0].interval: "0s" must be positive`}},
		{"negative site gap", "defaults:\n  site_gap: -1s\n" + oneFeed,
			[]string{`feeds.yaml:2: defaults.site_gap: "-1s" is negative`}},
		{"bad size unit", "defaults:\n  max_body: 8XB\n" + oneFeed,
			[]string{`feeds.yaml:2: defaults.max_body: "8XB" is not a size`}},
		{"negative size", "defaults:\n  max_body: -1\n" + oneFeed,
			[]string{`feeds.yaml:2: defaults.max_body: "-1" is negative`}},
		{"zero size", oneFeed + "    max_body: 0\n",
			[]string{`feeds.yaml:3: feeds[0].max_body: "0" must be positive`}},
		{"size overflow", oneFeed + "    max_body: 99999999999999GiB\n",
			[]string{`feeds.yaml:3: feeds[0].max_body: "99999999999999GiB" is too large`}},
		{"url without scheme", "feeds:\n  - url: example.com/rss\n",
			[]string{`feeds.yaml:2: feeds[0].url: "example.com/rss" is not an absolute URL (no scheme)`}},
		{"ftp url", "feeds:\n  - url: ftp://example.com/rss\n",
			[]string{`feeds.yaml:2: feeds[0].url: "ftp://example.com/rss" is not an http or https URL`}},
		{"relative url", "feeds:\n  - url: /rss.xml\n",
			[]string{`feeds.yaml:2: feeds[0].url: "/rss.xml" is not an absolute URL (no scheme)`}},
		{"url with empty host", "feeds:\n  - url: https:///rss\n",
			[]string{`feeds.yaml:2: feeds[0].url: "https:///rss" has no host`}},
		{"missing url", "feeds:\n  - name: x\n",
			[]string{"feeds.yaml:2: feeds[0].url: is required"}},
		{"feed not a mapping", "feeds:\n  - https://example.com/rss\n",
			[]string{`feeds.yaml:2: feeds[0]: expected a mapping with url:, got "https://example.com/rss"`}},
		{"duplicate names", "feeds:\n  - url: https://a.com/\n    name: x\n  - url: https://b.com/\n    name: x\n",
			[]string{`feeds.yaml:5: feeds[1].name: "x" is already the name of feeds[0] (line 2)`}},
		{"same URL twice", "feeds:\n  - url: https://a.com/rss\n    name: one\n  - url: https://a.com/rss\n    name: two\n",
			[]string{`feeds.yaml:4: feeds[1].url: "https://a.com/rss" is the same feed as feeds[0] (line 2)`}},
		{"same URL but scheme case and trailing slash", "feeds:\n  - url: https://A.com/rss/\n  - url: HTTPS://a.com/rss\n",
			[]string{`feeds.yaml:3: feeds[1].url: "HTTPS://a.com/rss" is the same feed as feeds[0] (line 2)`}},
		{"empty name", "feeds:\n  - url: https://a.com/\n    name: \"\"\n",
			[]string{"feeds.yaml:3: feeds[0].name: is empty"}},
		{"empty feed list", "listen: 127.0.0.1:1\nfeeds: []\n",
			[]string{"feeds.yaml:2: feeds: no feeds"}},
		{"null feed list", "feeds:\n",
			[]string{"feeds.yaml:1: feeds: no feeds"}},
		{"missing feed list", "listen: 127.0.0.1:1\n",
			[]string{"feeds.yaml:1: feeds: no feeds (the feeds: list is missing)"}},
		{"empty file", "",
			[]string{"feeds.yaml:1: feeds: no feeds (the feeds: list is missing)"}},
		{"feeds not a list", "feeds: https://a.com/\n",
			[]string{`feeds.yaml:1: feeds: expected a list, got "https://a.com/"`}},
		{"top level is a list", "- url: https://a.com/\n",
			[]string{"feeds.yaml:1: (top level): expected a mapping, got a list",
				"feeds.yaml:1: feeds: no feeds (the feeds: list is missing)"}},
		{"tags as a string", oneFeed + "    tags: news\n",
			[]string{`feeds.yaml:3: feeds[0].tags: expected a list, got "news"`}},
		{"tag as a mapping", oneFeed + "    tags: [a, {b: c}]\n",
			[]string{"feeds.yaml:3: feeds[0].tags[1]: expected a string, got a mapping"}},
		{"bool as a string", oneFeed + "    full_text: yes\n",
			[]string{`feeds.yaml:3: feeds[0].full_text: expected true or false, got "yes"`}},
		{"int as a string", "defaults:\n  site_concurrency: \"2\"\n" + oneFeed,
			[]string{`feeds.yaml:2: defaults.site_concurrency: expected an integer, got "2"`}},
		{"url as a list", "feeds:\n  - url: [https://a.com/]\n",
			[]string{"feeds.yaml:2: feeds[0].url: expected a string, got a list"}},
		{"user agent with newline", "defaults:\n  user_agent: \"a\\r\\nX-Evil: 1\"\n" + oneFeed,
			[]string{`feeds.yaml:2: defaults.user_agent: "a\r\nX-Evil: 1" contains a control character`}},
		{"unknown timezone", oneFeed + "sites:\n  a.com:\n    timezone: Asia/Seol\n",
			[]string{`feeds.yaml:5: sites[a.com].timezone: unknown time zone "Asia/Seol"`}},
		{"bad body selector", oneFeed + "sites:\n  a.com:\n    body: \"div[\"\n",
			[]string{`feeds.yaml:5: sites[a.com].body: "div[" is not a CSS selector: expected identifier, found EOF instead`}},
		{"bad strip selector", oneFeed + "sites:\n  a.com:\n    strip: [\".ok\", \"##x\"]\n",
			[]string{`feeds.yaml:5: sites[a.com].strip[1]: "##x" is not a CSS selector: expected name, found EOF instead`}},
		{"min above max", "defaults:\n  min_interval: 2h\n  max_interval: 1h\n" + oneFeed,
			[]string{"feeds.yaml:2: defaults.min_interval: 2h is more than max_interval 1h"}},
		{"interval below feed min", oneFeed + "    interval: 1m\n",
			[]string{"feeds.yaml:3: feeds[0].interval: 1m is less than min_interval 5m"}},
		{"feed max below default interval", oneFeed + "    max_interval: 10m\n",
			[]string{"feeds.yaml:3: feeds[0].max_interval: 10m is less than interval 30m"}},
		{"listen without port", "listen: localhost\n" + oneFeed,
			[]string{`feeds.yaml:1: listen: "localhost" is not host:port`}},
		{"listen with bad port", "listen: \"127.0.0.1:http\"\n" + oneFeed,
			[]string{`feeds.yaml:1: listen: "127.0.0.1:http" is not host:port`}},
		{"site concurrency zero", oneFeed + "sites:\n  a.com:\n    site_concurrency: 0\n",
			[]string{"feeds.yaml:5: sites[a.com].site_concurrency: 0 is less than 1"}},
		{"default site concurrency negative", "defaults:\n  site_concurrency: -2\n" + oneFeed,
			[]string{"feeds.yaml:2: defaults.site_concurrency: -2 is less than 1"}},
		{"concurrency zero", "concurrency: 0\n" + oneFeed,
			[]string{"feeds.yaml:1: concurrency: 0 is less than 1"}},
		{"bad site key", oneFeed + "sites:\n  https://a.com/x:\n    body: p\n",
			[]string{`feeds.yaml:4: sites[https://a.com/x]: "https://a.com/x" is not a host or host:port`}},
		{"site keys differing in case", oneFeed + "sites:\n  a.com:\n  A.COM:\n",
			[]string{`feeds.yaml:5: sites[A.COM]: "a.com" is already a site on line 4`}},
		{"duplicate key", "feeds:\n  - url: https://a.com/\n    url: https://b.com/\n",
			[]string{"feeds.yaml:3: feeds[0].url: duplicate key (first on line 2)"}},
		{"merge key", "base: &b\n  interval: 1m\n" + "feeds:\n  - <<: *b\n    url: https://a.com/\n",
			[]string{"feeds.yaml:1: base: unknown key", "feeds.yaml:4: feeds[0].<<: merge keys (<<) are not supported"}},
		{"invalid utf-8", oneFeed + "    name: \"a\xffb\"\n",
			[]string{"feeds.yaml:3: invalid leading UTF-8 octet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrors(t, tt.src)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestParseAllErrors proves that problems do not hide one another.
func TestParseAllErrors(t *testing.T) {
	_, err := Load("testdata/many-errors.yaml")
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load: %v, want *Errors", err)
	}
	want := []string{
		`testdata/many-errors.yaml:2: listen: "localhost" is not host:port`,
		`testdata/many-errors.yaml:3: concurrency: 0 is less than 1`,
		`testdata/many-errors.yaml:5: defaults.interval: "5x" is not a duration`,
		`testdata/many-errors.yaml:6: defaults.max_body: "0" must be positive`,
		`testdata/many-errors.yaml:7: defaults.site_gap: "-1s" is negative`,
		`testdata/many-errors.yaml:8: defaults.colour: unknown key`,
		`testdata/many-errors.yaml:10: feeds[0].url: "ftp://files.example.com/feed" is not an http or https URL`,
		`testdata/many-errors.yaml:13: feeds[1].tags: expected a list, got "news"`,
		`testdata/many-errors.yaml:15: feeds[2].name: "a" is already the name of feeds[1] (line 11)`,
		`testdata/many-errors.yaml:16: feeds[2].interval: 1m is less than min_interval 5m`,
		`testdata/many-errors.yaml:17: feeds[3].url: is required`,
		`testdata/many-errors.yaml:20: sites[example.com].body: "div[" is not a CSS selector: expected identifier, found EOF instead`,
		`testdata/many-errors.yaml:21: sites[example.com].timezone: unknown time zone "Mars/Olympus"`,
		`testdata/many-errors.yaml:22: sites[example.com].site_concurrency: 0 is less than 1`,
	}
	if got := lines(errs); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseGood(t *testing.T) {
	c, err := Load("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("testdata/data/archive.db")
	if c.Archive != abs {
		t.Errorf("Archive = %q, want %q", c.Archive, abs)
	}
	if c.Path != "testdata/good.yaml" || c.Listen != "[::1]:9090" || c.Concurrency != 4 {
		t.Errorf("Path, Listen, Concurrency = %q, %q, %d", c.Path, c.Listen, c.Concurrency)
	}
	defaults := Settings{
		Interval: time.Hour, MinInterval: 10 * time.Minute, MaxInterval: 12 * time.Hour,
		FullText: false, Timeout: 10 * time.Second, MaxBody: 512 << 10, UserAgent: "TestAgent/2",
		SiteConcurrency: 3, SiteGap: 250 * time.Millisecond,
	}
	if c.Defaults != defaults {
		t.Errorf("Defaults = %+v\nwant %+v", c.Defaults, defaults)
	}
	f0 := Feed{Name: "korea-herald", URL: "https://www.koreaherald.com/rss/newsAll", Tags: []string{"korea", "news"},
		Settings: defaults, Line: 16}
	f0.Interval, f0.FullText = 15*time.Minute, true
	f1 := Feed{Name: "127.0.0.1:8081", URL: "http://127.0.0.1:8081/feed.xml", AllowPrivate: true, Settings: defaults, Line: 21}
	f1.MaxBody, f1.SiteGap = 1<<20, 0
	f2 := Feed{Name: "2024", URL: "https://example.org/atom", Tags: []string{"one", "two words"}, Settings: defaults, Line: 25}
	f2.MinInterval, f2.MaxInterval, f2.Timeout = time.Minute, 48*time.Hour, 90*time.Second
	f2.UserAgent, f2.SiteConcurrency = "Other/1.0", 1
	want := []Feed{f0, f1, f2}
	if !reflect.DeepEqual(c.Feeds, want) {
		t.Errorf("Feeds =\n%+v\nwant\n%+v", c.Feeds, want)
	}
	if f, ok := c.Feed("2024"); !ok || f.URL != f2.URL {
		t.Errorf("Feed(2024) = %+v, %v", f, ok)
	}
	if _, ok := c.Feed("nope"); ok {
		t.Error("Feed(nope) found a feed")
	}

	if len(c.Sites) != 4 {
		t.Errorf("%d sites, want 4: %v", len(c.Sites), c.Sites)
	}
	kh := c.Sites["koreaherald.com"]
	if kh.Host != "koreaherald.com" || kh.Body != "#articleText" || kh.Line != 36 ||
		!reflect.DeepEqual(kh.Strip, []string{".view_share", ".copy_pop"}) ||
		!reflect.DeepEqual(kh.StripText, []string{"Link copied"}) ||
		kh.TimezoneName != "Asia/Seoul" || kh.Timezone == nil || kh.Timezone.String() != "Asia/Seoul" ||
		kh.SiteConcurrency != 0 || kh.SiteGap != nil {
		t.Errorf("koreaherald.com = %+v", kh)
	}
	local := c.Sites["127.0.0.1:8081"]
	if local.SiteConcurrency != 32 || local.SiteGap == nil || *local.SiteGap != 0 {
		t.Errorf("127.0.0.1:8081 = %+v", local)
	}
	if ex, ok := c.Sites["example.org"]; !ok || ex.Host != "example.org" || ex.Body != "article > div.body, main p" {
		t.Errorf("example.org = %+v, %v", ex, ok)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseDefaults(t *testing.T) {
	c, err := Parse([]byte(oneFeed), "conf/feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("conf/herald.db")
	if c.Archive != abs || c.Listen != DefaultListen || c.Concurrency != 16 {
		t.Errorf("Archive, Listen, Concurrency = %q, %q, %d", c.Archive, c.Listen, c.Concurrency)
	}
	want := Settings{
		Interval: 30 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 24 * time.Hour,
		FullText: true, Timeout: 30 * time.Second, MaxBody: 8 << 20,
		UserAgent: "Herald/1.0 (+https://github.com/herald/herald)", SiteConcurrency: 2, SiteGap: time.Second,
	}
	if c.Defaults != want || c.Feeds[0].Settings != want {
		t.Errorf("Defaults = %+v\nfeed = %+v\nwant %+v", c.Defaults, c.Feeds[0].Settings, want)
	}
	if f := c.Feeds[0]; f.Name != "example.com" || f.Line != 2 || f.Tags != nil || f.AllowPrivate {
		t.Errorf("feed = %+v", f)
	}
	if len(c.Sites) != 0 {
		t.Errorf("Sites = %v", c.Sites)
	}
}

func TestParseAbsoluteArchive(t *testing.T) {
	c, err := Parse([]byte("archive: /var/lib/herald/a.db\n"+oneFeed), "x/feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Archive != "/var/lib/herald/a.db" {
		t.Errorf("Archive = %q", c.Archive)
	}
}

func TestParseAliases(t *testing.T) {
	src := "feeds:\n  - url: https://a.com/\n    tags: &t [x, y]\n  - url: https://b.com/\n    tags: *t\n    interval: &i 1h\n    timeout: *i\n"
	c, err := Parse([]byte(src), "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f := c.Feeds[1]; !reflect.DeepEqual(f.Tags, []string{"x", "y"}) || f.Timeout != time.Hour {
		t.Errorf("feed = %+v", f)
	}
}

func TestSizes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1048576", 1 << 20}, {"8MiB", 8 << 20}, {"512KiB", 512 << 10}, {"1MB", 1000000},
		{"2 GiB", 2 << 30}, {"10kb", 10000}, {"7B", 7}, {"8mib", 8 << 20},
	}
	for _, tt := range tests {
		if got, err := parseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "MiB", "1.5MiB", "8 XB", "0", "-1", "0x10", "1e6"} {
		if got, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, got)
		}
	}
}

func TestSiteFor(t *testing.T) {
	c, err := Load("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.Sites["[::1]"] = Site{Host: "[::1]"}
	tests := []struct {
		host, want string // want "" for no match
	}{
		{"koreaherald.com", "koreaherald.com"},
		{"www.koreaherald.com", "koreaherald.com"},
		{"WWW.KoreaHerald.com.", "koreaherald.com"},
		{"news.m.koreaherald.com:443", "koreaherald.com"},
		{"notkoreaherald.com", ""},
		{"koreaherald.com.evil.net", ""},
		{"127.0.0.1:8081", "127.0.0.1:8081"},
		{"127.0.0.1:8082", ""},
		{"127.0.0.1", ""},
		{"example.org", "example.org"},
		{"[::1]:8080", "[::1]"},
		{"[::1]", "[::1]"},
		{"", ""},
		{"com", ""},
	}
	for _, tt := range tests {
		s, ok := c.SiteFor(tt.host)
		if ok != (tt.want != "") || s.Host != tt.want {
			t.Errorf("SiteFor(%q) = %q, %v; want %q", tt.host, s.Host, ok, tt.want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/no-such-file.yaml")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load: %v, want a not-exist error", err)
	}
}

// TestShippedConfig keeps the example in the repository working.
func TestShippedConfig(t *testing.T) {
	c, err := Load("../feeds.yaml")
	if err != nil {
		t.Fatalf("../feeds.yaml: %v", err)
	}
	if len(c.Feeds) < 7 {
		t.Errorf("%d feeds, want the 7 examples", len(c.Feeds))
	}
	s, ok := c.SiteFor("www.koreaherald.com")
	if !ok || s.Timezone == nil || s.Timezone.String() != "Asia/Seoul" || len(s.Strip) == 0 {
		t.Errorf("koreaherald.com site = %+v, %v", s, ok)
	}
}

func TestValidate(t *testing.T) {
	c, err := Parse([]byte(oneFeed), "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.Archive = "rel.db"
	c.Feeds = append(c.Feeds, c.Feeds[0])
	c.Feeds[1].Line = 9
	c.Feeds[1].MinInterval = time.Hour
	c.Sites["a.com"] = Site{Host: "a.com", Body: "div[", Line: 12}
	var errs *Errors
	if err := c.Validate(); !errors.As(err, &errs) {
		t.Fatalf("Validate = %v, want *Errors", err)
	}
	want := []string{
		`feeds.yaml: archive: "rel.db" is not an absolute path`,
		`feeds.yaml:9: feeds[1].url: "https://example.com/rss" is the same feed as feeds[0]`,
		`feeds.yaml:9: feeds[1].name: "example.com" is already the name of feeds[0]`,
		`feeds.yaml:9: feeds[1].interval: 30m is less than min_interval 1h`,
		`feeds.yaml:12: sites[a.com]: "div[" is not a CSS selector: expected identifier, found EOF instead`,
	}
	if got := lines(errs); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"../feeds.yaml", "testdata/good.yaml", "testdata/many-errors.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(oneFeed + "    tags: &a [x]\n    name: *a\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "feeds.yaml")
		if err != nil {
			var errs *Errors
			if !errors.As(err, &errs) || len(errs.List) == 0 {
				t.Fatalf("error %T without problems: %v", err, err)
			}
			for _, e := range errs.List {
				if e.Line < 1 || e.File != "feeds.yaml" {
					t.Errorf("problem without a place: %+v", e)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed config does not validate: %v", err)
		}
		again, err := Parse(data, "feeds.yaml")
		if err != nil || !reflect.DeepEqual(again.Feeds, c.Feeds) {
			t.Fatalf("second Parse differs: %v", err)
		}
	})
}

// A syntax error deep in a long file is placed on its own line, not on the
// line where the feeds: list starts.
func TestSyntaxErrorLineInLongFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("feeds:\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  - url: https://a%d.example/feed\n    name: f%d\n", i, i)
		if i == 1500 {
			b.WriteString("   tags: [x]\n") // line 2 + 2*1501 = 3004
		}
	}
	got := parseErrors(t, b.String())
	want := "feeds.yaml:3004: this line's indentation does not match the list items above it"
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
