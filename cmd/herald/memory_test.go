package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"herald/internal/procmem"
)

// TestHostileRoundMemory runs `herald fetch` as a child over about a
// hundred hostile feeds (three copies of every fault, all polled at once)
// and bounds its peak resident memory.
func TestHostileRoundMemory(t *testing.T) {
	bin := heraldBinary(t)
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux's /proc")
	}
	farm := newFaultFarm(t)
	farm.hostile.Store(true)
	dir := t.TempDir()
	const copies = 3
	cfg := writeFile(t, dir, "feeds.yaml", farm.config(faults, copies, "archive: herald.db\n"))

	cmd := exec.Command(bin, "-c", cfg, "fetch")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Not getrusage: see package procmem.
	stop := make(chan struct{})
	usage := procmem.Sample(cmd.Process.Pid, 5*time.Millisecond, stop)
	err := cmd.Wait()
	close(stop)
	peak := (<-usage).PeakKB >> 10 // MiB
	if err != nil {
		t.Fatalf("fetch over %d hostile feeds: %v\n%s", copies*len(faults), err, out.String())
	}
	t.Logf("peak RSS of a round over %d hostile feeds: %d MiB\n%s", copies*len(faults), peak, lastLine(out.String()))
	if peak == 0 {
		t.Fatal("could not read the child's VmHWM from /proc")
	}
	if peak > 300 {
		t.Errorf("peak RSS %d MiB; want well under 400 MiB", peak)
	}
	checkBolt(t, filepath.Join(dir, "herald.db"))
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}
