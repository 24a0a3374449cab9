package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func checkCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "validate feeds.yaml",
		Long: `Check reads the config and validates all of it. Every problem is printed on its own
line as FILE:LINE: field: message, and the exit status is 2; warnings (which do
not fail it) go to stderr; a good config prints one line with its counts and the
archive it uses.`,
		Example: `  herald check
  herald check -c ~/feeds.yaml`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return cmdCheck(e) },
	}
}

// cmdCheck validates the config and prints every problem, one per line,
// and every warning, which do not fail it.
func cmdCheck(e *env) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings() {
		w.Msg = "warning: " + w.Msg
		fmt.Fprintln(e.stderr, w)
	}
	fmt.Fprintf(e.stdout, "%s: ok: %d feeds, %d site rules, archive %s\n", e.configPath, len(cfg.Feeds), len(cfg.Sites), archivePath(e, cfg))
	return nil
}
