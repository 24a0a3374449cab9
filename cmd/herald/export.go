package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"herald"
	"herald/archive"
	"herald/serve"
)

// cmdExport writes the archive, or a slice of it, streaming.
func cmdExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags("export", e)
	format := fs.String("format", "json", "json, jsonl, atom, rss or jsonfeed")
	feedName := fs.String("feed", "", "only articles from this feed")
	tag := fs.String("tag", "", "only articles with this tag")
	since := fs.String("since", "", "only articles published at or after this time (RFC 3339 or YYYY-MM-DD)")
	until := fs.String("until", "", "only articles published before this time (RFC 3339 or YYYY-MM-DD)")
	outPath := fs.String("o", "", "write to this file instead of standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("export: unexpected argument %q", fs.Arg(0))
	}
	switch *format {
	case "json", "jsonl", "atom", "rss", "jsonfeed":
	default:
		return usagef("export: unknown format %q (json, jsonl, atom, rss or jsonfeed)", *format)
	}
	q := archive.Query{Feed: *feedName, Tag: *tag}
	var err error
	if q.Since, err = parseTime(*since); err != nil {
		return usagef("export: --since: %v", err)
	}
	if q.Until, err = parseTime(*until); err != nil {
		return usagef("export: --until: %v", err)
	}
	cfg, db, err := openConfigArchive(e)
	if err != nil {
		return err
	}
	defer db.Close()
	export := func(w io.Writer) (int, error) {
		if *format == "json" || *format == "jsonl" {
			return db.Export(ctx, w, *format, q)
		}
		return exportFeed(ctx, db, w, *format, q, "http://"+cfg.Listen)
	}
	if *outPath == "" {
		bw := bufio.NewWriterSize(e.stdout, 256<<10)
		if _, err := export(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeFileAtomic(*outPath, func(w io.Writer) error {
		n, err := export(w)
		if err == nil {
			fmt.Fprintf(e.stderr, "exported %d articles to %s\n", n, *outPath)
		}
		return err
	})
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
