package poll

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"sync"
	"time"

	"herald"
	"herald/archive"
	"herald/extract"
	"herald/fetch"
)

// items turns a parsed document into archive items. Entries the archive
// already has are passed on too (so changed feed content is noticed, and an
// article found under another feed gains this one as a source), unless
// their content is as it was when archived; only new entries of a
// full-text feed get their page fetched.
func (p *Poller) items(ctx context.Context, f Feed, state herald.FeedState, doc *herald.Document, seen time.Time) ([]archive.Item, PageStats, error) {
	var stats PageStats
	refs := make([]archive.EntryRef, len(doc.Entries))
	hashes := make([]string, len(doc.Entries))
	for i, e := range doc.Entries {
		hashes[i] = entryHash(e)
		refs[i] = archive.EntryRef{Key: e.Key, URL: e.Link, Hash: hashes[i]}
	}
	known, err := p.Store.Known(f.Name, refs)
	if err != nil {
		return nil, stats, fmt.Errorf("archive %s: %w", f.Name, err)
	}
	items := make([]archive.Item, 0, len(doc.Entries))
	var fresh []int // items whose page is fetched, and their entries
	var freshEntries []herald.Entry
	for i, e := range doc.Entries {
		if known[i] == archive.SeenUnchanged || (known[i] == archive.SeenInFeed && f.FullText) {
			// Unchanged, it would change nothing. And for a full-text
			// feed, the stored article has the page's text; the feed's
			// teaser would look like a change. Re-extraction is `herald
			// reextract`.
			continue
		}
		items = append(items, archive.Item{Article: fromEntry(f, state, doc, e, seen), EntryHash: hashes[i]})
		if known[i] == archive.Unseen && f.FullText && e.Link != "" {
			// The page's text will replace the feed's: sanitising the
			// feed's content waits until the page has failed.
			fresh = append(fresh, len(items)-1)
			freshEntries = append(freshEntries, e)
			continue
		}
		feedText(&items[len(items)-1].Article, e)
	}
	if len(fresh) == 0 {
		return items, stats, nil
	}
	stats = p.fullText(ctx, f, items, fresh)
	for k, i := range fresh {
		if a := &items[i].Article; a.ExtractError != "" {
			feedText(a, freshEntries[k])
		}
	}
	return items, stats, nil
}

