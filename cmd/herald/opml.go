package main

import (
	"context"
	"fmt"
	"os"

	"herald/config"
	"herald/opml"
)

// cmdOPML moves feed lists to and from OPML 2.0.
func cmdOPML(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("usage: herald opml import FILE | herald opml export")
	}
	switch args[0] {
	case "import":
		return opmlImport(e, args[1:])
	case "export":
		return opmlExport(e, args[1:])
	}
	return usagef("opml: unknown subcommand %q (import or export)", args[0])
}

func opmlImport(e *env, args []string) error {
	if len(args) != 1 {
		return usagef("usage: herald opml import FILE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	outlines, err := opml.Parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	feeds := make([]config.NewFeed, 0, len(outlines))
	for _, o := range outlines {
		feeds = append(feeds, config.NewFeed{Name: o.Title, URL: o.XMLURL, Tags: o.Categories})
	}
	added, err := config.AppendFeeds(e.configPath, feeds)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added %d of %d feeds to %s\n", len(added), len(feeds), e.configPath)
	return nil
}

func opmlExport(e *env, args []string) error {
	if len(args) != 0 {
		return usagef("usage: herald opml export")
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	outlines := make([]opml.Outline, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		outlines[i] = opml.Outline{Title: f.Name, XMLURL: f.URL, Categories: f.Tags}
	}
	return opml.Write(e.stdout, "Herald feeds", outlines)
}
