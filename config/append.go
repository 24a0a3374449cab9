package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"herald"
)

// NewFeed is a feed to add to a config file, as an OPML import gives it.
type NewFeed struct {
	Name string // made unique; the URL's host when empty
	URL  string
	Tags []string
}

// AppendFeeds adds feeds to the `feeds:` list of the config file at path and
// returns those it added, with the names they got. It edits the text, not a
// re-encoded tree, so every comment and the file's layout are kept. Feeds
// whose URL is already listed (ignoring scheme, tracking parameters and the
// like) are skipped; names are made unique with -2, -3... suffixes.
//
// The file is replaced atomically, and only if the result loads without
// error; otherwise the error says why (a bad URL among feeds, or a config that
// was invalid already) and the file is left alone.
func AppendFeeds(path string, feeds []NewFeed) (added []NewFeed, err error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("add feeds: %w", err)
	}
	data, err := os.ReadFile(real)
	if err != nil {
		return nil, fmt.Errorf("add feeds: %w", err)
	}
	out, added, err := appendFeeds(data, path, feeds)
	if err != nil || len(added) == 0 {
		return nil, err
	}
	if err := writeFileAtomic(real, out); err != nil {
		return nil, fmt.Errorf("add feeds to %s: %w", path, err)
	}
	return added, nil
}

// appendFeeds returns data with feeds added, and the feeds added.
func appendFeeds(data []byte, path string, feeds []NewFeed) ([]byte, []NewFeed, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		_, perr := Parse(data, path) // the same error, placed by line
		return nil, nil, perr
	}
	var root *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if root != nil && (root.Kind != yaml.MappingNode || root.Style&yaml.FlowStyle != 0) {
		return nil, nil, fmt.Errorf("add feeds to %s: the top level is not a block mapping", path)
	}
	key, list := feedsNode(root)
	have := listed(list)
	added, err := have.choose(feeds)
	if err != nil || len(added) == 0 {
		return nil, nil, err
	}
	t := newText(data)
	switch {
	case key == nil:
		t.appendKey(added)
	case list.Kind == yaml.SequenceNode && list.Style&yaml.FlowStyle == 0:
		t.appendBlock(key, list, added)
	case list.Kind == yaml.SequenceNode && len(list.Content) > 0:
		if err := t.appendFlow(list, added); err != nil {
			return nil, nil, fmt.Errorf("add feeds to %s: %w", path, err)
		}
	default: // feeds: with nothing, ~ or []: the key's line becomes a block list's head
		if err := t.replaceValue(key, list, added); err != nil {
			return nil, nil, fmt.Errorf("add feeds to %s: %w", path, err)
		}
	}
	out := t.bytes()
	c, err := Parse(out, path)
	if err != nil {
		return nil, nil, fmt.Errorf("add feeds to %s: %w", path, err)
	}
	if err := checkAppended(c, added); err != nil {
		return nil, nil, fmt.Errorf("add feeds to %s: %w", path, err)
	}
	return out, added, nil
}

func feedsNode(root *yaml.Node) (key, value *yaml.Node) {
	if root == nil {
		return nil, nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "feeds" {
			return root.Content[i], root.Content[i+1]
		}
	}
	return nil, nil
}

// checkAppended makes sure the edit did what was meant: the new feeds are
// the last ones, in order, with their names.
func checkAppended(c *Config, added []NewFeed) error {
	n := len(c.Feeds) - len(added)
	if n < 0 {
		return fmt.Errorf("the edited file lists too few feeds")
	}
	for i, a := range added {
		// Feed.URL is the URL as written without its credentials.
		if f := c.Feeds[n+i]; f.URL != herald.StoredURL(a.URL) || f.Name != a.Name {
			return fmt.Errorf("the edited file lists %s (%s) where %s (%s) was added", f.Name, f.URL, a.Name, herald.StoredURL(a.URL))
		}
	}
	return nil
}

// existing is what the file already has: URL keys and names.
type existing struct {
	urls  map[string]bool
	names map[string]bool
}

func listed(list *yaml.Node) existing {
	have := existing{urls: map[string]bool{}, names: map[string]bool{}}
	list = deref(list)
	if list == nil || list.Kind != yaml.SequenceNode {
		return have
	}
	var unnamed []string
	for _, item := range list.Content {
		item = deref(item)
		if item == nil || item.Kind != yaml.MappingNode {
			continue
		}
		var u, name string
		for i := 0; i+1 < len(item.Content); i += 2 {
			v := deref(item.Content[i+1])
			if v == nil || v.Kind != yaml.ScalarNode {
				continue
			}
			switch item.Content[i].Value {
			case "url":
				u = v.Value
			case "name":
				name = v.Value
			}
		}
		have.urls[feedKey(u)] = true
		if name == "" {
			unnamed = append(unnamed, u)
		} else {
			have.names[name] = true
		}
	}
	for _, u := range unnamed { // named as Parse names them
		have.names[defaultName(u, have.names)] = true
	}
	return have
}

