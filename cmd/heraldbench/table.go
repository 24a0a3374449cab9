package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// row compares one Herald measurement with the bare loop's; goal is the
// issue's target for the ratio of wall times.
type row struct {
	name         string
	bare, herald measure
	goal         float64
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "round\tbare wall\tbare CPU\tbare peak\therald wall\therald CPU\therald peak\twall ratio\tgoal\t")
	for _, r := range rows {
		ratio := r.herald.Wall.Seconds() / r.bare.Wall.Seconds()
		verdict := "ok"
		if ratio > r.goal {
			verdict = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f×\t≤%.0f× %s\t\n", r.name,
			secs(r.bare.Wall), secs(r.bare.CPU), mb(r.bare.PeakKB),
			secs(r.herald.Wall), secs(r.herald.CPU), peak(r.herald), ratio, r.goal, verdict)
	}
	tw.Flush()
	for _, r := range rows {
		fmt.Fprintf(w, "%s: bare: %s; herald: %s\n", r.name, r.bare.Note, r.herald.Note)
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func mb(kb int64) string          { return fmt.Sprintf("%d MB", kb/1024) }

// peak is the peak RSS, with the anonymous part (the process's own memory,
// without the archive's mapped file) when it was sampled.
func peak(m measure) string {
	if m.AnonKB == 0 {
		return mb(m.PeakKB)
	}
	return fmt.Sprintf("%s (anon %s)", mb(m.PeakKB), mb(m.AnonKB))
}
