package extract

import (
	"slices"

	"golang.org/x/net/html"
)

// docOrder numbers a tree's nodes in document order, so that "comes
// before" and "is inside" cost one lookup instead of a walk up the tree (a
// walk that made pages of thousands of tied blocks, or deeply nested ones,
// quadratic: issue 12). Removing nodes keeps the numbers right for the
// nodes left; nodes added after numbering are not in it.
type docOrder map[*html.Node]span

// span is a node's number and the largest number inside it.
type span struct{ pre, end int32 }

func newDocOrder(root *html.Node) docOrder {
	o := docOrder{}
	var i int32
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		pre := i
		i++
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		o[n] = span{pre, i - 1}
	}
	walk(root)
	return o
}

// contains reports whether n is a or inside a.
func (o docOrder) contains(a, n *html.Node) bool {
	sa, ok := o[a]
	sn, ok2 := o[n]
	if !ok || !ok2 {
		return contains(a, n)
	}
	return sa.pre <= sn.pre && sn.pre <= sa.end
}

// before reports whether a comes before b in document order. Both must be
// numbered.
func (o docOrder) before(a, b *html.Node) bool { return o[a].pre < o[b].pre }

// sort puts nodes in document order.
func (o docOrder) sort(nodes []*html.Node) {
	slices.SortStableFunc(nodes, func(a, b *html.Node) int { return int(o[a].pre - o[b].pre) })
}

// outermost drops the nodes that are inside another of the nodes, so that a
// selector matching both a container and its children yields text once.
// The nodes come back in document order.
func (o docOrder) outermost(nodes []*html.Node) []*html.Node {
	nodes = slices.Clone(nodes)
	o.sort(nodes)
	var out []*html.Node
	for _, n := range nodes {
		if len(out) > 0 && o.contains(out[len(out)-1], n) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// countWithin counts the nodes of sorted (in document order) that are
// inside a.
func (o docOrder) countWithin(a *html.Node, sorted []*html.Node) int {
	sa, ok := o[a]
	if !ok {
		k := 0
		for _, n := range sorted {
			if contains(a, n) {
				k++
			}
		}
		return k
	}
	lo, _ := slices.BinarySearchFunc(sorted, sa.pre, func(n *html.Node, pre int32) int { return int(o[n].pre - pre) })
	hi, _ := slices.BinarySearchFunc(sorted, sa.end+1, func(n *html.Node, pre int32) int { return int(o[n].pre - pre) })
	return hi - lo
}
