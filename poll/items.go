package poll

import (
	"context"
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

// items turns a parsed document into archive items, as the archive's
// Plan says: entries it has unchanged are left out, and only new entries
// of a full-text feed get their page fetched.
func (p *Poller) items(ctx context.Context, f Feed, state herald.FeedState, doc *herald.Document, seen time.Time) ([]archive.Item, PageStats, error) {
	var stats PageStats
	plans, err := p.Store.Plan(f.Name, f.FullText, doc.Entries)
	if err != nil {
		return nil, stats, fmt.Errorf("archive %s: %w", f.Name, err)
	}
	items := make([]archive.Item, 0, len(doc.Entries))
	var fresh []int // items whose page is fetched, and their entries
	var freshEntries []herald.Entry
	for i, e := range doc.Entries {
		if plans[i].Action == archive.Skip {
			continue
		}
		items = append(items, archive.Item{Article: fromEntry(f, state, doc, e, seen), EntryHash: plans[i].EntryHash})
		if plans[i].Action == archive.FetchPage {
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

// fromEntry builds an article from the feed's own fields, but for its text
// (see feedText).
func fromEntry(f Feed, state herald.FeedState, doc *herald.Document, e herald.Entry, seen time.Time) herald.Article {
	key := e.Key
	if key == e.GUID {
		key = ""
	}
	return herald.Article{
		URL:       e.Link, // the archive canonicalises it
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
// sanitised. The archive hashes it.
func feedText(a *herald.Article, e herald.Entry) {
	body := e.Content
	if body == "" {
		body = e.Summary
	}
	text, html := extract.Fragment(body, e.Link)
	if text == "" {
		text = e.Summary
	}
	a.Text, a.HTML = text, html
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
	start := time.Now()
	resp, err := p.Get.Get(ctx, f.withAuth(fetch.Request{
		URL: link, UserAgent: f.UserAgent, Timeout: f.Timeout, MaxBody: f.MaxBody,
		Accept:      fetch.PageAccept,
		DenyPrivate: !allowPrivate,
	}))
	p.observePage(link, resp, err, time.Since(start))
	if err != nil {
		return "", err
	}
	if !isHTML(resp.ContentType, resp.Body) {
		return "", fmt.Errorf("page is not HTML (%s)", resp.ContentType)
	}
	// Whatever happens from here, the article's text was found one way:
	// by the page (site-rule, generic) or, when that failed, the feed.
	defer func() { p.observeExtraction(resp.URL, a.ExtractedBy, missed != "") }()
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
	if got.CanonicalURL != "" && sameSite(got.CanonicalURL, link) {
		it.Canonical = got.CanonicalURL
	}
	return missed, nil
}

// Merge puts an extracted page into an article built from a feed entry. The
// feed's fields fill gaps and win where the page says nothing better: its
// title (without the page's " - Site" tail) and its dated, zoned time. The
// page's canonical URL is not the article's URL: the archive decides what
// it identifies (archive.Item.Canonical).
func Merge(a *herald.Article, got *extract.Article) {
	a.Text, a.HTML = got.Text, got.HTML
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

// PageObserver hears of every article page fetch and of how each fetched
// page's article text was found: the daemon's metrics.
type PageObserver interface {
	// ObservePage records one page fetch: the kind of error when it failed
	// (a FeedState.ErrorKind), how long it took and the bytes read.
	ObservePage(site, errKind string, dur time.Duration, bytes int)
	// ObserveExtraction records how a page's article text was found: a
	// herald.ExtractedBy* value, or "rule-missed" when a site rule's body
	// selector matched nothing.
	ObserveExtraction(site, method string)
}

func (p *Poller) observePage(link string, resp *fetch.Response, err error, dur time.Duration) {
	if p.Observe == nil {
		return
	}
	kind, n := "", 0
	if err != nil {
		kind, _ = classify(err)
	} else {
		n = len(resp.Body)
	}
	p.Observe.ObservePage(siteOf(link), kind, dur, n)
}

func (p *Poller) observeExtraction(pageURL, method string, missed bool) {
	if p.Observe == nil {
		return
	}
	site := siteOf(pageURL)
	if missed {
		p.Observe.ObserveExtraction(site, "rule-missed")
	}
	p.Observe.ObserveExtraction(site, method)
}
