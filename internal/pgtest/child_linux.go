package pgtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// childAttr runs a child as cred's user (nil: ours), and has the kernel
// send it SIGQUIT (PostgreSQL's immediate shutdown) when the test process
// dies. Go ends a thread, which is what the kernel watches, only when a
// goroutine locked to it exits; pgtest's callers do not lock threads.
func childAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}

// sweep removes the folders of earlier clusters whose test process died
// without Main's cleanup: their server has gone (childAttr), the folder
// stayed. A folder with a live server, or young enough to be one being
// made, is left alone.
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), folderPrefix+"*"))
	for _, d := range dirs {
		if pidFile, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid")); err == nil {
			pid, _ := strconv.Atoi(strings.SplitN(string(pidFile), "\n", 2)[0])
			if pid > 0 && syscall.Kill(pid, 0) != syscall.ESRCH {
				continue
			}
		} else if fi, err := os.Stat(d); err != nil || time.Since(fi.ModTime()) < 10*time.Minute {
			continue
		}
		os.RemoveAll(d)
	}
}
