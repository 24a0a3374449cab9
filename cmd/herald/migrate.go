package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"herald/archive"
	"herald/config"
	"herald/extract"
)

func migrateCommand(e *env) *cobra.Command {
	var to, pwFile string
	c := &cobra.Command{
		Use:   "migrate --to ARCHIVE",
		Short: "copy the archive to another engine, checked by export equality",
		Long: `Migrate copies the archive (the config's archive:, or --db) into an empty one,
a bbolt file or a PostgreSQL database (postgres://user@host:port/database): it
exports the source, imports that into the target, exports the target and
compares the two exports byte for byte (hashed as they stream, so memory does
not grow with the archive). Feed states (the schedule, conditional GET
validators, errors) and stored article pages are copied too. It refuses a
target that holds anything, and exits 1 when the exports differ.

Stop every herald run on the source first. The target's password comes from
its URL, --to-password-file or PGPASSWORD; then point archive: at the target.`,
		Example: `  herald migrate --to postgres://herald@db.example/herald --to-password-file pg.pass
  herald --db postgres://herald@db.example/herald migrate --to herald.db`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if to == "" {
				return usagef("migrate: --to is required (a bbolt file or a postgres:// URL)")
			}
			return cmdMigrate(c.Context(), e, to, pwFile)
		},
	}
	c.Flags().StringVar(&to, "to", "", "the target `ARCHIVE`: a bbolt file or a postgres:// URL")
	c.Flags().StringVar(&pwFile, "to-password-file", "", "read the target database's password from this `FILE`")
	return c
}

// migration is where an archive is copied from and to.
type migration struct {
	from, to     string // paths or URLs without passwords
	fromPassword config.Secret
	toPassword   config.Secret
}

func cmdMigrate(ctx context.Context, e *env, to, pwFile string) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	m := migration{from: archivePath(e, cfg), fromPassword: e.password()}
	if m.to, m.toPassword, err = migrationTarget(to, pwFile); err != nil {
		return err
	}
	if m.to == m.from {
		return usagef("migrate: --to names the archive itself (%s)", m.to)
	}
	start := time.Now()
	src, err := openAt(m.from, m.fromPassword, archive.Options{ReadOnly: true, LockTimeout: 500 * time.Millisecond})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openTarget(m.to, m.toPassword)
	if err != nil {
		return err
	}
	rep, err := copyArchive(ctx, src, dst)
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", m.to, cerr)
	}
	if err != nil {
		return fmt.Errorf("migrate %s to %s: %w (the target holds part of the archive: empty it before trying again)", m.from, m.to, err)
	}
	fmt.Fprintf(e.stdout, "migrated %s (%s) to %s (%s) in %v: %d articles, %d sources, %d stories, %d feed states, %d pages\n",
		m.from, engineName(m.from), m.to, engineName(m.to), time.Since(start).Round(time.Millisecond),
		rep.articles, rep.target.Sources, rep.target.Stories, rep.states, rep.target.Pages)
	fmt.Fprintf(e.stdout, "check: source export %d articles sha256 %s; target export %d articles sha256 %s: %s\n",
		rep.exported, rep.sourceSum, rep.reexported, rep.targetSum, rep.verdict())
	if !rep.same() {
		return fmt.Errorf("migrate: the target's export differs from the source's (%s); keep using %s", rep.verdict(), m.from)
	}
	return nil
}

// migrationTarget is --to made ready: a file's absolute path, or a
// database URL without its password and the password, from the URL or the
// password file.
func migrationTarget(to, pwFile string) (string, config.Secret, error) {
	if !config.IsPostgres(to) {
		if pwFile != "" {
			return "", "", usagef("migrate: --to-password-file is for a postgres:// target")
		}
		abs, err := filepath.Abs(to)
		return abs, "", err
	}
	shown, pw, err := config.SplitDSN(to)
	if err != nil {
		return "", "", usagef("migrate: --to: %v", err)
	}
	if pwFile == "" {
		return shown, pw, nil
	}
	if pw != "" {
		return "", "", usagef("migrate: --to holds a password and --to-password-file gives one too; give it one way")
	}
	pw, err = config.ReadPassword(pwFile)
	if err != nil {
		return "", "", usagef("migrate: --to-password-file: %v", err)
	}
	return shown, pw, nil
}

