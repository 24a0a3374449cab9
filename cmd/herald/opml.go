package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"herald/config"
	"herald/opml"
)

func opmlCommand(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "opml",
		Short: "move feed lists to and from OPML 2.0",
		Long: `Opml moves feed lists between feeds.yaml and OPML 2.0, the format feed readers
import and export. Import appends the feeds FILE lists to feeds.yaml, keeping its
comments and skipping URLs it already has; export writes feeds.yaml as OPML.`,
		Example: `  herald opml import subscriptions.opml
  herald opml export > feeds.opml`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("opml: give a subcommand: import FILE or export")
			}
			return usagef("opml: unknown subcommand %q (import or export)", args[0])
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	c.AddCommand(&cobra.Command{
		Use:     "import FILE",
		Short:   "append the feeds of an OPML file to feeds.yaml, keeping its comments",
		Example: "  herald opml import subscriptions.opml",
		Args:    exactArgs(1),
		RunE:    func(_ *cobra.Command, args []string) error { return opmlImport(e, args[0]) },
	}, &cobra.Command{
		Use:     "export",
		Short:   "write the feeds of feeds.yaml as OPML 2.0 to standard output",
		Example: "  herald opml export > feeds.opml",
		Args:    noArgs,
		RunE:    func(*cobra.Command, []string) error { return opmlExport(e) },
	})
	return c
}

func opmlImport(e *env, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	outlines, err := opml.Parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
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

func opmlExport(e *env) error {
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
