//go:build unix

package extract

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock measures the process's CPU time (user and system, GC workers
// included) over a benchmark. On a machine shared with other work, wall
// time per op swings with the load; CPU time per op does much less.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{start: processCPU()} }

// report adds cpu-ns/op and, when perOp > 1, cpu-ms/page.
func (c cpuClock) report(b *testing.B, perOp int) {
	d := processCPU() - c.start
	if b.N == 0 {
		return
	}
	b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if perOp > 1 {
		b.ReportMetric(float64(d.Microseconds())/1000/float64(b.N*perOp), "cpu-ms/page")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
