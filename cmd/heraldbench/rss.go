package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// rssPeak is the most a child held of each kind of resident memory:
// anonymous (its heap, stacks and runtime) and file-backed, which for
// herald is mostly the archive file that bbolt maps, and of both (hwmKB,
// the kernel's VmHWM). getrusage reports the sum, and the kernel maps up
// to 16 neighbouring pages of the page cache on each fault of a file
// mapping, so the file-backed part grows with the archive whether or not
// herald reads those pages. getrusage's figure also takes in the parent's
// own peak, which exec records for a child started with vfork, as Go
// starts them: hwmKB is the child's alone.
type rssPeak struct{ anonKB, fileKB, hwmKB int64 }

// sampleRSS reads /proc/PID/status every 10 ms until stop is closed, and
// then sends the peaks. It finds nothing where /proc does not exist.
func sampleRSS(pid int, stop <-chan struct{}) <-chan rssPeak {
	out := make(chan rssPeak, 1)
	go func() {
		var peak rssPeak
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if anon, file, hwm, err := readRSS(pid); err == nil {
				peak.anonKB, peak.fileKB, peak.hwmKB = max(peak.anonKB, anon), max(peak.fileKB, file), max(peak.hwmKB, hwm)
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

func readRSS(pid int) (anonKB, fileKB, hwmKB int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "RssAnon" && name != "RssFile" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		switch name {
		case "RssAnon":
			anonKB = kb
		case "RssFile":
			fileKB = kb
		default:
			hwmKB = kb
		}
	}
	return anonKB, fileKB, hwmKB, sc.Err()
}
