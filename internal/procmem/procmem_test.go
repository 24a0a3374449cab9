package procmem

import (
	"os"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here:", err)
	}
	u, err := Read(os.Getpid())
	if err != nil || u.AnonKB <= 0 || u.FileKB <= 0 || u.PeakKB < u.AnonKB+u.FileKB {
		t.Errorf("%+v, %v: want all above zero, the peak at least anonymous and file together", u, err)
	}
	stop := make(chan struct{})
	peaks := Sample(os.Getpid(), 10*time.Millisecond, stop)
	time.Sleep(30 * time.Millisecond)
	close(stop)
	if p := <-peaks; p.AnonKB < u.AnonKB/2 || p.PeakKB < u.PeakKB {
		t.Errorf("sampled %+v, read %+v", p, u)
	}
	if _, err := Read(-1); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
