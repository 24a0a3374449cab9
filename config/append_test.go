package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// appendTo writes src to a temporary feeds.yaml, appends feeds and returns
// the new text and the feeds added.
func appendTo(t *testing.T, src string, feeds []NewFeed) (string, []NewFeed) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	added, err := AppendFeeds(path, feeds)
	if err != nil {
		t.Fatalf("AppendFeeds: %v", err)
	}
	out, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("result does not load: %v\n%s", err, out)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want the old 0600", fi.Mode().Perm())
	}
	return string(out), added
}

var twoNew = []NewFeed{
	{URL: "https://go.dev/blog/feed.atom", Name: "go-blog", Tags: []string{"tech", "go lang"}},
	{URL: "https://example.org/rss?a=1&b=2"},
}

func TestAppendFeeds(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		feeds []NewFeed
		want  string
		added []NewFeed
	}{
		{
			name: "feeds last, comments kept",
			src: `# My feeds.
listen: 127.0.0.1:8080 # loopback only
feeds:
  # news
  - url: https://a.com/rss   # the first
    name: a
  # - url: https://disabled.example/rss
`,
			feeds: twoNew,
			want: `# My feeds.
listen: 127.0.0.1:8080 # loopback only
feeds:
  # news
  - url: https://a.com/rss   # the first
    name: a
  - url: https://go.dev/blog/feed.atom
    name: go-blog
    tags: [tech, "go lang"]
  - url: https://example.org/rss?a=1&b=2
    name: example.org
  # - url: https://disabled.example/rss
`,
			added: []NewFeed{
				{URL: "https://go.dev/blog/feed.atom", Name: "go-blog", Tags: []string{"tech", "go lang"}},
				{URL: "https://example.org/rss?a=1&b=2", Name: "example.org"},
			},
		},
		{
			name: "feeds not last, other indentation",
			src: `feeds:
- url: https://a.com/rss
  interval: 1h

# Site rules follow.
sites:
  a.com:
    body: article
`,
			feeds: []NewFeed{{URL: "https://b.com/feed", Tags: []string{"x"}}},
			want: `feeds:
- url: https://a.com/rss
  interval: 1h
- url: https://b.com/feed
  name: b.com
  tags: [x]

# Site rules follow.
sites:
  a.com:
    body: article
`,
			added: []NewFeed{{URL: "https://b.com/feed", Name: "b.com", Tags: []string{"x"}}},
		},
		{
			name: "duplicates skipped, names made unique",
			src: `feeds:
  - url: https://a.com/rss
    name: news

  - url: https://b.com/rss
`,
			feeds: []NewFeed{
				{URL: "http://A.com/rss?utm_source=x", Name: "dup"}, // the same page as a.com/rss
				{URL: "https://c.com/rss", Name: "news"},
				{URL: "https://d.com/rss", Name: "news"},
				{URL: "https://b.com/other"},              // name b.com is taken
				{URL: "https://c.com/rss", Name: "again"}, // listed by this call already
			},
			want: `feeds:
  - url: https://a.com/rss
    name: news

  - url: https://b.com/rss

  - url: https://c.com/rss
    name: news-2

  - url: https://d.com/rss
    name: news-3

  - url: https://b.com/other
    name: b.com-2
`,
			added: []NewFeed{
				{URL: "https://c.com/rss", Name: "news-2"},
				{URL: "https://d.com/rss", Name: "news-3"},
				{URL: "https://b.com/other", Name: "b.com-2"},
			},
		},
		{
			name:  "flow style empty list",
			src:   "listen: 127.0.0.1:1\nfeeds: []   # none yet\nsites: {}\n",
			feeds: twoNew[:1],
			want: `listen: 127.0.0.1:1
feeds:  # none yet
  - url: https://go.dev/blog/feed.atom
    name: go-blog
    tags: [tech, "go lang"]
sites: {}
`,
			added: twoNew[:1],
		},
		{
			name:  "empty value",
			src:   "feeds:\nlisten: 127.0.0.1:1\n",
			feeds: []NewFeed{{URL: "https://a.com/"}},
			want:  "feeds:\n  - url: https://a.com/\n    name: a.com\nlisten: 127.0.0.1:1\n",
			added: []NewFeed{{URL: "https://a.com/", Name: "a.com"}},
		},
		{
			name:  "flow style list with items",
			src:   "feeds: [{url: \"https://a.com/\"},\n  {url: 'https://b.com/]'},  # ] in a string\n]\n",
			feeds: []NewFeed{{URL: "https://c.com/", Name: "c", Tags: []string{"t"}}},
			want:  "feeds: [{url: \"https://a.com/\"},\n  {url: 'https://b.com/]'},  # ] in a string\n  {url: \"https://c.com/\", name: \"c\", tags: [t]}\n]\n",
			added: []NewFeed{{URL: "https://c.com/", Name: "c", Tags: []string{"t"}}},
		},
		{
			name:  "no feeds key, no final newline",
			src:   "# empty so far\nlisten: 127.0.0.1:1",
			feeds: []NewFeed{{URL: "https://a.com/", Name: "true"}},
			want:  "# empty so far\nlisten: 127.0.0.1:1\nfeeds:\n  - url: https://a.com/\n    name: \"true\"\n",
			added: []NewFeed{{URL: "https://a.com/", Name: "true"}},
		},
		{
			name:  "empty file",
			src:   "",
			feeds: []NewFeed{{URL: "https://a.com/", Name: "a: b #c"}},
			want:  "feeds:\n  - url: https://a.com/\n    name: \"a: b #c\"\n",
			added: []NewFeed{{URL: "https://a.com/", Name: "a: b #c"}},
		},
		{
			name:  "CRLF line endings",
			src:   "feeds:\r\n  - url: https://a.com/\r\n",
			feeds: []NewFeed{{URL: "https://b.com/"}},
			want:  "feeds:\r\n  - url: https://a.com/\r\n  - url: https://b.com/\r\n    name: b.com\r\n",
			added: []NewFeed{{URL: "https://b.com/", Name: "b.com"}},
		},
		{
			name:  "multi-line value ends the list",
			src:   "feeds:\n  - url: https://a.com/\n    user_agent: >-\n      A long\n      agent\nsites:\n",
			feeds: []NewFeed{{URL: "https://b.com/"}},
			want:  "feeds:\n  - url: https://a.com/\n    user_agent: >-\n      A long\n      agent\n  - url: https://b.com/\n    name: b.com\nsites:\n",
			added: []NewFeed{{URL: "https://b.com/", Name: "b.com"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, added := appendTo(t, tt.src, tt.feeds)
			if got != tt.want {
				t.Errorf("file:\n%s\nwant:\n%s", got, tt.want)
			}
			if !reflect.DeepEqual(added, tt.added) {
				t.Errorf("added = %+v\nwant %+v", added, tt.added)
			}
		})
	}
}

