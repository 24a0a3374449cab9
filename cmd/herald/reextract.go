package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"herald"
	"herald/archive"
	"herald/config"
	"herald/extract"
	"herald/poll"
)

func reextractCommand(e *env) *cobra.Command {
	var feedName, host string
	c := &cobra.Command{
		Use:   "reextract [--feed NAME] [--site HOST]",
		Short: "run extraction again on the stored pages",
		Long: `Reextract runs article extraction again over the pages kept in the archive, with
the config's current site rules and without the network: after a site rule was
added or changed. A page whose extraction fails keeps the text it had.`,
		Example: `  herald reextract --site koreaherald.com
  herald reextract --feed heise`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return cmdReextract(c.Context(), e, feedName, host) },
	}
	c.Flags().StringVar(&feedName, "feed", "", "only articles from the feed of this `NAME`")
	c.Flags().StringVar(&host, "site", "", "only pages on this `HOST` (and its subdomains)")
	c.RegisterFlagCompletionFunc("feed", completeFeeds(e))
	return c
}

// cmdReextract runs extraction again over the pages kept in the archive,
// after the site rules changed, without the network.
func cmdReextract(ctx context.Context, e *env, feedName, host string) (err error) {
	cfg, db, err := openConfigArchive(e)
	if err != nil {
		return err
	}
	defer closeArchive(e, db, &err)
	if feedName != "" {
		if err := knownFeed(cfg, db, feedName); err != nil {
			return err
		}
	}

	// Collect first: a write transaction must not wait on our own open read one.
	var ids []string
	err = db.EachPage(ctx, func(id string, p *archive.Page) error {
		if host == "" || onHost(p.URL, host) {
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
		ok, err := reextractOne(ctx, db, id, feedName, func(u string) (*extract.Rules, string) { return rulesFor(cfg, u) })
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

// knownFeed checks that --feed names a feed of the config, or one the
// archive still knows after it left the config, as fetch's --feed does.
func knownFeed(cfg *config.Config, db *archive.DB, name string) error {
	if _, ok := cfg.Feed(name); ok {
		return nil
	}
	states, err := db.FeedStates()
	if err != nil {
		return err
	}
	if slices.ContainsFunc(states, func(s herald.FeedState) bool { return s.Name == name }) {
		return nil
	}
	return usagef("no feed named %q in the config", name)
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
	got, err := extract.Page(ctx, p.Body, p.URL, p.ContentType, r)
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
