package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"herald/poll"
)

func fetchCommand(e *env) *cobra.Command {
	var names []string
	var strict bool
	c := &cobra.Command{
		Use:   "fetch [--feed NAME]...",
		Short: "one poll round of all feeds (or those named), then exit",
		Long: `Fetch polls every feed of the config once (or only those named with --feed), with
full-text extraction as configured, archives what is new and exits. On a terminal
a progress line counts the feeds; then each failed feed gets a line with the
reason, and a last line gives the totals.

The exit status is 1 when feeds were polled and none succeeded (every one
failed: the network is down, or the config is wrong), so that cron notices;
with --strict, when any feed failed. A feed that answered "not modified"
succeeded.`,
		Example: `  herald fetch
  herald fetch --feed heise --feed lwn
  herald fetch --strict || echo "some feed failed"`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return cmdFetch(c.Context(), e, names, strict) },
	}
	c.Flags().StringArrayVar(&names, "feed", nil, "poll only the feed of this `NAME` (repeatable)")
	c.Flags().BoolVar(&strict, "strict", false, "exit 1 when any feed failed, not only when all did")
	c.RegisterFlagCompletionFunc("feed", completeFeeds(e))
	return c
}

// cmdFetch runs one poll round over all feeds, or those named.
func cmdFetch(ctx context.Context, e *env, names []string, strict bool) (err error) {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	feeds := pollFeeds(cfg)
	if len(names) > 0 {
		feeds, err = pick(feeds, names)
		if err != nil {
			return err
		}
	}
	db, err := openArchive(e, cfg)
	if err != nil {
		return err
	}
	defer closeArchive(e, db, &err)
	client := newClient(cfg)
	defer client.CloseIdleConnections()
	p := newPoller(cfg, client, db)

	start := time.Now()
	prog := newProgress(e.stderr, len(feeds))
	outs := p.Round(ctx, feeds, func(site string) int { return siteLimit(cfg, site).Concurrency }, prog.done)
	prog.finish()
	printRound(e.stdout, outs, time.Since(start))
	if ctx.Err() != nil {
		return errors.New("interrupted; what the round fetched before is archived")
	}
	return roundStatus(outs, strict)
}

// roundStatus is fetch's exit status: a failure when feeds were polled and
// none succeeded, or, when strict, when any failed. Skipped feeds (gone,
// refused by the config) count neither way.
func roundStatus(outs []poll.Outcome, strict bool) error {
	var succeeded, failed int
	for _, o := range outs {
		switch {
		case o.Skipped != "":
		case o.Err != nil:
			failed++
		default:
			succeeded++
		}
	}
	switch {
	case failed > 0 && succeeded == 0:
		return fmt.Errorf("no feed succeeded: %d failed", failed)
	case failed > 0 && strict:
		return fmt.Errorf("%d of %d feeds failed (--strict)", failed, failed+succeeded)
	}
	return nil
}

func pick(feeds []poll.Feed, names []string) ([]poll.Feed, error) {
	var out []poll.Feed
	for _, n := range names {
		i := slices.IndexFunc(feeds, func(f poll.Feed) bool { return f.Name == n })
		if i < 0 {
			return nil, usagef("no feed named %q in the config", n)
		}
		out = append(out, feeds[i])
	}
	return out, nil
}

// printRound writes one line per failed feed, stale site rules, then totals.
func printRound(w io.Writer, outs []poll.Outcome, took time.Duration) {
	var ok, notModified, failed, interrupted, skipped, added, updated, dup, pages, pagesFailed int
	missed := map[string]int{}
	for _, o := range outs {
		switch {
		case o.Skipped != "":
			skipped++
			fmt.Fprintf(w, "skipped %s (%s): %s\n", o.Feed.Name, o.Feed.URL, o.Skipped)
		case errors.Is(o.Err, context.Canceled):
			interrupted++ // by the user, not the feed's failure: no line each
		case o.Err != nil:
			failed++
			reason := o.State.LastError
			if reason == "" {
				reason = o.Err.Error()
			}
			fmt.Fprintf(w, "failed  %s (%s): %s\n", o.Feed.Name, o.Feed.URL, reason)
		case o.NotModified:
			notModified++
		default:
			ok++
		}
		if o.Moved {
			fmt.Fprintf(w, "moved   %s (%s): permanently redirected on several polls in a row; now polling %s (update the config)\n", o.Feed.Name, o.Feed.URL, o.State.URL)
		}
		added += o.Result.New
		updated += o.Result.Updated
		dup += o.Result.Duplicate
		pages += o.Pages.Fetched
		pagesFailed += o.Pages.Failed
		for site, n := range o.Pages.RuleMissed {
			missed[site] += n
		}
	}
	sites := make([]string, 0, len(missed))
	for s := range missed {
		sites = append(sites, s)
	}
	sort.Strings(sites)
	for _, s := range sites {
		fmt.Fprintf(w, "site rule %s: body selector matched nothing on %d pages (generic extraction used; the rule may be stale)\n", s, missed[s])
	}
	fmt.Fprintf(w, "feeds: %d ok, %d not modified, %d failed", ok, notModified, failed)
	if skipped > 0 {
		fmt.Fprintf(w, ", %d skipped", skipped)
	}
	if interrupted > 0 {
		fmt.Fprintf(w, ", %d interrupted", interrupted)
	}
	fmt.Fprintf(w, "; articles: %d new, %d updated, %d duplicate", added, updated, dup)
	if pages > 0 {
		fmt.Fprintf(w, "; pages: %d fetched, %d kept the feed's text", pages, pagesFailed)
	}
	fmt.Fprintf(w, " (%s)\n", took.Round(time.Millisecond))
}

// progress draws a one-line counter on a terminal, and nothing elsewhere.
type progress struct {
	w     io.Writer
	on    bool
	total int
	n     int
	last  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, on: isTerminal(w), total: total}
}

func (p *progress) done(o poll.Outcome) {
	p.n++
	if !p.on || (time.Since(p.last) < 100*time.Millisecond && p.n < p.total) {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r%d/%d feeds  %-40s", p.n, p.total, clip(o.Feed.Name, 40))
}

func (p *progress) finish() {
	if p.on {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 60))
	}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
