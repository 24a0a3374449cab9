// Command herald polls feeds, extracts articles, archives each one once and
// serves the archive back as one merged feed. See DESIGN.md for the contract.
//
// The command line is spf13/cobra: help, flags before or after the
// subcommand and positional arguments, and shell completion come with it.
// Each subcommand lives in its own file as a constructor taking *env;
// commands lists them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"herald/archive"
	"herald/config"
)

// Exit statuses, as DESIGN.md gives them.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks bad usage or a bad config: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// env is what every subcommand gets: its streams, the global flags and a
// logger (set from the log flags before the subcommand runs).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configPath     string
	dbPath         string        // --db, a database URL without its password
	dbPassword     config.Secret // the password --db's URL held
	searchIndex    string        // --search-index
	configIndex    string        // the config's search_index:, once loaded
	configPassword config.Secret // the config's archive password, once loaded
	logLevel       string
	logFormat      string
	cpuProfile     string
	memProfile     string
	log            *slog.Logger
	stopProfile    func()
}

// commands are herald's subcommands, in the order help lists them. A new
// subcommand is a file with a constructor, added here.
func commands(e *env) []*cobra.Command {
	return []*cobra.Command{
		runCommand(e),
		fetchCommand(e),
		checkCommand(e),
		addCommand(e),
		extractCommand(e),
		reextractCommand(e),
		exportCommand(e),
		importCommand(e),
		opmlCommand(e),
		statsCommand(e),
		verifyCommand(e),
		salvageCommand(e),
		backupCommand(e),
		searchCommand(e),
		reindexCommand(e),
		migrateCommand(e),
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	e.log = slog.New(slog.NewTextHandler(stderr, nil))
	root := newRoot(e)
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if e.stopProfile != nil {
		e.stopProfile()
	}
	if e.memProfile != "" {
		writeHeapProfile(e.memProfile, stderr)
	}
	return report(stderr, cmd, err)
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "herald",
		Short: "poll feeds, archive each story once, serve them as one feed",
		Long: `Herald polls the RSS, Atom and JSON feeds listed in feeds.yaml, extracts each entry's
article page, keeps every article once in an embedded archive, serves the merged
feed over HTTP and exports the archive.`,
		Example: `  herald run                     # the daemon, with ./feeds.yaml
  herald -c ~/feeds.yaml fetch   # one poll round, then exit
  herald help export             # one command's arguments and flags`,
		Version:           version(),
		Args:              unknownCommand,
		RunE:              noCommand,
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: func(*cobra.Command, []string) error { return e.setUp() },

		SuggestionsMinimumDistance: 2,
	}
	root.SetHelpCommand(helpCommand())
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetIn(e.stdin)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVarP(&e.configPath, "config", "c", "feeds.yaml", "the config file")
	pf.StringVar(&e.dbPath, "db", "", "the archive: a bbolt file or a postgres:// URL (default: the config's archive:)")
	pf.StringVar(&e.searchIndex, "search-index", "", "the search index's directory (default: the config's search_index:, else beside a bbolt archive, else in the user's cache directory)")
	pf.StringVar(&e.logLevel, "log-level", "info", "log messages at this level and above: debug, info, warn or error")
	pf.StringVar(&e.logFormat, "log-format", "text", "log lines as text (key=value) or json")
	pf.StringVar(&e.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) to this file")
	pf.StringVar(&e.memProfile, "memprofile", "", "write a heap profile (pprof) to this file when the command ends")
	root.AddCommand(commands(e)...)
	return root
}

// setUp acts on the global flags once they are parsed, before the
// subcommand runs.
func (e *env) setUp() error {
	log, err := newLogger(e.stderr, e.logLevel, e.logFormat)
	if err != nil {
		return err
	}
	e.log = log
	if config.IsPostgres(e.dbPath) {
		// Kept without the password from here on, so that nothing shows it.
		shown, pw, err := config.SplitDSN(e.dbPath)
		if err != nil {
			return usagef("--db: %v", err)
		}
		e.dbPath, e.dbPassword = shown, pw
	}
	if e.cpuProfile != "" {
		stop, err := startProfile(e.cpuProfile)
		if err != nil {
			return err
		}
		e.stopProfile = stop
	}
	return nil
}

// newLogger is the program's logger, as the log flags ask.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format %q: want text or json", format)
}

// unknownCommand is the root's argument check: the root takes none, so an
// argument is a command herald does not have.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := ""
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		hint = fmt.Sprintf(" (did you mean %s?)", s[0])
	}
	return usagef("unknown command %q%s", args[0], hint)
}

// noCommand answers a bare `herald` with the usage, on stderr: no command
// given is a usage error, unlike asking for help.
func noCommand(c *cobra.Command, _ []string) error {
	c.SetOut(c.ErrOrStderr())
	c.Usage()
	return usageError{errors.New("no command given")}
}

// helpCommand is `herald help [COMMAND]`: cobra's, except that a command
// herald does not have is a usage error rather than the list of commands.
func helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "describe a command, its arguments and flags",
		Example: `  herald help
  herald help opml import`,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			if len(args) == 0 {
				for _, sub := range c.Root().Commands() {
					if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
						out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
					}
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("help: no command %q", strings.Join(args, " "))
			}
			return cmd.Help()
		},
	}
}

// name is a command's path without the program's name: "opml import".
func name(c *cobra.Command) string {
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
}

// completeFeeds offers the config's feed names to a flag like --feed in
// shell completion.
func completeFeeds(e *env) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, err := config.Load(e.configPath)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names := make([]cobra.Completion, len(cfg.Feeds))
		for i, f := range cfg.Feeds {
			names[i] = f.Name
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// noArgs is the argument check of a command that takes none.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments; got %q", name(c), args[0])
	}
	return nil
}

// exactArgs is the argument check of a command that takes n arguments.
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s: want %d argument(s), got %d; usage: %s", name(c), n, len(args), c.UseLine())
		}
		return nil
	}
}

// maxArgs is the argument check of a command that takes at most n arguments.
func maxArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("%s: want at most %d argument(s), got %d; usage: %s", name(c), n, len(args), c.UseLine())
		}
		return nil
	}
}

// report prints err once, as one line per problem, and maps it to an exit
// status; a usage error also says where the usage is.
func report(stderr io.Writer, cmd *cobra.Command, err error) int {
	if err == nil {
		return exitOK
	}
	var ce *config.Errors
	if errors.As(err, &ce) {
		// Already one "file:line: message" per line.
		fmt.Fprintln(stderr, ce.Error())
		return exitUsage
	}
	if errors.Is(err, archive.ErrDamaged) {
		err = fmt.Errorf("%w (`herald verify` says what is wrong and where; `herald salvage OUT` exports what can still be read)", err)
	}
	fmt.Fprintf(stderr, "herald: %v\n", err)
	var ue usageError
	if !errors.As(err, &ue) {
		return exitFailure
	}
	if cmd != nil {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return exitUsage
}

// startProfile writes a CPU profile until the returned stop is called.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes what the heap held at the last garbage
// collection, and what was allocated in all, to path.
func writeHeapProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "herald: memprofile: %v\n", err)
	}
}
