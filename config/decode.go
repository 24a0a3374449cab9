package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/andybalholm/cascadia"
	"go.yaml.in/yaml/v3"

	"herald"
)

// decoder walks the YAML node tree rather than unmarshalling into structs, so
// that every value keeps its line and every problem is collected, not just
// the first.
type decoder struct {
	file string
	errs []Error
}

// entry is one key and value of a mapping.
type entry struct {
	key  string
	k, v *yaml.Node
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) errorf(line int, field, format string, args ...any) {
	d.errs = append(d.errs, Error{File: d.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// errors returns the problems in line order; problems on one line keep the
// order in which they were found.
func (d *decoder) errors() *Errors {
	sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
	return &Errors{List: d.errs}
}

func (d *decoder) decode(data []byte) *Config {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.syntaxError(err, data)
		return nil
	}
	c := &Config{
		Path:        d.file,
		Listen:      DefaultListen,
		Concurrency: DefaultConcurrency,
		Defaults:    DefaultSettings(),
		Sites:       map[string]Site{},
	}
	root := &doc
	if root.Kind == 0 { // an empty file
		root = nil
	}
	if root != nil && root.Kind == yaml.DocumentNode {
		root = nil
		if len(doc.Content) > 0 {
			root = doc.Content[0]
		}
	}
	top := map[string]entry{}
	for _, e := range d.entries(root, "") {
		switch e.key {
		case "archive", "archive_password_file", "search_index", "listen", "concurrency", "defaults", "feeds", "sites", "base_url", "token_file", "public":
			top[e.key] = e
		default:
			d.unknown(e, "", "archive", "archive_password_file", "search_index", "listen", "concurrency", "defaults", "feeds", "sites", "base_url", "token_file", "public")
		}
	}
	// defaults first: the feeds, wherever they are in the file, build on them.
	if e, ok := top["defaults"]; ok {
		lines := d.settingsBlock(&c.Defaults, e.v, "defaults")
		d.checkRange(c.Defaults, lines, "defaults")
	}
	d.archive(c, top)
	d.searchIndex(c, top)
	listenLine := 1
	if e, ok := top["listen"]; ok {
		listenLine = e.v.Line
		if s, ok := d.text(e.v, "listen"); ok {
			if err := checkListen(s); err != nil {
				d.errorf(e.v.Line, "listen", "%v", err)
			}
			c.Listen = s
		}
	}
	d.access(c, top, listenLine)
	if e, ok := top["concurrency"]; ok {
		if n, ok := d.integer(e.v, "concurrency"); ok {
			if n < 1 {
				d.errorf(e.v.Line, "concurrency", "%d is less than 1", n)
			}
			c.Concurrency = n
		}
	}
	c.Feeds = d.feeds(top, c.Defaults)
	if e, ok := top["sites"]; ok {
		c.Sites = d.sites(e.v)
	}
	return c
}

// syntaxError turns a YAML parser error into an Error with the line the
// parser gave, or, for the reader's errors that give none, the line of the
// first byte that is not UTF-8 text.
func (d *decoder) syntaxError(err error, data []byte) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line := syntaxLine(data, m[2])
		d.errorf(line, "", "%s", plainSyntax(m[2], lineText(data, line)))
		return
	}
	d.errorf(badByteLine(data), "", "%s", strings.TrimPrefix(msg, "yaml: "))
}

// lineText is the text of line n (from 1), without its line ending.
func lineText(data []byte, n int) string {
	lines := strings.SplitN(string(data), "\n", n+1)
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[n-1], "\r")
}

func badByteLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 || r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[n:]
	}
	return 1
}

// feedKeys are the keys a feed has besides those of defaults.
var feedKeys = []string{"url", "name", "tags", "allow_private", "username", "password_file"}

// settingKeys are the keys of defaults, each of which a feed may set.
var settingKeys = []string{
	"interval", "min_interval", "max_interval", "full_text", "timeout",
	"max_body", "user_agent", "site_concurrency", "site_gap",
}

