package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func importCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "read a json or jsonl export back in",
		Long: `Import reads an export in json or jsonl format (from FILE, or standard input when
FILE is -) and archives its articles, deduplicating exactly as ingest does.
Export, import into an empty archive and export again give identical files.`,
		Example: `  herald export -o all.json && herald --db new.db import all.json
  herald export --format jsonl | herald --db copy.db import -`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return cmdImport(c.Context(), e, args[0]) },
	}
}

// cmdImport reads a json or jsonl export back in, deduplicating as on ingest.
func cmdImport(ctx context.Context, e *env, name string) (err error) {
	var r io.Reader = e.stdin
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
	defer closeArchive(e, db, &err)
	res, err := db.Import(ctx, bufio.NewReaderSize(r, 256<<10))
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	fmt.Fprintf(e.stdout, "imported: %d new, %d updated, %d duplicate, %d unchanged\n", res.New, res.Updated, res.Duplicate, res.Unchanged)
	return nil
}
