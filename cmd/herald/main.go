// Command herald polls feeds, extracts articles, archives each one once and
// serves the archive back as one merged feed. See DESIGN.md for the contract.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"herald/config"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
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

// env is what every subcommand gets: its streams, the global flags and a logger.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configPath     string
	dbPath         string
	log            *slog.Logger
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"run", "the daemon: poll, extract, archive, serve HTTP", cmdRun},
		{"fetch", "one poll round of all feeds (or --feed NAME), then exit", cmdFetch},
		{"check", "validate feeds.yaml", cmdCheck},
		{"extract", "extract one page's article", cmdExtract},
		{"reextract", "run extraction again on stored pages", cmdReextract},
		{"export", "write the archive as json, jsonl, atom, rss or jsonfeed", cmdExport},
		{"import", "read a json or jsonl export back in", cmdImport},
		{"opml", "opml import FILE | opml export", cmdOPML},
		{"stats", "counts, last poll and last error per feed", cmdStats},
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
	fs := flag.NewFlagSet("herald", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&e.configPath, "c", "feeds.yaml", "")
	fs.StringVar(&e.configPath, "config", "feeds.yaml", "the config file")
	fs.StringVar(&e.dbPath, "db", "", "the archive file (default: the config's archive:)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile (pprof) to this file when the command ends")
	fs.Usage = func() { usage(stderr) }
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	e.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	rest := fs.Args()
	if len(rest) == 0 {
		usage(stderr)
		return exitUsage
	}
	if *cpuProfile != "" {
		stop, err := startProfile(*cpuProfile)
		if err != nil {
			return report(stderr, err)
		}
		defer stop()
	}
	if *memProfile != "" {
		defer writeHeapProfile(*memProfile, stderr)
	}
	for _, c := range commands() {
		if c.name != rest[0] {
			continue
		}
		err := c.run(ctx, e, rest[1:])
		return report(stderr, err)
	}
	fmt.Fprintf(stderr, "herald: unknown command %q\n", rest[0])
	usage(stderr)
	return exitUsage
}

// report prints err as one line per problem and maps it to an exit status.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ce *config.Errors
	if errors.As(err, &ce) {
		// Already one "file:line: message" per line.
		fmt.Fprintln(stderr, ce.Error())
		return exitUsage
	}
	fmt.Fprintf(stderr, "herald: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: herald [-c feeds.yaml] [--db FILE] COMMAND [ARGS]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// newFlags returns a flag set for a subcommand that reports errors as usage errors.
func newFlags(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("herald "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args and turns a flag error into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	return nil
}

// startProfile writes a CPU profile until the returned stop is called.
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
