package config_test

import (
	"strings"
	"testing"
	"time"

	"herald/config"
)

func mustParse(t *testing.T, src string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(src), "feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A subdomain entry that sets only politeness keeps its parent's extraction
// rules; one that sets a field overrides that field alone.
func TestSiteForMergesFieldByField(t *testing.T) {
	c := mustParse(t, `feeds:
  - url: https://www.koreaherald.com/rss
sites:
  koreaherald.com:
    body: "#articleText"
    strip: [".share"]
    timezone: Asia/Seoul
    site_gap: 1s
  www.koreaherald.com:
    site_gap: 2s
  m.koreaherald.com:
    body: ".mobile"
  x.m.koreaherald.com:8443:
    strip_text: ["Link copied"]
`)
	s, ok := c.SiteFor("www.koreaherald.com")
	if !ok || s.Host != "www.koreaherald.com" || s.Body != "#articleText" || len(s.Strip) != 1 ||
		s.Timezone == nil || s.Timezone.String() != "Asia/Seoul" || s.SiteGap == nil || *s.SiteGap != 2*time.Second {
		t.Errorf("www: %+v, %v; want the parent's rules with its own site_gap 2s", s, ok)
	}
	s, _ = c.SiteFor("x.m.koreaherald.com:8443")
	if s.Host != "x.m.koreaherald.com:8443" || s.Body != ".mobile" || len(s.Strip) != 1 || len(s.StripText) != 1 ||
		s.Timezone == nil || s.SiteGap == nil || *s.SiteGap != time.Second {
		t.Errorf("x.m:8443: %+v; want its strip_text, m's body, the rest from the domain", s)
	}
	if s, _ := c.SiteFor("koreaherald.com"); s.SiteGap == nil || *s.SiteGap != time.Second || s.Body != "#articleText" {
		t.Errorf("the domain itself: %+v", s)
	}
}

// A host:port key applies to URLs on that port and not others.
func TestSiteForPortKey(t *testing.T) {
	c := mustParse(t, `feeds:
  - url: http://127.0.0.1:8765/feed
sites:
  127.0.0.1:8765:
    body: main
`)
	if s, ok := c.SiteFor("127.0.0.1:8765"); !ok || s.Body != "main" {
		t.Errorf("127.0.0.1:8765: %+v, %v", s, ok)
	}
	if _, ok := c.SiteFor("127.0.0.1:8766"); ok {
		t.Errorf("127.0.0.1:8766 took the rules of port 8765")
	}
}

// check warns about sites: keys that no feed is on, and about keys no host
// can take rules from; keys a feed's host can match are quiet.
func TestWarningsUnmatchedSites(t *testing.T) {
	c := mustParse(t, `feeds:
  - url: https://feeds.bbc.co.uk/news/rss.xml
  - url: http://127.0.0.1:8765/feed
sites:
  www.bbc.co.uk:
    body: article
  127.0.0.1:8765:
    site_gap: 0s
  nytimes.com:
    body: article
  co.uk:
    body: article
`)
	var got []string
	for _, w := range c.Warnings() {
		got = append(got, w.String())
	}
	want := []string{
		"feeds.yaml:9: sites[nytimes.com]: no feed is on nytimes.com",
		"feeds.yaml:11: sites[co.uk]: is a public suffix",
	}
	if len(got) != len(want) {
		t.Fatalf("warnings %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d = %q, want it to start %q", i, got[i], want[i])
		}
	}
}

// Feeds without name: get unique names: the first of a host its host, the
// others host and path, numbered when even that repeats; names written in
// the file are never taken.
func TestDefaultNamesAreUnique(t *testing.T) {
	c := mustParse(t, `feeds:
  - url: https://news.example.com/rss/world
  - url: https://News.Example.com/rss/asia/
  - url: https://news.example.com:8443/rss
  - url: https://other.example/feed
    name: news.example.com/rss/sport
  - url: https://news.example.com/rss/sport
  - url: http://news.example.com/rss/world?edition=int
  - url: https://solo.example/feed
`)
	want := []string{
		"news.example.com",
		"news.example.com/rss/asia",
		"news.example.com:8443",
		"news.example.com/rss/sport",
		"news.example.com/rss/sport-2",
		"news.example.com/rss/world?edition=int",
		"solo.example",
	}
	var got []string
	for _, f := range c.Feeds {
		got = append(got, f.Name)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("names:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