func (d *decoder) feeds(top map[string]entry, defaults Settings) []Feed {
	e, ok := top["feeds"]
	if !ok {
		d.errorf(1, "feeds", "no feeds (the feeds: list is missing)")
		return nil
	}
	items, ok := d.sequence(e.v, "feeds")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(e.k.Line, "feeds", "no feeds")
		return nil
	}
	feeds := make([]Feed, 0, len(items))
	type owner struct{ index, line int }
	names := map[string]owner{}
	urls := map[string]owner{}
	for i, n := range items {
		field := fmt.Sprintf("feeds[%d]", i)
		f, nameLine := d.feed(n, field, defaults)
		if o, dup := names[f.Name]; dup && f.Name != "" {
			d.errorf(nameLine, field+".name", "%q is already the name of feeds[%d] (line %d)", f.Name, o.index, o.line)
		} else if f.Name != "" {
			names[f.Name] = owner{i, f.Line}
		}
		if o, dup := urls[feedKey(f.URL)]; dup && f.URL != "" {
			d.errorf(f.Line, field+".url", "%q is the same feed as feeds[%d] (line %d)", f.URL, o.index, o.line)
		} else if f.URL != "" {
			urls[feedKey(f.URL)] = owner{i, f.Line}
		}
		feeds = append(feeds, f)
	}
	taken := make(map[string]bool, len(names))
	for name := range names {
		taken[name] = true
	}
	for i := range feeds {
		if feeds[i].Name == "" && feeds[i].URL != "" {
			feeds[i].Name = defaultName(feeds[i].URL, taken)
			taken[feeds[i].Name] = true
		}
	}
	return feeds
}

// feed decodes one item of feeds:. It also returns the line of its name:,
// for the duplicate-name check. A feed without a name gets one later, when
// all the names written are known.
func (d *decoder) feed(n *yaml.Node, field string, defaults Settings) (f Feed, nameLine int) {
	f.Settings = defaults
	f.Line = deref(n).Line
	if !d.isMapping(n, field, "a mapping with url:") {
		return f, 0
	}
	set := map[string]int{}
	hasURL := false
	var auth feedAuth
	for _, e := range d.entries(n, field) {
		key := field + "." + e.key
		switch e.key {
		case "url":
			hasURL = true
			s, ok := d.text(e.v, key)
			if !ok {
				continue
			}
			if err := CheckFeedURL(s); err != nil {
				d.errorf(e.v.Line, key, "%v", err)
				continue
			}
			f.URL, auth.inURL, auth.urlLine = herald.StoredURL(s), s != herald.StoredURL(s), e.v.Line
			if auth.inURL {
				f.Username, f.Password = urlCredentials(s)
			}
		case "username":
			auth.userLine = e.v.Line
			if s, ok := d.text(e.v, key); ok {
				f.Username = s
			}
		case "password_file":
			auth.fileLine = e.v.Line
			if s, ok := d.text(e.v, key); ok {
				auth.file = s
			}
		case "name":
			nameLine = e.v.Line
			s, ok := d.text(e.v, key)
			if !ok {
				continue
			}
			if err := checkText(s); err != nil {
				d.errorf(e.v.Line, key, "%v", err)
				continue
			}
			f.Name = s
		case "tags":
			f.Tags, _ = d.strings(e.v, key)
		case "allow_private":
			f.AllowPrivate, _ = d.boolean(e.v, key)
		default:
			if !d.setting(&f.Settings, e, key) {
				d.unknown(e, field, append(feedKeys, settingKeys...)...)
				continue
			}
			set[e.key] = e.k.Line
		}
	}
	if !hasURL {
		d.errorf(f.Line, field+".url", "is required")
	}
	d.credentials(&f, auth, field)
	d.checkRange(f.Settings, set, field)
	return f, nameLine
}

// feedAuth is where a feed's credentials were written.
type feedAuth struct {
	inURL                       bool // user:password@ in url:
	urlLine, userLine, fileLine int  // 0: key absent
	file                        string
}

