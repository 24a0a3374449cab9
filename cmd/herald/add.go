package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"herald"
	"herald/config"
	"herald/feed"
	"herald/fetch"
)

func addCommand(e *env) *cobra.Command {
	var name string
	var tags []string
	c := &cobra.Command{
		Use:   "add URL",
		Short: "find a site's feed (or take a feed URL), check it, add it to feeds.yaml",
		Long: `Add fetches URL once. A feed is checked by reading it; a web page is searched for
the feeds it links to (<link rel="alternate">), and the first is fetched and
checked. The feed is then appended to the config's feeds: list, keeping the
file's comments and layout, with a unique name: --name, or the feed's host.
A URL without a scheme is taken as https. A feed already listed is not added
again.`,
		Example: `  herald add https://lwn.net/
  herald add https://www.heise.de/rss/heise-atom.xml --name heise --tag tech
  herald add example.org/blog`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return cmdAdd(c.Context(), e, args[0], config.NewFeed{Name: name, Tags: tags})
		},
	}
	c.Flags().StringVar(&name, "name", "", "the feed's name in feeds.yaml (default: its host, made unique)")
	c.Flags().StringArrayVar(&tags, "tag", nil, "a tag for the feed's articles (repeatable)")
	return c
}

// cmdAdd discovers and checks the feed at raw and appends it as nf.
func cmdAdd(ctx context.Context, e *env, raw string, nf config.NewFeed) error {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	if err := config.CheckFeedURL(raw); err != nil {
		return usagef("add: %q: %v", herald.StoredURL(raw), err)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	client := newClient(cfg)
	defer client.CloseIdleConnections()
	feedURL, doc, err := discover(ctx, client, raw, e)
	if err != nil {
		return err
	}
	nf.URL = feedURL
	added, err := config.AppendFeeds(e.configPath, []config.NewFeed{nf})
	if err != nil {
		return err
	}
	if len(added) == 0 {
		return fmt.Errorf("%s is already in %s; nothing added", herald.StoredURL(feedURL), e.configPath)
	}
	title := doc.Title
	if title == "" {
		title = "untitled"
	}
	// The config keeps credentials given in the URL; what is shown does not.
	fmt.Fprintf(e.stdout, "added %s (%s): %q, %d entries, to %s\n", added[0].Name, herald.StoredURL(feedURL), title, len(doc.Entries), e.configPath)
	return nil
}

// discover fetches raw; a feed is returned as it is, a web page gives the
// first feed it links to, which is fetched and read in turn.
func discover(ctx context.Context, client *fetch.Client, raw string, e *env) (string, *herald.Document, error) {
	u, doc, err := readFeed(ctx, client, raw)
	var nf *feed.NotFeedError
	if !errors.As(err, &nf) {
		return u, doc, err
	}
	if len(nf.Alternates) == 0 {
		return "", nil, fmt.Errorf("%s is a web page that links to no feed (no <link rel=\"alternate\">); give the feed's URL", herald.StoredURL(raw))
	}
	if len(nf.Alternates) > 1 {
		fmt.Fprintf(e.stderr, "%s links to %d feeds; adding the first (the others: %s)\n", herald.StoredURL(raw), len(nf.Alternates), strings.Join(nf.Alternates[1:], ", "))
	}
	u, doc, err = readFeed(ctx, client, nf.Alternates[0])
	if errors.As(err, &nf) {
		return "", nil, fmt.Errorf("%s links to %s as its feed, but that is a web page too", herald.StoredURL(raw), nf.Alternates[0])
	}
	return u, doc, err
}

// readFeed fetches and parses one URL as poll would (a private address only
// when the URL names one), and returns the URL to keep: the new one after
// permanent redirects.
func readFeed(ctx context.Context, client *fetch.Client, raw string) (string, *herald.Document, error) {
	resp, err := client.Get(ctx, fetch.Request{URL: raw, DenyPrivate: !fetch.PrivateHost(raw)})
	if err != nil {
		return "", nil, err
	}
	keep := raw
	if resp.PermanentRedirect != "" {
		keep = resp.PermanentRedirect
	}
	doc, err := feed.Parse(resp.Body, resp.ContentType, resp.URL)
	var nf *feed.NotFeedError
	if err != nil && !errors.As(err, &nf) {
		return "", nil, fmt.Errorf("%s is not a feed Herald can read: %w", herald.StoredURL(raw), err)
	}
	return keep, doc, err
}
