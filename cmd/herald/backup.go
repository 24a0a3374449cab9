package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"herald/archive"
	"herald/config"
)

func backupCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "a consistent copy of the archive, also while herald run holds it",
		Long: `Backup writes a copy of the archive to FILE as it is at one moment: through the
running daemon when herald run holds the archive (on the local channel, a unix
socket beside the archive that only its owner can open), else by reading the file
directly. The copy is an archive in its own right: herald --db FILE verify checks
it. FILE is written under a temporary name and renamed when complete.`,
		Example: `  herald backup /backups/herald-$(date +%F).db
  herald --db /backups/herald-2025-01-01.db verify`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return cmdBackup(c.Context(), e, args[0]) },
	}
}

// cmdBackup copies the archive to out, consistently, while writers go on.
func cmdBackup(ctx context.Context, e *env, out string) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	if path := archivePath(e, cfg); config.IsPostgres(path) {
		return usagef("backup copies a bbolt file; %s is a PostgreSQL database: back it up with pg_dump, or copy it to a file with herald migrate --to FILE", path)
	}
	start := time.Now()
	var n int64
	err = writeFileAtomic(out, func(w io.Writer) error {
		cw := &countWriter{w: w}
		err := withArchive(ctx, e, cfg, "/backup", cw, func(db *archive.DB) error {
			_, err := db.Backup(cw)
			return err
		})
		n = cw.n
		return err
	})
	if err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	fmt.Fprintf(e.stderr, "backed up %s (%s) to %s in %v\n", archivePath(e, cfg), size(n), out, time.Since(start).Round(time.Millisecond))
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
