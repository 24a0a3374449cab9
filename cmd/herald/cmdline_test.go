package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// Help goes to stdout with exit 0, however it is asked for, and describes
// the command: what it does, its arguments, its flags and an example.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage:", "fetch", "export", "--config", "--db", "--log-level"}},
		{[]string{"-h"}, []string{"Usage:", "reextract", "completion"}},
		{[]string{"help"}, []string{"Usage:", "Available Commands:"}},
		{[]string{"help", "export"}, []string{"Export writes", "herald export [--format", "--since", "-o, --output", "Examples:", "Global Flags:"}},
		{[]string{"export", "--help"}, []string{"Export writes", "--until", "Examples:"}},
		{[]string{"fetch", "-h"}, []string{"herald fetch [--feed NAME]", "--feed", "Examples:"}},
		{[]string{"opml", "--help"}, []string{"import", "export", "Examples:"}},
		{[]string{"opml", "import", "--help"}, []string{"herald opml import FILE", "Examples:"}},
		{[]string{"help", "opml", "export"}, []string{"herald opml export"}},
		{[]string{"-c", "nosuch.yaml", "check", "--help"}, []string{"herald check"}},
	}
	for _, tt := range tests {
		code, out, stderr := runCLI(t, tt.args...)
		if code != 0 || stderr != "" {
			t.Errorf("herald %s: exit %d, stderr %q; want 0 and nothing", strings.Join(tt.args, " "), code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("herald %s: stdout lacks %q:\n%s", strings.Join(tt.args, " "), w, out)
			}
		}
	}
	if code, out, stderr := runCLI(t, "help", "frobnicate"); code != exitUsage || out != "" || !strings.Contains(stderr, "frobnicate") {
		t.Errorf("help for a command herald lacks: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

func TestVersion(t *testing.T) {
	code, out, stderr := runCLI(t, "--version")
	if code != 0 || stderr != "" || !strings.HasPrefix(out, "herald ") || !strings.Contains(out, "commit") {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

func TestVersionText(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "herald", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-06T03:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	got := versionText(info)
	for _, w := range []string{"herald (devel)", "commit 0123abcd", "uncommitted changes", "2026-12-06T03:00:00Z", "go1.26.8"} {
		if !strings.Contains(got, w) {
			t.Errorf("%q lacks %q", got, w)
		}
	}
	info.Settings = nil
	if got := versionText(info); !strings.Contains(got, "commit unknown") {
		t.Errorf("without vcs settings: %q", got)
	}
}

// A binary built in a git checkout names its commit.
func TestVersionNamesCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary: skipped in -short mode")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout, or no git: %v", err)
	}
	if st, err := os.Stat("../../.git"); err != nil || !st.IsDir() {
		t.Skip("go build stamps the commit only in a checkout whose .git is a directory, not in a git worktree")
	}
	bin := filepath.Join(t.TempDir(), "herald")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.Contains(string(out), "commit "+strings.TrimSpace(string(head))) {
		t.Errorf("--version: %v %q; want commit %s", err, out, head)
	}
}

// The global flags work before and after the subcommand, and a command's
// flags before and after its arguments.
func TestFlagsAnywhere(t *testing.T) {
	srv := farm(t, 1)
	cfg := farmConfig(t, srv, 1, "")
	db := filepath.Join(t.TempDir(), "other.db")
	for _, args := range [][]string{
		{"-c", cfg, "check"},
		{"check", "-c", cfg},
		{"check", "--config", cfg, "--db", db},
		{"--db", db, "check", "--config=" + cfg, "--log-level", "debug"},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "ok: 1 feeds") {
			t.Errorf("herald %s: exit %d, %q %q", strings.Join(args, " "), code, out, stderr)
		}
		if strings.Contains(strings.Join(args, " "), "--db") && !strings.Contains(out, db) {
			t.Errorf("herald %s: --db ignored: %q", strings.Join(args, " "), out)
		}
	}
	if code, out, stderr := runCLI(t, "fetch", "-c", cfg, "--feed", "f0"); code != 0 || !strings.Contains(out, "1 ok") {
		t.Errorf("fetch -c after the command: exit %d, %q %q", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "stats", "-c", cfg); code != 0 || !strings.Contains(out, "f0") {
		t.Errorf("stats -c: exit %d, %q %q", code, out, stderr)
	}

	page := writeFile(t, t.TempDir(), "page.html", articlePage)
	code, out, stderr := runCLI(t, "-c", filepath.Join(t.TempDir(), "none.yaml"), "extract", page, "--format", "json", "--url", "https://harbour.example/ferry")
	var got struct{ URL, Text string }
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got.URL != "https://harbour.example/ferry" || !strings.Contains(got.Text, "ferry") {
		t.Errorf("extract FILE --format json: exit %d, %v, %q, stderr %q", code, err, out, stderr)
	}
}

// Arguments a command does not take, flags it does not have and names that
// are not feeds are usage errors, said once.
func TestBadUsage(t *testing.T) {
	srv := farm(t, 1)
	cfg := farmConfig(t, srv, 1, "")
	if code, _, stderr := runCLI(t, "-c", cfg, "fetch"); code != 0 {
		t.Fatalf("fetch: %d %s", code, stderr)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-c", cfg, "stats", "extra"}, `stats takes no arguments; got "extra"`},
		{[]string{"-c", cfg, "check", "extra"}, `check takes no arguments`},
		{[]string{"-c", cfg, "run", "now"}, `run takes no arguments`},
		{[]string{"-c", cfg, "fetch", "f0"}, `fetch takes no arguments; got "f0"`},
		{[]string{"-c", cfg, "export", "all"}, `export takes no arguments`},
		{[]string{"-c", cfg, "import"}, `import: want 1 argument(s), got 0`},
		{[]string{"-c", cfg, "import", "a", "b"}, `import: want 1 argument(s), got 2`},
		{[]string{"extract", "a.html", "b.html"}, `extract: want at most 1 argument(s), got 2`},
		{[]string{"-c", cfg, "opml"}, `give a subcommand`},
		{[]string{"-c", cfg, "opml", "--help2"}, `unknown flag: --help2`},
		{[]string{"-c", cfg, "opml", "frob"}, `unknown subcommand "frob"`},
		{[]string{"-c", cfg, "check", "--bogus"}, `unknown flag: --bogus`},
		{[]string{"-x", "check"}, `unknown shorthand flag: 'x'`},
		{[]string{"chekc"}, `unknown command "chekc" (did you mean check?)`},
		{[]string{"-c", cfg, "--log-level", "loud", "check"}, `--log-level "loud"`},
		{[]string{"-c", cfg, "--log-format", "xml", "check"}, `--log-format "xml"`},
		{[]string{"-c", cfg, "reextract", "--feed", "nosuch"}, `no feed named "nosuch" in the config`},
		{[]string{"-c", cfg, "fetch", "--feed", "nosuch"}, `no feed named "nosuch" in the config`},
	}
	for _, tt := range tests {
		code, out, stderr := runCLI(t, tt.args...)
		if code != exitUsage || out != "" {
			t.Errorf("herald %s: exit %d, stdout %q; want 2 and nothing", strings.Join(tt.args, " "), code, out)
		}
		if strings.Count(stderr, tt.want) != 1 || strings.Count(stderr, "herald: ") != 1 {
			t.Errorf("herald %s: stderr %q; want %q once, one error", strings.Join(tt.args, " "), stderr, tt.want)
		}
	}
}

func TestCompletion(t *testing.T) {
	srv := farm(t, 2)
	cfg := farmConfig(t, srv, 2, "")
	for _, args := range [][]string{{"fetch", "--feed", ""}, {"reextract", "--feed", ""}, {"export", "--feed", ""}} {
		code, out, _ := runCLI(t, append([]string{"__complete", "-c", cfg}, args...)...)
		if code != 0 || !strings.HasPrefix(out, "f0\nf1\n") {
			t.Errorf("completing %s: exit %d, %q; want the feed names", strings.Join(args, " "), code, out)
		}
	}
	if _, out, _ := runCLI(t, "__complete", "export", "--format", "js"); !strings.Contains(out, "jsonl\n") {
		t.Errorf("completing --format: %q", out)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, stderr := runCLI(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "herald") || stderr != "" {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, code, len(out), stderr)
		}
	}
}

