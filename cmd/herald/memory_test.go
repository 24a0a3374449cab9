package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestHostileRoundMemory runs `herald fetch` as a child over about a
// hundred hostile feeds (three copies of every fault, all polled at once)
// and bounds its peak resident memory.
func TestHostileRoundMemory(t *testing.T) {
	bin := heraldBinary(t)
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux's rusage (kilobytes)")
	}
	farm := newFaultFarm(t)
	farm.hostile.Store(true)
	dir := t.TempDir()
	const copies = 3
	cfg := writeFile(t, dir, "feeds.yaml", farm.config(faults, copies, "archive: herald.db\n"))

	cmd := exec.Command(bin, "-c", cfg, "fetch")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fetch over %d hostile feeds: %v\n%s", copies*len(faults), err, out)
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10 // MiB
	t.Logf("peak RSS of a round over %d hostile feeds: %d MiB\n%s", copies*len(faults), peak, lastLine(string(out)))
	if peak > 300 {
		t.Errorf("peak RSS %d MiB; want well under 400 MiB", peak)
	}
	checkBolt(t, filepath.Join(dir, "herald.db"))
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}
