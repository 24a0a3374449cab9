package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"herald/internal/pgtest"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryOut  []byte
)

// heraldBinary builds the command once for the tests that run it as a
// child process (to measure its memory, or to kill it); they are skipped in
// -short mode.
func heraldBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary: skipped in -short mode")
	}
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "herald-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "herald")
		binaryOut, binaryErr = exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
	})
	if binaryErr != nil {
		t.Fatalf("go build: %v\n%s", binaryErr, binaryOut)
	}
	return binaryPath
}

func TestMain(m *testing.M) {
	// pgtest stops the PostgreSQL cluster it started for the many-pollers
	// tests.
	code := pgtest.Run(m)
	if binaryPath != "" {
		os.RemoveAll(filepath.Dir(binaryPath))
	}
	os.Exit(code)
}
