package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// This file holds the typed readers of YAML nodes. Each reports a problem
// with the node's line and returns ok=false, so that callers keep going.

// deref follows aliases (*name) to the anchored node. Aliases are followed
// one node at a time as the schema is walked, so a "billion laughs" document
// cannot make the walk expand it.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's kind for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil || isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind != yaml.ScalarNode:
		return "something else"
	}
	switch n.ShortTag() {
	case "!!int":
		return fmt.Sprintf("the integer %s", n.Value)
	case "!!float":
		return fmt.Sprintf("the number %s", n.Value)
	case "!!bool":
		return n.Value
	}
	return fmt.Sprintf("%q", n.Value)
}

// isMapping reports whether n is a mapping (or empty), and reports a problem
// if it is not.
func (d *decoder) isMapping(n *yaml.Node, field, want string) bool {
	m := deref(n)
	if m != nil && m.Kind != yaml.MappingNode && !isNull(m) {
		d.errorf(n.Line, field, "expected %s, got %s", want, describe(m))
		return false
	}
	return true
}

// entries returns a mapping's keys and values. An empty value (key: with
// nothing after it) is an empty mapping. Duplicate keys are problems: YAML
// says they are errors, and the second would silently win.
func (d *decoder) entries(n *yaml.Node, field string) []entry {
	if !d.isMapping(n, fieldOrTop(field), "a mapping") {
		return nil
	}
	m := deref(n)
	if m == nil || isNull(m) {
		return nil
	}
	var out []entry
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), m.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.errorf(m.Content[i].Line, fieldOrTop(field), "a key must be a plain string, not %s", describe(k))
			continue
		}
		key := join(field, k.Value)
		if k.ShortTag() == "!!merge" {
			d.errorf(k.Line, key, "merge keys (<<) are not supported")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, key, "duplicate key (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, entry{key: k.Value, k: k, v: v})
	}
	return out
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func fieldOrTop(field string) string {
	if field == "" {
		return "(top level)"
	}
	return field
}

// unknown reports a key that is not in known, suggesting the nearest known
// key when one is a likely typo.
func (d *decoder) unknown(e entry, field string, known ...string) {
	msg := "unknown key"
	if s := nearest(e.key, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	d.errorf(e.k.Line, join(field, e.key), "%s", msg)
}

// sequence returns a list's items; an empty value is an empty list.
func (d *decoder) sequence(n *yaml.Node, field string) ([]*yaml.Node, bool) {
	s := deref(n)
	if isNull(s) {
		return nil, true
	}
	if s.Kind != yaml.SequenceNode {
		d.errorf(n.Line, field, "expected a list, got %s", describe(s))
		return nil, false
	}
	return s.Content, true
}

// text reads any scalar as text: YAML would make `name: 2024` an integer,
// but a name is still what was written.
func (d *decoder) text(n *yaml.Node, field string) (string, bool) {
	s := deref(n)
	if isNull(s) {
		d.errorf(n.Line, field, "is empty")
		return "", false
	}
	if s.Kind != yaml.ScalarNode {
		d.errorf(n.Line, field, "expected a string, got %s", describe(s))
		return "", false
	}
	return s.Value, true
}

func (d *decoder) strings(n *yaml.Node, field string) ([]string, bool) {
	items, ok := d.sequence(n, field)
	if !ok {
		return nil, false
	}
	var out []string
	for i, item := range items {
		key := fmt.Sprintf("%s[%d]", field, i)
		s, ok := d.text(item, key)
		if !ok {
			continue
		}
		if err := checkText(s); err != nil {
			d.errorf(item.Line, key, "%v", err)
			continue
		}
		out = append(out, s)
	}
	return out, true
}

func (d *decoder) boolean(n *yaml.Node, field string) (bool, bool) {
	s := deref(n)
	var b bool
	if s == nil || s.Kind != yaml.ScalarNode || s.ShortTag() != "!!bool" || s.Decode(&b) != nil {
		d.errorf(n.Line, field, "expected true or false, got %s", describe(s))
		return false, false
	}
	return b, true
}

func (d *decoder) integer(n *yaml.Node, field string) (int, bool) {
	s := deref(n)
	var i int
	if s == nil || s.Kind != yaml.ScalarNode || s.ShortTag() != "!!int" || s.Decode(&i) != nil {
		d.errorf(n.Line, field, "expected an integer, got %s", describe(s))
		return 0, false
	}
	return i, true
}

func (d *decoder) atLeastOne(n *yaml.Node, field string) (int, bool) {
	i, ok := d.integer(n, field)
	if ok && i < 1 {
		d.errorf(n.Line, field, "%d is less than 1", i)
		return 0, false
	}
	return i, ok
}

// scalar reads a value that must be written as a plain string or number,
// such as a duration or a size.
func (d *decoder) scalar(n *yaml.Node, field string) (string, bool) {
	s := deref(n)
	if s == nil || s.Kind != yaml.ScalarNode || isNull(s) {
		d.errorf(n.Line, field, "expected a value, got %s", describe(s))
		return "", false
	}
	return s.Value, true
}

func (d *decoder) duration(n *yaml.Node, field string, allowZero bool) (time.Duration, bool) {
	v, ok := d.scalar(n, field)
	if !ok {
		return 0, false
	}
	dur, err := parseDuration(v, allowZero)
	if err != nil {
		d.errorf(n.Line, field, "%v", err)
		return 0, false
	}
	return dur, true
}

func (d *decoder) size(n *yaml.Node, field string) (int64, bool) {
	v, ok := d.scalar(n, field)
	if !ok {
		return 0, false
	}
	size, err := parseSize(v)
	if err != nil {
		d.errorf(n.Line, field, "%v", err)
		return 0, false
	}
	return size, true
}

// nearest returns the word in known within two edits of s, if any.
func nearest(s string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if dist := editDistance(s, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // typos of short keys only; bounds the work on hostile keys
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
