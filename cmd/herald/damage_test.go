package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/archive"
)

// damagedArchive writes a config and an archive of n imported articles,
// and returns the config's path and the archive's.
func damagedArchive(t *testing.T, n int) (cfg, db string) {
	t.Helper()
	dir := t.TempDir()
	cfg = writeFile(t, dir, "feeds.yaml", "feeds:\n  - url: https://a.example/feed.xml\n    name: a\n")
	db = filepath.Join(dir, "herald.db")
	var lines strings.Builder
	for i := range n {
		fmt.Fprintf(&lines, `{"id":"%032x","url":"https://a.example/%d","title":"Story %d","text":"%s","published":"2025-01-02T03:04:05Z","sources":[{"feed":"a","guid":"g%d","seen":"2025-01-02T03:04:05Z"}]}`+"\n",
			i+1, i, i, strings.Repeat(fmt.Sprintf("Words of story %d. ", i), 40), i)
	}
	a, err := archive.Open(db, archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(context.Background(), strings.NewReader(lines.String())); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

// TestDamagedArchiveCommands: every command that reads the archive answers
// a damaged file with one line and exit status 1 (no panic, no fault),
// leaves it as it was, and salvage still gets articles out of it.
func TestDamagedArchiveCommands(t *testing.T) {
	cfg, db := damagedArchive(t, 300)
	sound, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	damages := map[string]func([]byte) []byte{
		"truncated": func(b []byte) []byte { return b[:64<<10] },
		"empty":     func([]byte) []byte { return nil },
		"a text file": func([]byte) []byte {
			return []byte("not an archive\n")
		},
		"random pages": func(b []byte) []byte {
			for i := 4 * 4096; i < 12*4096 && i < len(b); i++ {
				b[i] = byte(i*7 + i>>8)
			}
			return b
		},
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			data := damage(bytes.Clone(sound))
			if err := os.WriteFile(db, data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"stats"}, {"export"}, {"verify"}} {
				code, _, stderr := runCLI(t, append([]string{"-c", cfg, "--db", db}, args...)...)
				if code == exitOK && name == "random pages" && args[0] != "verify" {
					continue // the pages it reads may be sound
				}
				if code != exitFailure || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "herald: ") {
					t.Errorf("%s: exit %d, stderr %q; want 1 and one line", args[0], code, stderr)
				}
			}
			out := filepath.Join(t.TempDir(), "salvaged.jsonl")
			code, _, stderr := runCLI(t, "-c", cfg, "--db", db, "salvage", out)
			if code != exitOK {
				t.Errorf("salvage: exit %d, stderr %q", code, stderr)
			}
			if got, _ := os.ReadFile(db); !bytes.Equal(got, data) {
				t.Errorf("the commands changed the damaged file")
			}
			t.Logf("salvage: %s", strings.TrimSpace(stderr))
		})
	}
}

// TestReadersKeepBytes: stats, export and verify leave a sound archive's
// bytes as they were.
func TestReadersKeepBytes(t *testing.T) {
	cfg, db := damagedArchive(t, 50)
	before, _ := os.ReadFile(db)
	for _, cmd := range []string{"stats", "export", "verify"} {
		if code, _, stderr := runCLI(t, "-c", cfg, "--db", db, cmd); code != exitOK {
			t.Fatalf("%s: exit %d: %s", cmd, code, stderr)
		}
		if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
			t.Errorf("%s changed the archive's bytes", cmd)
		}
	}
}

// TestTypoNeverCreatesArchive: a read-only command given a path where no
// archive is says so in one line and creates nothing.
func TestTypoNeverCreatesArchive(t *testing.T) {
	cfg, db := damagedArchive(t, 1)
	typo := filepath.Join(filepath.Dir(db), "herlad.db")
	for _, cmd := range []string{"stats", "export", "verify", "salvage"} {
		args := []string{"-c", cfg, "--db", typo, cmd}
		if cmd == "salvage" {
			args = append(args, filepath.Join(t.TempDir(), "out.jsonl"))
		}
		code, _, stderr := runCLI(t, args...)
		if code != exitFailure || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "no archive at "+typo) {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, stderr)
		}
		if _, err := os.Stat(typo); !os.IsNotExist(err) {
			t.Fatalf("%s created %s", cmd, typo)
		}
	}
}
