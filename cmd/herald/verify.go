package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"herald/archive"
)

func verifyCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "check the whole archive file and its indexes",
		Long: `Verify checks the whole archive file without writing to it: its two meta pages
(one that bbolt would silently skip, losing the last commit, is reported), its
size, every page, and Herald's indexes against the articles. It prints one line
per problem, saying where it is, and exits 1 when there is any.`,
		Example: `  herald verify
  herald --db /var/lib/herald/herald.db verify`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return cmdVerify(e) },
	}
}

// cmdVerify checks the whole archive file without writing to it: one line
// per problem on stdout, and exit status 1 when there is any.
func cmdVerify(e *env) error {
	path, err := existingArchive(e, "verify")
	if err != nil {
		return err
	}
	problems, err := archive.Verify(path, archive.Options{LockTimeout: 500 * time.Millisecond})
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(e.stdout, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %d problems found", path, len(problems))
	}
	fmt.Fprintf(e.stdout, "%s: sound\n", path)
	return nil
}

func salvageCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "salvage OUT",
		Short: "export every article a damaged archive still holds",
		Long: `Salvage writes to OUT, in the jsonl export format, every article that can still
be read from the archive however damaged it is: it reads the file's pages itself,
trusting none of its structure, and writes nothing to it. herald import reads OUT
into a new archive.`,
		Example: `  herald salvage saved.jsonl
  herald --db new.db import saved.jsonl`,
		Args: exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return cmdSalvage(e, args[0]) },
	}
}

// cmdSalvage exports, as jsonl, every article that can still be read from
// a damaged archive, reading its pages without trusting its structure.
func cmdSalvage(e *env, out string) error {
	path, err := existingArchive(e, "salvage")
	if err != nil {
		return err
	}
	return writeFileAtomic(out, func(w io.Writer) error {
		res, err := archive.Salvage(path, w)
		if err == nil {
			fmt.Fprintf(e.stderr, "salvaged %d articles (%d through the file's tree, %d of %d pages unreadable) to %s; `herald import` reads them into a new archive\n",
				res.Articles, res.Reachable, res.Unread, res.Pages, out)
		}
		return err
	})
}
