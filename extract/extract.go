// Package extract takes an article out of its web page: it decodes the page,
// reads its metadata, finds the article's text by a site rule or by scoring
// the page's blocks, drops the furniture around it and sanitises its HTML.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"herald"
)

// Rules are a site's extraction rules (feeds.yaml sites:). Matching a rule to
// a page's host is the caller's job.
type Rules struct {
	Body      string   // CSS selector of the article body; every match, in order
	Strip     []string // CSS selectors removed before anything else
	StripText []string // lines (block elements) of exactly this text are dropped
	Timezone  *time.Location
}

// Article is what extraction found in a page.
type Article struct {
	Title, Byline string
	// Published is when the article was published. When ZoneUnknown, the
	// page printed it without a zone and no rule gave one: Published then
	// holds the printed wall-clock reading in UTC's clothes, and is no
	// instant; show it without an offset.
	Published    time.Time
	ZoneUnknown  bool
	Lang         string
	SiteName     string
	CanonicalURL string
	Image        string
	// Text is the article's paragraphs separated by exactly one blank line,
	// white space folded within them.
	Text string
	// HTML is the article sanitised: no script, event handlers or
	// javascript: URLs; structure kept; URLs absolute.
	HTML   string
	Method string // herald.ExtractedBySiteRule or herald.ExtractedByGeneric
	// RuleMissed says a rule's Body matched nothing and the generic path was
	// used: the rule is stale, and callers count that per site.
	RuleMissed bool
	Charset    string // the charset the page was decoded from
}

// ErrEmpty is returned when the page holds no article text. The Article
// returned with it still carries the page's metadata.
var ErrEmpty = errors.New("no article text found")

// minText is the length (runes) under which the generic path distrusts its
// first, strict pass and tries again with less pruning.
const minText = 250

// Page extracts the article from an HTML page. pageURL resolves relative
// links; contentType is the response's Content-Type header, if any; rules may
// be nil. Extraction stops with an error when ctx is done or the page has
// taken PageBudget (ErrBudget).
func Page(ctx context.Context, page []byte, pageURL, contentType string, rules *Rules) (*Article, error) {
	return extractPage(ctx, PageBudget, page, pageURL, contentType, rules)
}

// extractPage is Page with another budget: benchmarks measure pages that a
// loaded machine takes longer than PageBudget to extract.
func extractPage(ctx context.Context, limit time.Duration, page []byte, pageURL, contentType string, rules *Rules) (*Article, error) {
	if rules == nil {
		rules = &Rules{}
	}
	body, strip, err := compileRules(rules)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, limit, errBudgetCause)
	defer cancel()
	b := &budget{ctx: ctx, limit: limit}
	if err := b.check("starting"); err != nil {
		return nil, err
	}
	src, cs := decode(page, contentType)
	base, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil || !base.IsAbs() {
		base = nil
	}
	root, err := html.Parse(b.reader(bytes.NewReader(src)))
	if err := b.check("parsing"); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", pageURL, err)
	}
	m := readMeta(goquery.NewDocumentFromNode(root), base, rules.Timezone)
	a := &Article{
		Title: m.Title, Byline: m.Byline, Lang: m.Lang,
		SiteName: m.SiteName, CanonicalURL: m.Canonical, Image: m.Image, Charset: cs,
	}
	a.setPublished(m.Published)
	if err := b.check("reading metadata"); err != nil {
		return a, err
	}
	for _, s := range strip {
		for _, n := range s.MatchAll(root) {
			detach(n)
		}
	}
	lede := findLede(findBody(root), m.Description, b)
	x := &extraction{title: m.Title, site: m.SiteName, rules: rules, budget: b}
	var content []*html.Node
	var ps []para
	if body != nil {
		if content = newDocOrder(root).outermost(body.MatchAll(root)); len(content) > 0 {
			a.Method = herald.ExtractedBySiteRule
			ps = x.fromRule(content)
		} else {
			a.RuleMissed = true
		}
	}
	if a.Method == "" {
		a.Method = herald.ExtractedByGeneric
		content, ps = x.generic(root, src, strip)
	}
	if err := b.check("finding the text"); err != nil {
		return a, err
	}
	if len(ps) == 0 {
		return a, ErrEmpty
	}
	a.Text = joinParas(ps)
	if a.Published.IsZero() {
		if t, ok := datelineDate(ps, rules.Timezone); ok {
			a.setPublished(t)
		}
	}
	fixURLs(content, base)
	rendered := render(content)
	if ledeMissing(a.Text, lede) {
		a.Text = lede + "\n\n" + a.Text
		rendered = "<p>" + html.EscapeString(lede) + "</p>" + rendered
	}
	a.HTML = sanitize(b.reader(strings.NewReader(rendered)))
	if err := b.check("sanitising"); err != nil {
		a.Text, a.HTML = "", ""
		return a, err
	}
	return a, nil
}

func compileRules(r *Rules) (cascadia.Selector, []cascadia.Selector, error) {
	var body cascadia.Selector
	if strings.TrimSpace(r.Body) != "" {
		s, err := cascadia.Compile(r.Body)
		if err != nil {
			return nil, nil, fmt.Errorf("rule body %q: %w", r.Body, err)
		}
		body = s
	}
	var strip []cascadia.Selector
	for _, v := range r.Strip {
		s, err := cascadia.Compile(v)
		if err != nil {
			return nil, nil, fmt.Errorf("rule strip %q: %w", v, err)
		}
		strip = append(strip, s)
	}
	return body, strip, nil
}

// extraction carries what the passes over one page share.
type extraction struct {
	title  string
	site   string // the site's name, from the metadata
	rules  *Rules
	budget *budget
}