// fetch exits 1 when no feed succeeded, and with --strict when any failed;
// the summary is printed either way.
func TestFetchExitStatus(t *testing.T) {
	srv := farm(t, 2)
	cfg := farmConfig(t, srv, 2, "  - url: "+srv.URL+"/missing\n    name: broken\n")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"fetch"}, 0, ""},
		{[]string{"fetch", "--strict"}, exitFailure, "herald: 1 of 3 feeds failed (--strict)"},
		{[]string{"fetch", "--feed", "broken"}, exitFailure, "herald: no feed succeeded: 1 failed"},
		{[]string{"fetch", "--feed", "broken", "--feed", "f1"}, 0, ""}, // f1 not modified: a success
		{[]string{"fetch", "--strict", "--feed", "f0", "--feed", "f1"}, 0, ""},
	}
	for _, tt := range tests {
		code, out, stderr := runCLI(t, append([]string{"-c", cfg}, tt.args...)...)
		if code != tt.code || !strings.Contains(out, "feeds: ") {
			t.Errorf("herald %s: exit %d, want %d; stdout %q", strings.Join(tt.args, " "), code, tt.code, out)
		}
		if tt.want != "" && strings.Count(stderr, tt.want) != 1 || tt.want == "" && stderr != "" {
			t.Errorf("herald %s: stderr %q, want %q", strings.Join(tt.args, " "), stderr, tt.want)
		}
	}
}

