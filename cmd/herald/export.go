package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"herald"
	"herald/archive"
	"herald/serve"
)

// exportFlags are export's flags.
type exportFlags struct {
	format, feed, tag, since, until, out string
}

func exportCommand(e *env) *cobra.Command {
	var f exportFlags
	c := &cobra.Command{
		Use:   "export [--format json|jsonl|atom|rss|jsonfeed] [--feed NAME] [--tag T] [--since T] [--until T] [-o FILE]",
		Short: "write the archive as json, jsonl, atom, rss or jsonfeed",
		Long: `Export writes the archive, or the slice the flags select, to standard output or
to a file, streaming: memory does not grow with the archive. json and jsonl are
the export format (import reads them back); atom, rss and jsonfeed are one feed
document, newest first.`,
		Example: `  herald export -o archive.json
  herald export --format jsonl --feed heise --since 2024-01-01
  herald export --format atom --tag linux > linux.atom`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return cmdExport(c.Context(), e, f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.format, "format", "json", "json, jsonl, atom, rss or jsonfeed")
	fl.StringVar(&f.feed, "feed", "", "only articles from the feed of this `NAME`")
	fl.StringVar(&f.tag, "tag", "", "only articles with this tag")
	fl.StringVar(&f.since, "since", "", "only articles published at or after this `TIME` (RFC 3339 or YYYY-MM-DD)")
	fl.StringVar(&f.until, "until", "", "only articles published before this `TIME` (RFC 3339 or YYYY-MM-DD)")
	fl.StringVarP(&f.out, "output", "o", "", "write to this `FILE` instead of standard output")
	c.RegisterFlagCompletionFunc("feed", completeFeeds(e))
	c.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]cobra.Completion{"json", "jsonl", "atom", "rss", "jsonfeed"}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

// cmdExport writes the archive, or a slice of it, streaming.
func cmdExport(ctx context.Context, e *env, f exportFlags) error {
	switch f.format {
	case "json", "jsonl", "atom", "rss", "jsonfeed":
	default:
		return usagef("export: unknown format %q (json, jsonl, atom, rss or jsonfeed)", f.format)
	}
	q := archive.Query{Feed: f.feed, Tag: f.tag}
	var err error
	if q.Since, err = parseTime(f.since); err != nil {
		return usagef("export: --since: %v", err)
	}
	if q.Until, err = parseTime(f.until); err != nil {
		return usagef("export: --until: %v", err)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	export := func(w io.Writer) (n int, err error) {
		n = -1 // a daemon's export is not counted here
		err = withArchive(ctx, e, cfg, "/export?"+exportRequest(f.format, q), w, func(db *archive.DB) (err error) {
			n, err = exportTo(ctx, db, w, f.format, q, "http://"+cfg.Listen)
			return err
		})
		return n, err
	}
	if f.out == "" {
		bw := bufio.NewWriterSize(e.stdout, 256<<10)
		if _, err := export(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeFileAtomic(f.out, func(w io.Writer) error {
		n, err := export(w)
		if err == nil && n >= 0 {
			fmt.Fprintf(e.stderr, "exported %d articles to %s\n", n, f.out)
		} else if err == nil {
			fmt.Fprintf(e.stderr, "exported to %s (through the running daemon)\n", f.out)
		}
		return err
	})
}

// exportRequest is the local channel's query for an export.
func exportRequest(format string, q archive.Query) string {
	v := url.Values{"format": {format}, "feed": {q.Feed}, "tag": {q.Tag}}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.Format(time.RFC3339Nano))
	}
	return v.Encode()
}

// exportTo writes the slice q of the archive in format.
func exportTo(ctx context.Context, db *archive.DB, w io.Writer, format string, q archive.Query, base string) (int, error) {
	switch format {
	case "json", "jsonl":
		return db.Export(ctx, w, format, q)
	case "atom", "rss", "jsonfeed":
		return exportFeed(ctx, db, w, format, q, base)
	}
	return 0, fmt.Errorf("export: unknown format %q", format)
}

// feedWriter is what the merged feed's three renderers share.
type feedWriter interface {
	Write(a *herald.Article) error
	Close() error
}

// exportFeed writes the slice as one Atom, RSS or JSON Feed document,
// newest first, a page of the archive at a time so memory stays flat.
func exportFeed(ctx context.Context, db *archive.DB, w io.Writer, format string, q archive.Query, base string) (int, error) {
	f := serve.Feed{Title: "Herald export", ID: "urn:herald:export", HomeURL: base + "/", SelfURL: base + "/feed." + format}
	var fw feedWriter
	switch format {
	case "atom":
		fw = serve.NewAtomWriter(w, f)
	case "rss":
		fw = serve.NewRSSWriter(w, f)
	default:
		fw = serve.NewJSONFeedWriter(w, f)
	}
	n := 0
	q.Limit = 500
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		list, next, err := db.Recent(q)
		if err != nil {
			return n, err
		}
		for i := range list {
			if err := fw.Write(&list[i]); err != nil {
				return n, err
			}
			n++
		}
		if next == "" {
			return n, fw.Close()
		}
		q.Before = next
	}
}

// writeFileAtomic writes through a temporary file beside path, so that an
// interrupted export never leaves a half-written file under the real name.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor YYYY-MM-DD", s)
}
