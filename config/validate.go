package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/andybalholm/cascadia"
)

// Validate checks a Config against the rules Parse applies, for one built
// or changed in code (a command overriding Archive, a test building one by
// hand). Problems are placed at the feed's or site's line when known.
// A Config returned by Parse always validates.
func (c *Config) Validate() error {
	v := &validator{file: c.Path}
	if err := checkListen(c.Listen); err != nil {
		v.add(0, "listen", err)
	}
	if c.BaseURL != "" {
		if err := checkBaseURL(c.BaseURL); err != nil {
			v.add(0, "base_url", err)
		}
	}
	for _, p := range c.Public {
		if !slices.Contains(Parts, p) {
			v.addf(0, "public", "%q is not a part; want one of %s", p, strings.Join(Parts, ", "))
		}
	}
	if err := c.checkExposure(); err != nil {
		v.add(0, "listen", err)
	}
	if c.Concurrency < 1 {
		v.addf(0, "concurrency", "%d is less than 1", c.Concurrency)
	}
	if IsPostgres(c.Archive) {
		if _, pw, err := SplitDSN(c.Archive); err != nil {
			v.add(0, "archive", err)
		} else if pw != "" {
			v.addf(0, "archive", "holds a password; give it in ArchivePassword")
		}
	} else if !filepath.IsAbs(c.Archive) {
		v.addf(0, "archive", "%q is not an absolute path", c.Archive)
	}
	v.settings(0, "defaults", c.Defaults)
	if len(c.Feeds) == 0 {
		v.addf(0, "feeds", "no feeds")
	}
	names, urls := map[string]int{}, map[string]int{}
	for i, f := range c.Feeds {
		field := fmt.Sprintf("feeds[%d]", i)
		if err := CheckFeedURL(f.URL); err != nil {
			v.add(f.Line, field+".url", err)
		} else if j, dup := urls[feedKey(f.URL)]; dup {
			v.addf(f.Line, field+".url", "%q is the same feed as feeds[%d]", f.URL, j)
		} else {
			urls[feedKey(f.URL)] = i
		}
		if err := checkText(f.Name); err != nil {
			v.add(f.Line, field+".name", err)
		} else if j, dup := names[f.Name]; dup {
			v.addf(f.Line, field+".name", "%q is already the name of feeds[%d]", f.Name, j)
		} else {
			names[f.Name] = i
		}
		for j, t := range f.Tags {
			if err := checkText(t); err != nil {
				v.add(f.Line, fmt.Sprintf("%s.tags[%d]", field, j), err)
			}
		}
		v.settings(f.Line, field, f.Settings)
	}
	for key, s := range c.Sites {
		v.site(key, s)
	}
	if len(v.errs) > 0 {
		return &Errors{List: v.errs}
	}
	return nil
}

type validator struct {
	file string
	errs []Error
}

func (v *validator) add(line int, field string, err error) {
	v.errs = append(v.errs, Error{File: v.file, Line: line, Field: field, Msg: err.Error()})
}

func (v *validator) addf(line int, field, format string, args ...any) {
	v.add(line, field, fmt.Errorf(format, args...))
}

func (v *validator) settings(line int, field string, s Settings) {
	positive := []struct {
		key string
		d   int64
	}{
		{"interval", int64(s.Interval)},
		{"min_interval", int64(s.MinInterval)},
		{"max_interval", int64(s.MaxInterval)},
		{"timeout", int64(s.Timeout)},
		{"max_body", s.MaxBody},
	}
	for _, p := range positive {
		if p.d <= 0 {
			v.addf(line, field+"."+p.key, "must be positive")
		}
	}
	if s.SiteGap < 0 {
		v.addf(line, field+".site_gap", "must not be negative")
	}
	if s.SiteConcurrency < 1 {
		v.addf(line, field+".site_concurrency", "%d is less than 1", s.SiteConcurrency)
	}
	if err := checkText(s.UserAgent); err != nil {
		v.add(line, field+".user_agent", err)
	}
	all := func(string) bool { return true }
	if key, msg := rangeProblem(s, all); key != "" {
		v.addf(line, field+"."+key, "%s", msg)
	}
}

func (v *validator) site(key string, s Site) {
	field := "sites[" + key + "]"
	if err := checkSiteKey(key); err != nil {
		v.add(s.Line, field, err)
	}
	if s.Host != key {
		v.addf(s.Line, field, "host %q differs from its key", s.Host)
	}
	sels := append([]string{}, s.Strip...)
	if s.Body != "" {
		sels = append(sels, s.Body)
	}
	for _, sel := range sels {
		if _, err := cascadia.ParseGroup(sel); err != nil {
			v.addf(s.Line, field, "%q is not a CSS selector: %v", sel, err)
		}
	}
	if (s.Timezone == nil) != (s.TimezoneName == "") {
		v.addf(s.Line, field+".timezone", "Timezone and TimezoneName must be set together")
	}
	if s.SiteConcurrency < 0 {
		v.addf(s.Line, field+".site_concurrency", "%d is negative", s.SiteConcurrency)
	}
	if s.SiteGap != nil && *s.SiteGap < 0 {
		v.addf(s.Line, field+".site_gap", "must not be negative")
	}
}
