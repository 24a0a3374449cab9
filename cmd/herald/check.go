package main

import (
	"context"
	"fmt"
)

// cmdCheck validates the config and prints every problem, one per line,
// and every warning, which do not fail it.
func cmdCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags("check", e)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
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
