package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"herald"
	"herald/archive"
	"herald/extract"
	"herald/poll"
)

// cmdReextract runs extraction again over the pages kept in the archive,
// after the site rules changed, without the network.
func cmdReextract(ctx context.Context, e *env, args []string) (err error) {
	fs := newFlags("reextract", e)
	feedName := fs.String("feed", "", "only articles from this feed")
	host := fs.String("site", "", "only pages on this host (and its subdomains)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, db, err := openConfigArchive(e)
	if err != nil {
		return err
	}
	defer closeArchive(db, &err)

	// Collect first: a write transaction must not wait on our own open read one.
	var ids []string
	err = db.EachPage(ctx, func(id string, p *archive.Page) error {
		if *host == "" || onHost(p.URL, *host) {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var done, changed, failed int
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		ok, err := reextractOne(ctx, db, id, *feedName, func(u string) (*extract.Rules, string) { return rulesFor(cfg, u) })
		switch {
		case errors.Is(err, errSkip):
			continue
		case err != nil:
			failed++
			fmt.Fprintf(e.stderr, "%s: %v\n", id, err)
		case ok:
			changed++
		}
		done++
	}
	fmt.Fprintf(e.stdout, "re-extracted %d pages: %d changed, %d failed (kept as they were)\n", done, changed, failed)
	return nil
}

var errSkip = errors.New("not selected")

func reextractOne(ctx context.Context, db *archive.DB, id, feedName string, rules func(string) (*extract.Rules, string)) (bool, error) {
	a, err := db.Article(id)
	if err != nil {
		return false, err
	}
	if feedName != "" && !slices.ContainsFunc(a.Sources, func(s herald.Source) bool { return s.Feed == feedName }) {
		return false, errSkip
	}
	p, err := db.Page(id)
	if err != nil {
		return false, err
	}
	r, _ := rules(p.URL)
	got, err := extract.Page(p.Body, p.URL, p.ContentType, r)
	if err != nil {
		return false, fmt.Errorf("extract %s: %w", p.URL, err)
	}
	before := a.ContentHash
	err = db.Update(ctx, id, func(a *herald.Article) error {
		poll.Merge(a, got)
		a.ExtractError = ""
		return nil
	})
	return err == nil && before != herald.ContentHash(got.Text), err
}

// onHost reports whether raw's host is host or one of its subdomains.
func onHost(raw, host string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h, want := strings.ToLower(u.Hostname()), strings.ToLower(host)
	return h == want || strings.HasSuffix(h, "."+want)
}