// SIGINT during fetch is reported as an interruption, not as each feed's
// failure ("ingest heise: context canceled").
func TestFetchInterrupted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>`)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes
	}))
	defer srv.Close()
	cfg := writeFile(t, t.TempDir(), "feeds.yaml", fmt.Sprintf("sites:\n  127.0.0.1:\n    site_concurrency: 4\n    site_gap: 0s\n"+
		"feeds:\n  - url: %[1]s/heise\n    name: heise\n  - url: %[1]s/lwn\n    name: lwn\n", srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel) // as SIGINT does through main's NotifyContext
	var out, errb bytes.Buffer
	code := run(ctx, []string{"-c", cfg, "fetch"}, strings.NewReader(""), &out, &errb)
	if code != exitFailure || errb.String() != "herald: interrupted; what the round fetched before is archived\n" {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if strings.Contains(out.String(), "failed ") || strings.Contains(out.String(), "cancel") || !strings.Contains(out.String(), "0 failed, 2 interrupted") {
		t.Errorf("stdout %q", out.String())
	}
}

// --log-level debug shows the polls that found nothing new; --log-format
// json makes every log line a JSON object.
func TestRunLogFlags(t *testing.T) {
	srv := farm(t, 1)
	listen := freePort(t)
	cfg := writeFile(t, t.TempDir(), "feeds.yaml", fmt.Sprintf("listen: %s\ndefaults:\n  interval: 1s\n  min_interval: 1s\n  max_interval: 1s\n  full_text: false\n"+
		"sites:\n  127.0.0.1:\n    site_gap: 0s\nfeeds:\n  - url: %s/feed/0\n    name: f0\n", listen, srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"run", "-c", cfg, "--log-level", "debug", "--log-format", "json"}, strings.NewReader(""), io.Discard, logs)
	}()
	waitFor(t, "a not-modified poll in the log", func() bool { return strings.Contains(logs.String(), `"msg":"not modified"`) })
	cancel()
	if code := <-exited; code != 0 {
		t.Errorf("run: exit %d", code)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Level == "" || rec.Msg == "" {
			t.Errorf("log line %q is not a JSON record: %v", line, err)
		}
	}
}

// Every command says what it does, with an example, and checks its
// arguments (cobra lets a subcommand without an Args check take any).
func TestEveryCommandDescribed(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "completion" { // cobra's own
				continue
			}
			if sub.Short == "" || sub.Example == "" || sub.Args == nil {
				t.Errorf("%s: want Short, Example and Args; have %q, %q, Args set: %v", sub.CommandPath(), sub.Short, sub.Example, sub.Args != nil)
			}
			walk(sub)
		}
	}
	walk(newRoot(&env{stdout: io.Discard, stderr: io.Discard}))
}