func TestAppendFeedsShipped(t *testing.T) {
	src, err := os.ReadFile("../feeds.yaml")
	if err != nil {
		t.Skipf("no shipped feeds.yaml: %v", err)
	}
	got, added := appendTo(t, string(src), twoNew)
	if len(added) != 1 || added[0].URL != twoNew[1].URL {
		t.Errorf("added = %+v, want only the new example.org feed", added)
	}
	if !strings.HasPrefix(got, string(src[:strings.Index(string(src), "\n# Extraction rules")])) {
		t.Errorf("text before the insertion changed:\n%s", got)
	}
	if !strings.HasSuffix(got, string(src[strings.Index(string(src), "\n# Extraction rules"):])) {
		t.Errorf("text after the insertion changed:\n%s", got)
	}
	if !strings.Contains(got, "\n\n  - url: https://example.org/rss?a=1&b=2\n    name: example.org\n") {
		t.Errorf("new feed not set off by a blank line like the others:\n%s", got)
	}
}

func TestAppendFeedsErrors(t *testing.T) {
	tests := []struct {
		name, src string
		feeds     []NewFeed
		want      string
	}{
		{"bad url", "feeds:\n  - url: https://a.com/\n", []NewFeed{{URL: "ftp://x/"}},
			`feed "": url "ftp://x/" is not an http or https URL`},
		{"invalid config", "feeds:\n  - url: https://a.com/\n    interval: 5x\n", []NewFeed{{URL: "https://b.com/"}},
			`feeds.yaml:3: feeds[0].interval: "5x" is not a duration`},
		{"syntax error", "feeds: [\n", []NewFeed{{URL: "https://b.com/"}},
			"a value is missing here"},
		{"top level list", "- a\n", []NewFeed{{URL: "https://b.com/"}},
			"the top level is not a block mapping"},
		{"feeds is a string", "feeds: none\n", []NewFeed{{URL: "https://b.com/"}},
			`cannot rewrite line 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "feeds.yaml")
			if err := os.WriteFile(path, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := AppendFeeds(path, tt.feeds)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("AppendFeeds error = %v, want one containing %q", err, tt.want)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.src {
				t.Errorf("file changed to:\n%s", got)
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("temporary files left: %v", entries)
			}
		})
	}
}

func TestAppendFeedsNothingNew(t *testing.T) {
	src := "feeds:\n  - url: https://a.com/\n"
	got, added := appendTo(t, src, []NewFeed{{URL: "https://a.com/#x"}})
	if got != src || added != nil {
		t.Errorf("added %v, file:\n%s", added, got)
	}
}

func TestAppendFeedsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.yaml")
	link := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(real, []byte("feeds:\n  - url: https://a.com/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
	if _, err := AppendFeeds(link, []NewFeed{{URL: "https://b.com/"}}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file")
	}
	if c, err := Load(real); err != nil || len(c.Feeds) != 2 {
		t.Errorf("real file: %v, %v", c, err)
	}
}

// FuzzAppendFeeds edits arbitrary files: it must not panic, and an edit that
// succeeds keeps every line of the file, in order (but the feeds: line,
// which may be rewritten from flow to block style).
// feedsKeyLine is the line of the feeds key, however it is spelt.
var feedsKeyLine = regexp.MustCompile(`^(?:feeds|"feeds"|'feeds')\s*:`)

func FuzzAppendFeeds(f *testing.F) {
	f.Add([]byte("feeds:\n  - url: https://a.com/\n"))
	f.Add([]byte("feeds: []  # x\n"))
	f.Add([]byte("\"feeds\" : ~ # mine\n"))
	f.Add([]byte("feeds: [{url: 'https://a.com/]'},\n]\n"))
	f.Add([]byte("feeds:\n- url: https://a.com/\n  user_agent: |-\n    x\n# c\nsites:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, added, err := appendFeeds(data, "feeds.yaml", []NewFeed{{URL: "https://new.example/feed", Tags: []string{"t"}}})
		if err != nil || len(added) == 0 {
			return
		}
		if _, err := Parse(out, "feeds.yaml"); err != nil {
			t.Fatalf("edited file does not parse: %v", err)
		}
		rest := string(out)
		for _, line := range strings.SplitAfter(string(data), "\n") {
			line = strings.TrimRight(line, "\r\n")
			if feedsKeyLine.MatchString(line) {
				// The key's line loses its empty value ("~", "[]") and
				// its trailing blanks; a comment on it stays.
				_, comment, ok := strings.Cut(line, " #")
				if !ok {
					continue
				}
				line = "#" + comment
			}
			i := strings.Index(rest, line)
			if i < 0 {
				t.Fatalf("line %q lost from:\n%s\nedited:\n%s", line, data, out)
			}
			rest = rest[i+len(line):]
		}
	})
}

// Appending skips a feed listed already under another spelling of its URL
// (a trailing slash, scheme case), which Load would refuse, and keeps clear
// of the names Load gives unnamed feeds.
func TestAppendFeedsSameFeedAndDefaultNames(t *testing.T) {
	src := "feeds:\n  - url: https://a.com/rss/\n  - url: https://a.com/atom\n"
	_, added := appendTo(t, src, []NewFeed{{URL: "HTTPS://a.com/rss"}, {URL: "https://a.com/news", Name: "a.com/atom"}})
	want := []NewFeed{{URL: "https://a.com/news", Name: "a.com/atom-2"}}
	if !reflect.DeepEqual(added, want) {
		t.Errorf("added %+v, want %+v", added, want)
	}
}
