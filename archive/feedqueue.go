package archive

import (
	"fmt"
	"slices"
	"sync"

	"herald"
	"herald/archive/kv"
)

// stateQueue holds feed states saved but not yet written. A state written
// after a 304 or a failure is not worth an fsync of its own, and waiting for
// a shared one would hold up the poll worker that saved it: in a round where
// every feed answers 304, the round would go at the pace of commits. So
// SaveFeedState queues the state and one writer goroutine commits the queue
// as it grows. Readers see queued states; Close writes what is left. A crash
// loses at most the states of the last moments, which only makes the next
// round poll those feeds again.
type stateQueue struct {
	mu      sync.Mutex
	pending map[string]queued
	seq     uint64 // counts saves, so that a state saved again is told apart
	running bool   // a writer goroutine is at work
	idle    sync.Cond
	err     error // the first failed write, reported by Close
}

type queued struct {
	state herald.FeedState
	seq   uint64
}

func (q *stateQueue) init() {
	q.pending = map[string]queued{}
	q.idle.L = &q.mu
}

// queueState queues a state and starts the writer unless it runs.
func (db *DB) queueState(state herald.FeedState) {
	q := &db.states
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	q.pending[state.Name] = queued{state: state, seq: q.seq}
	if !q.running {
		q.running = true
		go db.writeStates()
	}
}

// writeStates commits the queue until it is empty.
func (db *DB) writeStates() {
	q := &db.states
	for {
		err := db.flushStates(nil)
		q.mu.Lock()
		if err != nil && q.err == nil {
			q.err = err
		}
		if err != nil || len(q.pending) == 0 {
			q.running = false
			q.idle.Broadcast()
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
	}
}

// flushStates writes the queued states of names, or all when names is nil,
// in one transaction. They leave the queue once committed (unless saved
// again meanwhile), so that readers always find them in the one place or
// the other.
func (db *DB) flushStates(names []string) error {
	q := &db.states
	var written []queued
	err := db.store.Update(func(tx kv.Tx) error {
		q.mu.Lock()
		defer q.mu.Unlock()
		written = written[:0]
		for name, e := range q.pending {
			if names != nil && !slices.Contains(names, name) {
				continue
			}
			if err := putFeedState(tx, e.state); err != nil {
				return err
			}
			written = append(written, e)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save feed states: %w", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, w := range written {
		if q.pending[w.state.Name].seq == w.seq {
			delete(q.pending, w.state.Name)
		}
	}
	return nil
}

// beforeIngest writes the queued state of a feed, if any, before Ingest
// writes a newer one: else the queue could later write the older state over
// it.
func (db *DB) beforeIngest(name string) error {
	if _, ok := db.states.queuedState(name); !ok {
		return nil
	}
	return db.flushStates([]string{name})
}

// forget drops a queued state, inside the transaction that deletes the
// stored one, so that the queue cannot write it back.
func (q *stateQueue) forget(name string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.pending, name)
}

// queuedState returns the queued state of a feed, if any.
func (q *stateQueue) queuedState(name string) (herald.FeedState, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.pending[name]
	return e.state, ok
}

// queuedStates returns every queued state.
func (q *stateQueue) queuedStates() map[string]herald.FeedState {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string]herald.FeedState, len(q.pending))
	for n, e := range q.pending {
		out[n] = e.state
	}
	return out
}

// drainStates waits for the writer, then writes what is queued, and
// returns the first error any write had.
func (db *DB) drainStates() error {
	q := &db.states
	q.mu.Lock()
	for q.running {
		q.idle.Wait()
	}
	left := len(q.pending)
	q.mu.Unlock()
	if left > 0 {
		if err := db.flushStates(nil); err != nil {
			return err
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}
