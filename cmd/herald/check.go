package main

import (
	"fmt"
	"net"
	"strings"

	"herald/config"

	"github.com/spf13/cobra"
)

func checkCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "validate feeds.yaml",
		Long: `Check reads the config and validates all of it. Every problem is printed on its own
line as FILE:LINE: field: message, and the exit status is 2; warnings (which do
not fail it) go to stderr; a good config prints one line with its counts and the
archive it uses, then what the daemon serves to whom: the listen address and
whether the network reaches it, the host names it answers for, and which parts
(feeds, api, metrics, pages) are public and which need the token of token_file:.`,
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
	if _, err := cfg.Token(); err != nil {
		return err
	}
	path := archivePath(e, cfg)
	fmt.Fprintf(e.stdout, "%s: ok: %d feeds, %d site rules, archive %s (%s)\n", e.configPath, len(cfg.Feeds), len(cfg.Sites), path, engineName(path))
	for _, l := range exposure(cfg) {
		fmt.Fprintln(e.stdout, l)
	}
	return nil
}

// exposure says what `herald run` would serve to whom.
func exposure(cfg *config.Config) []string {
	reach := "loopback: this machine only"
	hosts := []string{"localhost", "loopback addresses"}
	host, _, _ := net.SplitHostPort(cfg.Listen)
	ip := net.ParseIP(host)
	switch {
	case host == "" || (ip != nil && ip.IsUnspecified()):
		reach = "every address: the network reaches it"
		hosts = append(hosts, "any IP address")
	case !cfg.ListenLoopback():
		reach = "not loopback: the network reaches it"
		hosts = append(hosts, cfg.Listen+"'s host")
	}
	if cfg.BaseURL != "" {
		hosts = append(hosts, cfg.BaseURL+" (base_url)")
	}
	lines := []string{fmt.Sprintf("listen %s (%s); requests must name it by %s, others get 421", cfg.Listen, reach, strings.Join(hosts, ", "))}
	public, private := cfg.PublicParts(), cfg.Private()
	if cfg.TokenFile == "" {
		public, private = config.Parts, nil
	}
	switch {
	case len(private) == 0:
		lines = append(lines, "  no token: open to whoever reaches the address: "+strings.Join(public, ", "))
	case len(public) > 0:
		lines = append(lines, "  public: "+strings.Join(public, ", "))
	}
	if len(private) > 0 {
		lines = append(lines, fmt.Sprintf("  need the token in %s (Authorization: Bearer, or ?token=): %s", cfg.TokenFile, strings.Join(private, ", ")))
	}
	return lines
}
