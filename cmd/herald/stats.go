package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"herald"
	"herald/archive"
	"herald/config"
)

func statsCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "counts, last poll and last error per feed",
		Long: `Stats prints a line per feed (its articles, last poll and the outcome, with the
reason of a failure on the same line), feeds the archive knows that the config
no longer lists, then the totals and the archive's size.`,
		Example: `  herald stats
  herald --db /var/lib/herald/herald.db stats`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return cmdStats(e) },
	}
}

// cmdStats prints per feed its articles, last poll and outcome (with the
// reason of a failure on the same line), then totals and the archive's size.
func cmdStats(e *env) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	var got localStats
	var answer bytes.Buffer
	err = withArchive(context.Background(), e, cfg, "/stats", &answer, func(db *archive.DB) (err error) {
		if got.Stats, err = db.Stats(); err == nil {
			got.Feeds, err = db.FeedStates()
		}
		return err
	})
	if err == nil && answer.Len() > 0 {
		err = json.Unmarshal(answer.Bytes(), &got)
	}
	if err != nil {
		return err
	}
	writeStats(e.stdout, cfg, got.Stats, got.Feeds, archivePath(e, cfg))
	return nil
}

func writeStats(w io.Writer, cfg *config.Config, st archive.Stats, states []herald.FeedState, path string) {
	byName := map[string]herald.FeedState{}
	for _, s := range states {
		byName[s.Name] = s
	}
	names := make([]string, 0, len(cfg.Feeds))
	urls := map[string]string{}
	for _, f := range cfg.Feeds {
		names = append(names, f.Name)
		urls[f.Name] = f.URL
	}
	var gone []string
	for _, s := range states {
		if _, ok := urls[s.Name]; !ok {
			gone = append(gone, s.Name)
			urls[s.Name] = s.URL
		}
	}
	sort.Strings(gone)
	names = append(names, gone...)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FEED\tURL\tARTICLES\tLAST POLL\tOUTCOME")
	for _, n := range names {
		s, polled := byName[n]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", n, urls[n], st.Feeds[n], lastPoll(s, polled), outcome(s, polled, cfg, n))
	}
	tw.Flush()
	engine := engineName(path)
	if st.FileSize > 0 {
		engine += ", " + size(st.FileSize)
	}
	fmt.Fprintf(w, "total: %d feeds, %d articles from %d sources, %d stored pages; archive %s (%s)\n",
		len(names), st.Articles, st.Sources, st.Pages, path, engine)
	fmt.Fprintf(w, "stories: %d (%d articles are copies of an earlier article's story)\n", st.Stories, st.Copies)
}

func lastPoll(s herald.FeedState, polled bool) string {
	if !polled || s.LastPoll.IsZero() {
		return "never"
	}
	return s.LastPoll.Local().Format("2006-01-02 15:04")
}

func outcome(s herald.FeedState, polled bool, cfg *config.Config, name string) string {
	if !polled || s.Outcome == "" {
		return "not polled yet"
	}
	var b strings.Builder
	b.WriteString(s.Outcome)
	switch s.Outcome {
	case herald.OutcomeFailed:
		fmt.Fprintf(&b, ": %s", s.LastError)
		if s.ErrorCount > 1 {
			fmt.Fprintf(&b, " (%d in a row)", s.ErrorCount)
		}
	case herald.OutcomeGone:
		b.WriteString(": HTTP 410, no longer polled; remove it from the config")
	default:
		if s.LastError != "" {
			fmt.Fprintf(&b, " (%s)", s.LastError)
		}
	}
	if s.MovedTo != "" && s.MovedCount > 0 {
		fmt.Fprintf(&b, "; permanently redirected to %s", s.MovedTo)
	}
	if _, ok := cfg.Feed(name); !ok {
		b.WriteString("; not in the config any more")
	}
	if !s.NextPoll.IsZero() && s.Outcome != herald.OutcomeGone {
		fmt.Fprintf(&b, "; next %s", s.NextPoll.Local().Format(time.DateTime))
	}
	return b.String()
}

func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
