package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
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
	// getrusage's peak for a child is no use here: Go starts children
	// with vfork, and exec records the parent's peak as the child's, so a
	// test binary that has grown large (as under -race) reports its own
	// size. The kernel's VmHWM of the child's own address space is read
	// instead, as long as the child runs.
	stop := make(chan struct{})
	hwm := make(chan int64, 1)
	go func() {
		var peak int64
		for {
			if kb := readHWM(cmd.Process.Pid); kb > peak {
				peak = kb
			}
			select {
			case <-stop:
				hwm <- peak
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	peak := <-hwm >> 10 // MiB
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

// readHWM is the peak resident set of process pid in kB, or 0 when it
// cannot be read (the process has ended).
func readHWM(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}
