//go:build unix && !linux

package pgtest

import "syscall"

// childAttr: elsewhere than Linux, the server outlives a test process
// that dies without Main's cleanup, and pgtest does not run as root.
func childAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	if cred != nil {
		return &syscall.SysProcAttr{Credential: cred}
	}
	return nil
}

func sweep() {}