// entryHash digests what the archived text of an entry is made from, so
// that an entry given again unchanged is skipped before its content is
// sanitised. A change elsewhere (a title, a date) does not update an
// archived article either (see archive.DB.Ingest), so it need not count.
func entryHash(e herald.Entry) string {
	h := sha256.New()
	for _, s := range []string{e.Content, e.Summary, e.Link} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// fromEntry builds an article from the feed's own fields, but for its text
// (see feedText).
func fromEntry(f Feed, state herald.FeedState, doc *herald.Document, e herald.Entry, seen time.Time) herald.Article {
	key := e.Key
	if key == e.GUID {
		key = ""
	}
	return herald.Article{
		URL:       herald.CanonicalURL(e.Link),
		Title:     e.Title,
		Byline:    e.Byline,
		Published: e.Published,
		Updated:   e.Updated,
		Fetched:   seen,
		Lang:      doc.Language,
		SiteName:  doc.Title,
		Summary:   e.Summary,
		Image:     e.Image,
		Tags:      append([]string(nil), f.Tags...),
		Sources: []herald.Source{{
			Feed: f.Name, FeedURL: state.URL, GUID: e.GUID, Key: key, Link: e.Link, Seen: seen,
		}},
		ExtractedBy: herald.ExtractedByFeed,
	}
}

// feedText gives a the feed's own text: its content, else its summary,
// sanitised.
func feedText(a *herald.Article, e herald.Entry) {
	body := e.Content
	if body == "" {
		body = e.Summary
	}
	text, html := extract.Fragment(body, e.Link)
	if text == "" {
		text = e.Summary
	}
	a.Text, a.HTML, a.ContentHash = text, html, herald.ContentHash(text)
}

// fullText fetches and extracts the pages of items[fresh], a few at a time.
func (p *Poller) fullText(ctx context.Context, f Feed, items []archive.Item, fresh []int) PageStats {
	stats := PageStats{RuleMissed: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	allowPrivate := f.reachesPrivate()
	// A few workers take the pages in turn, rather than a goroutine per
	// page: extraction runs deep (HTML parsing, tree walks), and each new
	// goroutine grew its stack anew, 6% of a full-text round's CPU.
	inTurn(&wg, fresh, p.PageConcurrency, func(i int) {
		it := &items[i]
		missed, err := p.page(ctx, f, it, allowPrivate)
		mu.Lock()
		defer mu.Unlock()
		stats.Fetched++
		if missed != "" {
			stats.RuleMissed[missed]++
		}
		if err != nil {
			stats.Failed++
			it.Article.ExtractError = oneLine(err.Error(), 200)
			stats.Reasons = append(stats.Reasons, it.Article.Sources[0].Link+": "+it.Article.ExtractError)
		}
	})
	wg.Wait()
	return stats
}

// page fetches one article page and, when extraction gives something
// better than the feed, puts it into the item. It returns the site rule
// whose body selector missed, if any.
func (p *Poller) page(ctx context.Context, f Feed, it *archive.Item, allowPrivate bool) (missed string, err error) {
	a := &it.Article
	link := a.Sources[0].Link
	resp, err := p.Get.Get(ctx, f.withAuth(fetch.Request{
		URL: link, UserAgent: f.UserAgent, Timeout: f.Timeout, MaxBody: f.MaxBody,
		Accept:      fetch.PageAccept,
		DenyPrivate: !allowPrivate,
	}))
	if err != nil {
		return "", err
	}
	if !isHTML(resp.ContentType, resp.Body) {
		return "", fmt.Errorf("page is not HTML (%s)", resp.ContentType)
	}
	it.Page = &archive.Page{URL: resp.URL, ContentType: resp.ContentType, Fetched: p.now(), Body: resp.Body}
	var rules *extract.Rules
	var site string
	if p.Rules != nil {
		if u, perr := url.Parse(resp.URL); perr == nil {
			rules, site = p.Rules(u.Host)
		}
	}
	got, err := extract.Page(ctx, resp.Body, resp.URL, resp.ContentType, rules)
	if got != nil && got.RuleMissed {
		missed = site
	}
	if err != nil {
		return missed, fmt.Errorf("extract: %w", err)
	}
	if len(herald.NormalizeText(got.Text)) < len(herald.NormalizeText(a.Summary)) {
		return missed, fmt.Errorf("extracted text is shorter than the feed's summary")
	}
	Merge(a, got)
	return missed, nil
}

// Merge puts an extracted page into an article built from a feed entry. The
// feed's fields fill gaps and win where the page says nothing better: its
// title (without the page's " - Site" tail) and its dated, zoned time.
func Merge(a *herald.Article, got *extract.Article) {
	a.Text, a.HTML = got.Text, got.HTML
	a.ContentHash = herald.ContentHash(got.Text)
	a.ExtractedBy = got.Method
	if a.Title == "" {
		a.Title = got.Title
	}
	if got.Byline != "" {
		a.Byline = got.Byline
	}
	if a.Published.IsZero() {
		a.Published = got.Published
	}
	if got.Lang != "" {
		a.Lang = got.Lang
	}
	if got.SiteName != "" {
		a.SiteName = got.SiteName
	}
	if a.Image == "" {
		a.Image = got.Image
	}
	if got.CanonicalURL != "" && sameSite(got.CanonicalURL, a.URL) {
		a.URL = herald.CanonicalURL(got.CanonicalURL)
	}
}

// sameSite guards against a page that claims another site's URL as its
// canonical one: only a canonical URL on the same site is believed.
func sameSite(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return fetch.Site(ua.Host) == fetch.Site(ub.Host)
}

func isHTML(contentType string, body []byte) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/html", "application/xhtml+xml":
		return true
	case "", "text/plain", "application/octet-stream":
		head := strings.ToLower(string(body[:min(len(body), 512)]))
		return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") || strings.Contains(head, "<body") || strings.Contains(head, "<p")
	}
	return false
}