// credentials checks a feed's username: and password_file:, and reads the
// password from its file (relative to the config's directory), so that
// feeds.yaml, and what shows it (check, opml export), holds no secret.
func (d *decoder) credentials(f *Feed, a feedAuth, field string) {
	switch {
	case a.inURL && (a.userLine > 0 || a.fileLine > 0):
		d.errorf(a.urlLine, field+".url", "has user:password@ and username:/password_file: too; give them one way")
		return
	case a.fileLine > 0 && a.userLine == 0:
		d.errorf(a.fileLine, field+".password_file", "needs username:")
		return
	case a.userLine > 0 && f.Username == "":
		d.errorf(a.userLine, field+".username", "is empty")
		return
	case a.file == "":
		if a.fileLine > 0 {
			d.errorf(a.fileLine, field+".password_file", "is empty")
		}
		return
	}
	path := a.file
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.file), path)
	}
	pw, err := ReadPassword(path)
	if err != nil {
		d.errorf(a.fileLine, field+".password_file", "%v", err)
		return
	}
	f.Password = pw
}

// settingsBlock decodes a mapping of settings keys (defaults:) over s and
// returns the line of each key set.
func (d *decoder) settingsBlock(s *Settings, n *yaml.Node, field string) map[string]int {
	set := map[string]int{}
	for _, e := range d.entries(n, field) {
		if !d.setting(s, e, field+"."+e.key) {
			d.unknown(e, field, settingKeys...)
			continue
		}
		set[e.key] = e.k.Line
	}
	return set
}

// setting decodes one settings key into s; it reports false for a key that
// is not a setting.
func (d *decoder) setting(s *Settings, e entry, field string) bool {
	switch e.key {
	case "interval":
		setIf(&s.Interval)(d.duration(e.v, field, false))
	case "min_interval":
		setIf(&s.MinInterval)(d.duration(e.v, field, false))
	case "max_interval":
		setIf(&s.MaxInterval)(d.duration(e.v, field, false))
	case "timeout":
		setIf(&s.Timeout)(d.duration(e.v, field, false))
	case "site_gap":
		setIf(&s.SiteGap)(d.duration(e.v, field, true))
	case "full_text":
		setIf(&s.FullText)(d.boolean(e.v, field))
	case "max_body":
		setIf(&s.MaxBody)(d.size(e.v, field))
	case "user_agent":
		ua, ok := d.text(e.v, field)
		if ok {
			if err := checkText(ua); err != nil {
				d.errorf(e.v.Line, field, "%v", err)
				ok = false
			}
		}
		setIf(&s.UserAgent)(ua, ok)
	case "site_concurrency":
		setIf(&s.SiteConcurrency)(d.atLeastOne(e.v, field))
	default:
		return false
	}
	return true
}

// setIf returns a function that stores a decoded value when decoding worked,
// so that a bad value leaves the default in place.
func setIf[T any](dst *T) func(T, bool) {
	return func(v T, ok bool) {
		if ok {
			*dst = v
		}
	}
}

// checkRange reports min_interval > max_interval or an interval outside
// them, on the line of a key the block itself set: a feed that sets none of
// them inherits a range already checked in defaults.
func (d *decoder) checkRange(s Settings, set map[string]int, field string) {
	key, msg := rangeProblem(s, func(k string) bool { _, ok := set[k]; return ok })
	if key != "" {
		d.errorf(set[key], field+"."+key, "%s", msg)
	}
}