func (x *extraction) fromRule(content []*html.Node) []para {
	for _, n := range content {
		prune(n, pruneMode{}, statsMemo{}, x.budget)
	}
	return x.text(content)
}

func (x *extraction) text(content []*html.Node) []para {
	if x.budget.spent() {
		return nil
	}
	ps := paragraphs(content)
	if x.budget.spent() {
		return nil
	}
	ps = dedupe(ps)
	if x.budget.spent() {
		return nil
	}
	return trimBoilerplate(ps, x.title, x.site, x.rules.StripText, x.rules.Timezone)
}

// dedupe drops paragraphs that repeat an earlier one: a slideshow's
// captions, a "Photo:" credit under every picture. Repeated <p>s are kept:
// a text may well say the same thing twice.
func dedupe(ps []para) []para {
	seen := map[string]bool{}
	out := ps[:0:0]
	sole := soleParas(ps)
	for i, p := range ps {
		if seen[p.text] && p.block.DataAtom != atom.P {
			dropPara(p, sole[i])
			continue
		}
		seen[p.text] = true
		out = append(out, p)
	}
	return out
}

// generic finds the article by scoring. The first pass also removes blocks
// by their class and id; when that leaves too little text (a site that
// names its article "comment-body"), the page is read again without it.
func (x *extraction) generic(root *html.Node, src []byte, strip []cascadia.Selector) ([]*html.Node, []para) {
	content, ps := x.pass(root, pruneMode{byWords: true})
	if textLen(ps) >= minText || x.budget.spent() {
		return content, ps
	}
	root2, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		return content, ps
	}
	for _, s := range strip {
		for _, n := range s.MatchAll(root2) {
			detach(n)
		}
	}
	content2, ps2 := x.pass(root2, pruneMode{})
	if textLen(ps2) > textLen(ps) {
		return content2, ps2
	}
	return content, ps
}

func (x *extraction) pass(root *html.Node, mode pruneMode) ([]*html.Node, []para) {
	body := findBody(root)
	// One memo serves the whole pass: pruning and cleaning remove nodes
	// through it, and nothing else changes the tree until the text is read.
	memo := statsMemo{}
	prune(body, mode, memo, x.budget)
	if x.budget.spent() {
		return nil, nil
	}
	order := newDocOrder(body)
	scores := candidates(body, memo, x.budget)
	content := []*html.Node{body}
	if best := bestNode(scores, order); best != nil {
		content = parts(best, scores, order)
		if content == nil {
			content = withSiblings(topCandidate(body, scores, order), scores[best], scores)
		}
	}
	for _, n := range content {
		cleanConditionally(n, memo, x.budget)
	}
	return content, x.text(content)
}

func findBody(root *html.Node) *html.Node {
	body := root
	walkElements(root, func(n *html.Node) bool {
		if n.DataAtom == atom.Body {
			body = n
			return false
		}
		return true
	})
	return body
}

func textLen(ps []para) int {
	n := 0
	for _, p := range ps {
		n += runeLen(p.text)
	}
	return n
}

// Fragment turns a feed's own HTML content into plain text and sanitised
// HTML, by the same text rules and sanitiser as Page but without looking for
// an article in it: a feed's content is the article, or all there is of it.
func Fragment(fragment, baseURL string) (text, safeHTML string) {
	if plainText(fragment) {
		// Most feeds' teasers are plain text: parsing and sanitising
		// them was a tenth of a cold poll round's CPU, to the same result.
		return collapse(fragment), html.EscapeString(strings.Trim(fragment, " \t\n"))
	}
	return parseFragment(fragment, baseURL)
}

// parseFragment is Fragment the long way: parsed, pruned and sanitised.
func parseFragment(fragment, baseURL string) (text, safeHTML string) {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), ctx)
	if err != nil {
		return "", ""
	}
	for _, n := range nodes {
		ctx.AppendChild(n)
	}
	prune(ctx, pruneMode{}, statsMemo{}, nil)
	base, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || !base.IsAbs() {
		base = nil
	}
	content := []*html.Node{ctx}
	fixURLs(content, base)
	return joinParas(paragraphs(content)), sanitize(strings.NewReader(render(content)))
}

// plainText reports whether s has no markup and nothing an HTML parser
// would change: no tags, references, carriage returns or other controls.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '<' || r == '&' || r == '>':
			return false
		case r < ' ' && r != '\n' && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0:
			return false
		case r > 0x7f && (isSpace(r) || unicode.Is(unicode.Cf, r)):
			return false
		}
	}
	return true
}

// setPublished sets a's publication date to t; a date whose zone the page
// does not give is kept as its wall clock in UTC and said to be so.
func (a *Article) setPublished(t time.Time) {
	a.Published = t
	if t.Location() == noZone {
		a.Published = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		a.ZoneUnknown = true
	}
}

// datelineDate is the date a text's first paragraph (after at most two
// headings) opens with, set off as a dateline (datelineMark), as press
// releases and agency copy date themselves ("01.02.2022 – Der
// Arbeitsmarkt …"): the page's date when its markup gives none. The
// metadata reads such a line too, but only a short one.
func datelineDate(ps []para, tz *time.Location) (time.Time, bool) {
	i := 0
	for i < len(ps) && i < 2 && ps[i].heading {
		i++
	}
	if i == len(ps) {
		return time.Time{}, false
	}
	head := ps[i].text
	if len(head) > maxDateline {
		head = strings.ToValidUTF8(head[:maxDateline], "")
	}
	m, ok := findDate(head, tz)
	return m.t, ok && m.start == 0 && datelineMark(head[m.end:]) && notFuture(m.t)
}

// maxDateline is how much of a first paragraph (bytes) is read for its date.
const maxDateline = 64