// choose returns the feeds to add: valid, not listed yet, uniquely named.
func (have existing) choose(feeds []NewFeed) ([]NewFeed, error) {
	var added []NewFeed
	for _, f := range feeds {
		f.URL = strings.TrimSpace(f.URL)
		if err := CheckFeedURL(f.URL); err != nil {
			return nil, fmt.Errorf("feed %q: url %v", f.Name, err)
		}
		key := feedKey(f.URL)
		if have.urls[key] {
			continue
		}
		name := strings.Join(strings.Fields(f.Name), " ")
		if name == "" {
			name = hostName(f.URL)
		}
		if err := checkText(name); err != nil {
			return nil, fmt.Errorf("feed %s: name %v", herald.StoredURL(f.URL), err)
		}
		unique := name
		for i := 2; have.names[unique]; i++ {
			unique = name + "-" + strconv.Itoa(i)
		}
		var tags []string
		for _, t := range f.Tags {
			if t = strings.TrimSpace(t); t != "" && checkText(t) == nil {
				tags = append(tags, t)
			}
		}
		have.urls[key], have.names[unique] = true, true
		added = append(added, NewFeed{Name: unique, URL: f.URL, Tags: tags})
	}
	return added, nil
}

// text is a config file as lines, each with its line ending.
type text struct {
	lines []string
	eol   string
}

func newText(data []byte) *text {
	t := &text{eol: "\n"}
	if bytes.Contains(data, []byte("\r\n")) {
		t.eol = "\r\n"
	}
	if len(data) > 0 {
		t.lines = strings.SplitAfter(string(data), "\n")
		if t.lines[len(t.lines)-1] == "" {
			t.lines = t.lines[:len(t.lines)-1]
		}
	}
	return t
}

func (t *text) bytes() []byte { return []byte(strings.Join(t.lines, "")) }

// insert puts block after line i (0-based; -1 for the start), or after the
// last line when i is past it: yaml places an empty value at the end of a
// file ("- ?") on a line of its own that the text does not have.
func (t *text) insert(i int, block []string) {
	i = min(i, len(t.lines)-1)
	if i >= 0 && !strings.HasSuffix(t.lines[i], "\n") {
		t.lines[i] += t.eol
	}
	rest := append(block, t.lines[i+1:]...)
	t.lines = append(t.lines[:i+1], rest...)
}

// render writes feeds as block list items whose dash is at indent and whose
// keys are at indent+offset.
func (t *text) render(feeds []NewFeed, indent, offset int, blankBetween bool) []string {
	dash := strings.Repeat(" ", indent) + "-" + strings.Repeat(" ", offset-1)
	more := strings.Repeat(" ", indent+offset)
	var out []string
	for _, f := range feeds {
		if blankBetween {
			out = append(out, t.eol)
		}
		out = append(out, dash+"url: "+yamlScalar(f.URL)+t.eol)
		out = append(out, more+"name: "+yamlScalar(f.Name)+t.eol)
		if len(f.Tags) > 0 {
			out = append(out, more+"tags: "+flowList(f.Tags)+t.eol)
		}
	}
	return out
}

func (t *text) appendKey(feeds []NewFeed) {
	block := append([]string{"feeds:" + t.eol}, t.render(feeds, 2, 2, false)...)
	t.insert(len(t.lines)-1, block)
}

// appendBlock adds items after the last line that belongs to the list: the
// last line of its last node or of text indented under the key (a multi-line
// value), not comments or blank lines that precede the next key.
func (t *text) appendBlock(key, list *yaml.Node, feeds []NewFeed) {
	last := lastLine(list) - 1
	for i := last + 1; i < len(t.lines); i++ {
		s := strings.TrimSpace(t.lines[i])
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if indentOf(t.lines[i]) <= key.Column {
			break // a line at or left of the key's column starts something else
		}
		last = i
	}
	offset := 2
	if first := list.Content[0]; first.Line == list.Line && first.Column > list.Column {
		offset = first.Column - list.Column
	}
	t.insert(last, t.render(feeds, list.Column-1, offset, t.spaced(list)))
}

// spaced reports whether the list's last item is set off by a blank line
// (above its comments, if any), so that new items follow the same layout.
func (t *text) spaced(list *yaml.Node) bool {
	if len(list.Content) < 2 {
		return false
	}
	i := list.Content[len(list.Content)-1].Line - 2
	for i >= 0 && strings.HasPrefix(strings.TrimSpace(t.lines[i]), "#") {
		i--
	}
	return i >= 0 && strings.TrimSpace(t.lines[i]) == ""
}

// byteOffset turns a YAML column (1-based, in characters) into an index
// into line.
func byteOffset(line string, column int) int {
	n := 0
	for i := range line {
		if n == column-1 {
			return i
		}
		n++
	}
	return len(line)
}

