package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Parts of what the daemon serves, as `public:` names them.
const (
	PartFeeds   = "feeds"   // the merged feed in every format
	PartAPI     = "api"     // /api/…
	PartMetrics = "metrics" // /metrics
	PartPages   = "pages"   // the HTML pages: the reading page, the status page
)

// Parts lists every part, in the order `herald check` prints them.
var Parts = []string{PartFeeds, PartAPI, PartMetrics, PartPages}

// DefaultPublic is what is served without a token when `public:` is not
// set: the merged feeds, which feed readers fetch without credentials.
var DefaultPublic = []string{PartFeeds}

// minTokenLen keeps a token from being guessable by trying: 16 characters
// of anything.
const minTokenLen = 16

// access decodes base_url:, token_file: and public:, and checks that a
// daemon listening off loopback does not serve its private parts to all.
func (d *decoder) access(c *Config, top map[string]entry, listenLine int) {
	if e, ok := top["base_url"]; ok {
		if s, ok := d.text(e.v, "base_url"); ok {
			if err := checkBaseURL(s); err != nil {
				d.errorf(e.v.Line, "base_url", "%v", err)
			}
			c.BaseURL = strings.TrimSuffix(s, "/")
		}
	}
	if e, ok := top["token_file"]; ok {
		if s, ok := d.text(e.v, "token_file"); ok {
			if !filepath.IsAbs(s) {
				s = filepath.Join(filepath.Dir(d.file), s)
			}
			if abs, err := filepath.Abs(s); err == nil {
				s = abs
			}
			c.TokenFile, c.tokenLine = s, e.v.Line
		}
	}
	if e, ok := top["public"]; ok {
		c.Public = d.parts(e.v)
	}
	if err := c.checkExposure(); err != nil {
		d.errorf(listenLine, "listen", "%v", err)
	}
}

// parts decodes public:, a list of parts.
func (d *decoder) parts(n *yaml.Node) []string {
	items, ok := d.sequence(n, "public")
	if !ok {
		return nil
	}
	out := []string{}
	for i, item := range items {
		field := fmt.Sprintf("public[%d]", i)
		s, ok := d.text(item, field)
		switch {
		case !ok:
		case !slices.Contains(Parts, s):
			d.errorf(item.Line, field, "%q is not a part; want one of %s", s, strings.Join(Parts, ", "))
		case slices.Contains(out, s):
			d.errorf(item.Line, field, "%q is listed twice", s)
		default:
			out = append(out, s)
		}
	}
	return out
}

// checkBaseURL wants the absolute http(s) URL readers reach Herald at: no
// credentials, query or fragment, since links are made by appending to it.
func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q is not an absolute http or https URL", s)
	case u.User != nil:
		return errors.New("a URL with credentials cannot be a public address")
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(s, "?#"):
		return fmt.Errorf("%q has a query or fragment; want scheme, host and an optional path", s)
	case u.Port() != "" && !validPort(u.Port()):
		return fmt.Errorf("%q has a bad port", s)
	}
	return nil
}

// ListenLoopback says whether Listen is a loopback address, which only this
// machine can reach: localhost or a loopback IP. An empty host, 0.0.0.0 and
// :: are every address; other names may resolve anywhere.
func (c *Config) ListenLoopback() bool {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PublicParts is what is served without a token: public:, or DefaultPublic.
func (c *Config) PublicParts() []string {
	if c.Public == nil {
		return DefaultPublic
	}
	return c.Public
}

// Private is the parts that need the token, when there is one.
func (c *Config) Private() []string {
	var out []string
	for _, p := range Parts {
		if !slices.Contains(c.PublicParts(), p) {
			out = append(out, p)
		}
	}
	return out
}

// checkExposure refuses a daemon that would serve its API, metrics or pages
// to every network it is on: off loopback, what is not declared public needs
// a token.
func (c *Config) checkExposure() error {
	if checkListen(c.Listen) != nil || c.ListenLoopback() || c.TokenFile != "" || len(c.Private()) == 0 {
		return nil // a bad listen: is reported as such
	}
	return fmt.Errorf("%s is not a loopback address, so %s would be served to anyone who can reach it: "+
		"set token_file: to ask for a token, or declare them public: (public: [%s])",
		c.Listen, strings.Join(c.Private(), ", "), strings.Join(Parts, ", "))
}

// Token reads the token from TokenFile: its content without surrounding
// white space, at least 16 characters, printable and without spaces (it
// goes in a header). "" and no error when there is no token_file:.
func (c *Config) Token() (string, error) {
	if c.TokenFile == "" {
		return "", nil
	}
	bad := func(format string, args ...any) error {
		return &Errors{List: []Error{{File: c.Path, Line: c.tokenLine, Field: "token_file", Msg: fmt.Sprintf(format, args...)}}}
	}
	data, err := os.ReadFile(c.TokenFile)
	if err != nil {
		return "", bad("%v", err)
	}
	tok := strings.TrimSpace(string(data))
	if len(tok) < minTokenLen {
		return "", bad("%s holds %d characters; a token needs at least %d", c.TokenFile, len(tok), minTokenLen)
	}
	if i := strings.IndexFunc(tok, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsGraphic(r) || r == ' ' }); i >= 0 {
		return "", bad("%s: the token must be printable ASCII without spaces", c.TokenFile)
	}
	return tok, nil
}
