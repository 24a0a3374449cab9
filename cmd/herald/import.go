package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
)

// cmdImport reads a json or jsonl export back in, deduplicating as on ingest.
func cmdImport(ctx context.Context, e *env, args []string) (err error) {
	fs := newFlags("import", e)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: herald import FILE (or - for standard input)")
	}
	var r io.Reader = e.stdin
	name := fs.Arg(0)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	_, db, err := openConfigArchive(e)
	if err != nil {
		return err
	}
	defer closeArchive(db, &err)
	res, err := db.Import(ctx, bufio.NewReaderSize(r, 256<<10))
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	fmt.Fprintf(e.stdout, "imported: %d new, %d updated, %d duplicate, %d unchanged\n", res.New, res.Updated, res.Duplicate, res.Unchanged)
	return nil
}