// indentOf is the 1-based column of a line's first character that is not
// a space.
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " ")) + 1
}

// lastLine is the last line on which a node of the tree starts.
func lastLine(n *yaml.Node) int {
	line := n.Line
	for _, c := range n.Content {
		line = max(line, lastLine(c))
	}
	return line
}

// replaceValue rewrites `feeds:`, `feeds: ~` or `feeds: []` (keeping a
// trailing comment) as the head of a block list.
func (t *text) replaceValue(key, value *yaml.Node, feeds []NewFeed) error {
	i := key.Line - 1
	line := strings.TrimRight(t.lines[i], "\r\n")
	from := min(byteOffset(line, key.Column)+len(key.Value), len(line))
	colon := strings.IndexByte(line[from:], ':')
	if colon < 0 || value.Line != key.Line && value.Kind != yaml.ScalarNode {
		return fmt.Errorf("cannot find the value of feeds: on line %d", key.Line)
	}
	colon += from
	rest := strings.TrimSpace(line[colon+1:])
	comment := ""
	if j := strings.Index(rest, "#"); j >= 0 {
		rest, comment = strings.TrimSpace(rest[:j]), "  "+rest[j:]
	}
	switch rest {
	case "", "~", "null", "Null", "NULL", "[]":
	default:
		return fmt.Errorf("cannot rewrite line %d: %q", key.Line, line)
	}
	t.lines[i] = line[:colon+1] + comment + t.eol
	t.insert(i, t.render(feeds, indentOf(line)-1+2, 2, false))
	return nil
}

// appendFlow adds items to a flow list (feeds: [{url: ...}]) before its
// closing bracket.
func (t *text) appendFlow(list *yaml.Node, feeds []NewFeed) error {
	start := byteOffset(t.lines[list.Line-1], list.Column)
	line, col, last, ok := closingBracket(t.lines, list.Line-1, start)
	if !ok {
		return fmt.Errorf("cannot find the end of the feeds: list that starts on line %d", list.Line)
	}
	sep := ", "
	if last == ',' {
		sep = "" // the list ends with a trailing comma already
	}
	var b strings.Builder
	for _, f := range feeds {
		fmt.Fprintf(&b, "%s{url: %s, name: %s", sep, quote(f.URL), quote(f.Name))
		sep = ", "
		if len(f.Tags) > 0 {
			b.WriteString(", tags: " + flowList(f.Tags))
		}
		b.WriteString("}")
	}
	s := t.lines[line]
	if strings.TrimSpace(s[:col]) == "" {
		// The bracket opens its line: give the items a line of their own,
		// indented, since flow content may not start at the margin.
		t.lines[line] = s[:col] + "  " + b.String() + t.eol + s
		return nil
	}
	t.lines[line] = s[:col] + b.String() + s[col:]
	return nil
}

// closingBracket finds the ']' that closes the '[' at lines[line][col],
// stepping over quoted strings, comments and nested collections. It also
// returns the last character before it that is not space or comment.
func closingBracket(lines []string, line, col int) (int, int, byte, bool) {
	depth := 0
	var quote, last byte
	for ; line < len(lines); line, col = line+1, 0 {
		s := lines[line]
		for ; col < len(s); col++ {
			c := s[col]
			switch {
			case quote == '\'' && c == '\'':
				if col+1 < len(s) && s[col+1] == '\'' {
					col++ // '' is an escaped quote
				} else {
					quote = 0
				}
			case quote == '"' && c == '\\':
				col++
			case quote == '"' && c == '"':
				quote = 0
			case quote != 0:
			case c == '"' || c == '\'':
				quote = c
			case c == '#' && (col == 0 || s[col-1] == ' ' || s[col-1] == '\t'):
				col = len(s) // a comment runs to the end of the line
				continue
			case c == '[' || c == '{':
				depth++
			case c == ']' || c == '}':
				depth--
				if depth == 0 {
					return line, col, last, c == ']'
				}
			}
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				last = c
			}
		}
	}
	return 0, 0, 0, false
}

var (
	plainRE     = regexp.MustCompile(`^[A-Za-z0-9_/][A-Za-z0-9_.~%+=&?:/@-]*$`)
	flowPlainRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
)

// yamlScalar writes s plain when YAML reads it back as the same string,
// else double-quoted.
func yamlScalar(s string) string {
	if plainRE.MatchString(s) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) == nil && len(n.Content) == 1 &&
			n.Content[0].Kind == yaml.ScalarNode && n.Content[0].ShortTag() == "!!str" && n.Content[0].Value == s {
			return s
		}
	}
	return quote(s)
}

// quote writes s double-quoted. A JSON string is a valid YAML one.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func flowList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = s
		if !flowPlainRE.MatchString(s) || yamlScalar(s) != s {
			q[i] = quote(s)
		}
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory, so that a crash leaves the old file or the new, never half.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing to remove
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