// openTarget opens the archive to migrate into and makes sure it is empty.
// An existing file is looked at read-only first, so that a target refused
// is left as it was.
func openTarget(path string, pw config.Secret) (*archive.DB, error) {
	if !config.IsPostgres(path) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			db, err := openAt(path, "", archive.Options{ReadOnly: true, LockTimeout: 500 * time.Millisecond})
			if err != nil {
				return nil, err
			}
			err = refuseFull(db)
			db.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	db, err := openAt(path, pw, archive.Options{LockTimeout: 500 * time.Millisecond, SanitizeHTML: extract.SanitizeHTML})
	if err != nil {
		return nil, err
	}
	if err := refuseFull(db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// refuseFull is an error unless db holds nothing: no article, page or feed
// state. Migrating into an archive that holds something would merge the
// two, and the check could not tell a good copy from a bad one.
func refuseFull(db *archive.DB) error {
	st, err := db.Stats()
	if err != nil {
		return err
	}
	states, err := db.FeedStates()
	if err != nil {
		return err
	}
	if st.Articles > 0 || st.Pages > 0 || len(states) > 0 {
		return fmt.Errorf("migrate: the target %s is not empty (%d articles, %d pages, %d feed states); migrate only into an empty archive",
			db.Path(), st.Articles, st.Pages, len(states))
	}
	return nil
}

// migrated is what copyArchive did and found.
type migrated struct {
	articles             int // imported
	states               int
	exported, reexported int // articles in the source's and the target's export
	sourceSum, targetSum string
	source, target       archive.Stats
}

func (r migrated) same() bool {
	return r.sourceSum == r.targetSum && r.exported == r.reexported &&
		r.source.Articles == r.target.Articles && r.source.Sources == r.target.Sources &&
		r.source.Pages == r.target.Pages && r.source.Stories == r.target.Stories
}

func (r migrated) verdict() string {
	switch {
	case r.sourceSum != r.targetSum || r.exported != r.reexported:
		return "DIFFERENT"
	case !r.same():
		return fmt.Sprintf("the same, but the counts differ (source %d articles %d sources %d pages %d stories, target %d %d %d %d)",
			r.source.Articles, r.source.Sources, r.source.Pages, r.source.Stories,
			r.target.Articles, r.target.Sources, r.target.Pages, r.target.Stories)
	}
	return "identical"
}

// copyArchive exports src into dst's import through a pipe, hashing the
// export as it goes by, copies the feed states and pages, then hashes
// dst's export: constant memory, whatever the archive's size.
func copyArchive(ctx context.Context, src, dst *archive.DB) (migrated, error) {
	var r migrated
	srcHash := sha256.New()
	res, exported, err := pipeExport(ctx, src, func(rd io.Reader) (archive.Result, error) {
		return dst.Import(ctx, io.TeeReader(rd, srcHash))
	})
	if err != nil {
		return r, err
	}
	r.articles, r.exported, r.sourceSum = res.New+res.Updated+res.Duplicate+res.Unchanged, exported, sum(srcHash)
	states, err := src.FeedStates()
	if err != nil {
		return r, err
	}
	for _, s := range states {
		if err := dst.SaveFeedState(ctx, s); err != nil {
			return r, err
		}
	}
	r.states = len(states)
	if _, err := dst.CopyPages(ctx, src); err != nil {
		return r, err
	}
	dstHash := sha256.New()
	if r.reexported, err = dst.Export(ctx, dstHash, archive.FormatJSONL, archive.Query{}); err != nil {
		return r, fmt.Errorf("export the target: %w", err)
	}
	r.targetSum = sum(dstHash)
	if r.source, err = src.Stats(); err == nil {
		r.target, err = dst.Stats()
	}
	return r, err
}

// pipeExport runs src's export into consume, through a pipe. A failure on
// either side stops the other.
func pipeExport(ctx context.Context, src *archive.DB, consume func(io.Reader) (archive.Result, error)) (archive.Result, int, error) {
	pr, pw := io.Pipe()
	type exported struct {
		n   int
		err error
	}
	done := make(chan exported, 1)
	go func() {
		n, err := src.Export(ctx, pw, archive.FormatJSONL, archive.Query{})
		pw.CloseWithError(err)
		done <- exported{n, err}
	}()
	res, err := consume(pr)
	pr.CloseWithError(errors.New("the import stopped"))
	ex := <-done
	if ex.err != nil && err == nil {
		err = fmt.Errorf("export the source: %w", ex.err)
	}
	if err != nil {
		return res, 0, err
	}
	return res, ex.n, nil
}

func sum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
