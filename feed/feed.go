// Package feed parses the bytes of an RSS, Atom or JSON feed, as real servers
// send them, into a herald.Document. It wraps gofeed and adds what gofeed
// lacks: charset detection, repair of broken and truncated documents, polling
// hints, and normalised entries (absolute links, zoned dates, stable GUIDs).
package feed

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"

	"herald"
)

// NotFeedError says that the body is an HTML page, not a feed.
type NotFeedError struct {
	// Alternates are the absolute URLs of the feeds the page links to with
	// <link rel="alternate">, in page order.
	Alternates []string
}

func (e *NotFeedError) Error() string {
	if len(e.Alternates) == 0 {
		return "not a feed but an HTML page"
	}
	return "not a feed but an HTML page; it links to feed " + strings.Join(e.Alternates, ", ")
}

// SyntaxError says that the document is not well-formed XML and that no
// entry could be recovered from it.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("XML syntax error at line %d: %v", e.Line, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse reads a feed document fetched now. contentType is the HTTP
// Content-Type, which may be empty or wrong; feedURL is the address the
// document came from, against which relative links are resolved.
func Parse(body []byte, contentType, feedURL string) (*herald.Document, error) {
	return ParseAt(body, contentType, feedURL, time.Now())
}

// ParseAt is Parse for a document fetched at the given time: entry dates
// more than two years after it are treated as absent.
func ParseAt(body []byte, contentType, feedURL string, now time.Time) (*herald.Document, error) {
	var warnings []string
	if bytes.HasPrefix(body, gzipMagic) {
		b, warning, err := gunzip(body, maxGunzip)
		if err != nil {
			return nil, err
		}
		body = b
		if warning != "" {
			warnings = append(warnings, warning)
		}
	}
	base, err := url.Parse(strings.TrimSpace(feedURL))
	if err != nil || !base.IsAbs() {
		base = nil
	}

	var (
		f     *gofeed.Feed
		hints herald.Hints
		more  []string
	)
	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(body, bomUTF8))) == 0:
		return nil, errors.New("empty document")
	case firstByte(body) == '{':
		f, more, err = parseJSON(body)
	default:
		f, hints, more, err = parseXML(body, contentType, base)
	}
	warnings = append(warnings, more...)
	if err != nil {
		return nil, err
	}
	if n := len(f.Items); n > MaxEntries {
		// A JSON Feed, or an XML one capItems could not cut cleanly.
		f.Items = f.Items[:MaxEntries]
		warnings = append(warnings, keptWarning(MaxEntries, n))
	}
	doc := document(f, base, now)
	doc.Hints.TTL = hints.TTL
	doc.Hints.SkipHours = hints.SkipHours
	doc.Hints.SkipDays = hints.SkipDays
	doc.Warnings = warnings
	return doc, nil
}

// parseXML decodes an XML document to UTF-8, finds its root, repairs what
// is cheap to repair and parses it; when the parse fails, it recovers the
// entries before the break.
func parseXML(body []byte, contentType string, base *url.URL) (*gofeed.Feed, herald.Hints, []string, error) {
	text, _, warnings := decodeXML(body, contentType)
	start, root, err := findRoot(text)
	if err != nil {
		return nil, herald.Hints{}, warnings, fmt.Errorf("not a feed: %w", err)
	}
	if isHTMLRoot(root) {
		var ref string
		if base != nil {
			ref = base.String()
		}
		return nil, herald.Hints{}, warnings, &NotFeedError{Alternates: alternates(text, ref)}
	}
	// Dropping everything before the root drops the declaration (whose
	// encoding= no longer holds, and whose version may be 1.1) and any
	// DOCTYPE with its entity definitions, which are never expanded.
	text = sanitizeXML(text[start:])
	switch root {
	case "rss", "rdf", "feed":
	case "entry":
		text = wrapEntry(text)
		root = "feed"
		warnings = append(warnings, "an Atom entry document, read as a one-entry feed")
	case "channel":
		return nil, herald.Hints{}, warnings, errors.New("unsupported feed format: RSS 1.1 or CDF (root <channel>)")
	default:
		return nil, herald.Hints{}, warnings, fmt.Errorf("not a feed: the root element is <%s>", root)
	}

	if capped, total := capItems(text, MaxEntries); total > MaxEntries {
		text = capped
		warnings = append(warnings, keptWarning(MaxEntries, total))
	}
	f, hints, err := parseRoot(text, root)
	if err == nil {
		return f, hints, warnings, nil
	}
	f, hints, warning, rerr := recoverEntries(text, root, err)
	if rerr != nil {
		return nil, herald.Hints{}, warnings, rerr
	}
	return f, hints, append(warnings, warning), nil
}

// wrapEntry makes an Atom entry document a feed of one entry.
func wrapEntry(text []byte) []byte {
	out := make([]byte, 0, len(text)+64)
	out = append(out, `<feed xmlns="http://www.w3.org/2005/Atom">`...)
	out = append(out, text...)
	return append(out, "</feed>"...)
}

// parseRoot parses UTF-8 XML whose root is rss/rdf or feed with gofeed's
// format parser, keeping the RSS channel's polling hints that gofeed's
// universal model drops.
func parseRoot(text []byte, root string) (*gofeed.Feed, herald.Hints, error) {
	if root == "feed" {
		af, err := (&atom.Parser{}).Parse(bytes.NewReader(text))
		if err != nil {
			return nil, herald.Hints{}, err
		}
		f, err := (&gofeed.DefaultAtomTranslator{}).Translate(af)
		return f, herald.Hints{}, err
	}
	rf, err := (&rss.Parser{}).Parse(bytes.NewReader(text))
	if err != nil {
		return nil, herald.Hints{}, err
	}
	// The HTML scan for a first <img> costs a full HTML parse per item;
	// the article extractor finds lead images better.
	f, err := (&gofeed.DefaultRSSTranslator{DisableContentImageScan: true}).Translate(rf)
	return f, rssHints(rf), err
}

// recoverEntries reads what it can of a document gofeed rejected: it
// repairs stray markup characters and retries, then keeps the entries before
// the point where the document stops being well-formed (a truncated
// download, a corrupt tail). perr is the parse error; it is returned, as a
// SyntaxError when it is one, when nothing can be recovered.
func recoverEntries(text []byte, root string, perr error) (*gofeed.Feed, herald.Hints, string, error) {
	if fixed, n := repairMarkup(text); n > 0 {
		if f, hints, err := parseRoot(fixed, root); err == nil {
			return f, hints, fmt.Sprintf("repaired %d stray markup characters", n), nil
		}
		text = fixed
	}
	offset, se, broken := breakPoint(text)
	if !broken {
		return nil, herald.Hints{}, "", fmt.Errorf("parse %s: %w", root, perr)
	}
	fail := &SyntaxError{Line: se.Line, Err: errors.New(se.Msg)}
	// Whole items first; when none is whole, what was complete of the
	// first one.
	for _, cut := range []func([]byte, int) ([]byte, bool){cutAfterLastItem, cutAfterLastElement} {
		doc, ok := cut(text, offset)
		if !ok {
			continue
		}
		f, hints, err := parseRoot(doc, root)
		if err != nil || len(f.Items) == 0 && hasItems(text) {
			continue
		}
		what := "truncated document"
		if !strings.Contains(se.Msg, "unexpected EOF") {
			what = fmt.Sprintf("malformed document (line %d: %s)", se.Line, se.Msg)
		}
		return f, hints, fmt.Sprintf("%s: kept %d entries", what, len(f.Items)), nil
	}
	return nil, herald.Hints{}, "", fail
}
