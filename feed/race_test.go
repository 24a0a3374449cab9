//go:build race

package feed

// raceEnabled lets the slowest volume tests shrink under the race detector,
// which makes them ten times slower without testing anything more (the
// package starts no goroutines).
const raceEnabled = true
