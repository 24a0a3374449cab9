// Package procmem follows a running process's resident memory through
// Linux's /proc/PID/status, for the benchmark and the tests that bound
// Herald's memory. getrusage will not do for a child: Go starts children
// with vfork, and exec records the parent's peak RSS as the child's.
package procmem

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Usage is a process's resident memory in kB: anonymous (its heap, stacks
// and runtime), file-backed (for herald mostly the archive file that bbolt
// maps; the kernel maps up to 16 cached neighbours on each fault of a file
// mapping, so this part grows with the archive whether or not herald reads
// those pages), and the peak of both, the kernel's VmHWM of the process's
// own address space.
type Usage struct{ AnonKB, FileKB, PeakKB int64 }

// Read reads the resident memory of process pid now.
func Read(pid int) (Usage, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Usage{}, err
	}
	defer f.Close()
	var u Usage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		var field *int64
		switch {
		case !ok:
			continue
		case name == "RssAnon":
			field = &u.AnonKB
		case name == "RssFile":
			field = &u.FileKB
		case name == "VmHWM":
			field = &u.PeakKB
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return Usage{}, fmt.Errorf("%s: %w", name, err)
		}
		*field = kb
	}
	return u, sc.Err()
}

// Sample reads process pid's memory every interval until stop is closed,
// and then sends the most it found of each. It finds zeros where /proc
// does not exist.
func Sample(pid int, every time.Duration, stop <-chan struct{}) <-chan Usage {
	out := make(chan Usage, 1)
	go func() {
		var most Usage
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if u, err := Read(pid); err == nil {
				most = Usage{max(most.AnonKB, u.AnonKB), max(most.FileKB, u.FileKB), max(most.PeakKB, u.PeakKB)}
			}
			select {
			case <-stop:
				out <- most
				return
			case <-tick.C:
			}
		}
	}()
	return out
}