// rangeProblem checks min_interval <= interval <= max_interval and tells a
// problem from the point of view of the first key involved that has() says
// was written.
func rangeProblem(s Settings, has func(key string) bool) (key, msg string) {
	type view struct{ key, msg string }
	var views []view
	switch {
	case s.MinInterval > s.MaxInterval:
		views = []view{
			{"min_interval", fmt.Sprintf("%s is more than max_interval %s", fmtDuration(s.MinInterval), fmtDuration(s.MaxInterval))},
			{"max_interval", fmt.Sprintf("%s is less than min_interval %s", fmtDuration(s.MaxInterval), fmtDuration(s.MinInterval))},
		}
	case s.Interval < s.MinInterval:
		views = []view{
			{"interval", fmt.Sprintf("%s is less than min_interval %s", fmtDuration(s.Interval), fmtDuration(s.MinInterval))},
			{"min_interval", fmt.Sprintf("%s is more than interval %s", fmtDuration(s.MinInterval), fmtDuration(s.Interval))},
		}
	case s.Interval > s.MaxInterval:
		views = []view{
			{"interval", fmt.Sprintf("%s is more than max_interval %s", fmtDuration(s.Interval), fmtDuration(s.MaxInterval))},
			{"max_interval", fmt.Sprintf("%s is less than interval %s", fmtDuration(s.MaxInterval), fmtDuration(s.Interval))},
		}
	}
	for _, v := range views {
		if has(v.key) {
			return v.key, v.msg
		}
	}
	return "", ""
}

// fmtDuration writes 5m rather than time.Duration's 5m0s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

var siteKeys = []string{"body", "strip", "strip_text", "timezone", "site_concurrency", "site_gap"}

func (d *decoder) sites(n *yaml.Node) map[string]Site {
	sites := map[string]Site{}
	for _, e := range d.entries(n, "sites") {
		host := strings.ToLower(e.key)
		field := "sites[" + e.key + "]"
		if err := checkSiteKey(host); err != nil {
			d.errorf(e.k.Line, field, "%v", err)
			continue
		}
		if prev, dup := sites[host]; dup {
			d.errorf(e.k.Line, field, "%q is already a site on line %d", host, prev.Line)
			continue
		}
		sites[host] = d.site(e.v, host, e.k.Line, field)
	}
	return sites
}

func (d *decoder) site(n *yaml.Node, host string, line int, field string) Site {
	s := Site{Host: host, Line: line}
	for _, e := range d.entries(n, field) {
		key := field + "." + e.key
		switch e.key {
		case "body":
			if sel, ok := d.text(e.v, key); ok && d.selector(e.v, key, sel) {
				s.Body = sel
			}
		case "strip":
			s.Strip = d.selectors(e.v, key)
		case "strip_text":
			s.StripText, _ = d.strings(e.v, key)
		case "timezone":
			name, ok := d.text(e.v, key)
			if !ok {
				continue
			}
			loc, err := loadLocation(name)
			if err != nil {
				d.errorf(e.v.Line, key, "unknown time zone %q", name)
				continue
			}
			s.Timezone, s.TimezoneName = loc, name
		case "site_concurrency":
			s.SiteConcurrency, _ = d.atLeastOne(e.v, key)
		case "site_gap":
			if gap, ok := d.duration(e.v, key, true); ok {
				s.SiteGap = &gap
			}
		default:
			d.unknown(e, field, siteKeys...)
		}
	}
	return s
}

// loadLocation is time.LoadLocation without its reading of "" as UTC: an
// empty timezone: is a mistake, not a choice.
func loadLocation(name string) (*time.Location, error) {
	if strings.TrimSpace(name) == "" {
		return nil, fmt.Errorf("empty time zone")
	}
	return time.LoadLocation(name)
}

func (d *decoder) selector(n *yaml.Node, field, sel string) bool {
	if strings.TrimSpace(sel) == "" {
		d.errorf(n.Line, field, "is empty")
		return false
	}
	if _, err := cascadia.ParseGroup(sel); err != nil {
		d.errorf(n.Line, field, "%q is not a CSS selector: %v", sel, err)
		return false
	}
	return true
}

func (d *decoder) selectors(n *yaml.Node, field string) []string {
	items, ok := d.sequence(n, field)
	if !ok {
		return nil
	}
	var out []string
	for i, item := range items {
		key := fmt.Sprintf("%s[%d]", field, i)
		if s, ok := d.text(item, key); ok && d.selector(item, key, s) {
			out = append(out, s)
		}
	}
	return out
}
