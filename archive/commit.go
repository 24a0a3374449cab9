package archive

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"herald/archive/kv"
)

// commitQueue runs the write functions of concurrent Ingest calls in shared
// write transactions, a group commit: a call that finds a commit running
// waits only for it, then runs with every call that arrived meanwhile; one
// that finds none waits commitDelay for company. Each commit writes the same
// branch pages, the same last pages of the buckets kept in time order, and
// syncs the file twice, however little it carries, so fewer, fuller commits
// write less. bbolt's own Batch closes every batch 10 ms after its first
// call, so that under load, with commits slower than that, the waiting calls
// queue up as many small batches (12 polls a commit where 64 were waiting,
// in BenchmarkIngestStream).
type commitQueue struct {
	mu      sync.Mutex
	pending []*commitCall
	running bool // a goroutine is committing
	idle    sync.Cond
}

type commitCall struct {
	fn  func(kv.Tx, *claimView) error
	err chan error
}

// commitDelay is how long a call that finds no commit running waits for
// others to join it: polls that come faster than a small commit takes would
// otherwise commit a few at a time (a cold round of 5,000 polls made 720 to
// 820 commits without the delay, 650 to 690 with it), and a lone caller,
// which waits in vain, does not mind 10 ms.
const commitDelay = 10 * time.Millisecond

// maxCommitCalls bounds the calls of one transaction, which keeps every
// page it changes in memory until it commits.
const maxCommitCalls = 256

func (q *commitQueue) init() { q.idle.L = &q.mu }

// commit runs fn in a write transaction, shared with the calls queued
// beside it, and returns its error, or the commit's, once the transaction
// is durable. fn may run more than once, each time in a new transaction:
// it must start afresh.
func (db *DB) commit(fn func(kv.Tx, *claimView) error) error {
	c := &commitCall{fn: fn, err: make(chan error, 1)}
	q := &db.commits
	q.mu.Lock()
	q.pending = append(q.pending, c)
	if !q.running {
		q.running = true
		go db.runCommits()
	}
	q.mu.Unlock()
	return <-c.err
}

// runCommits commits what is queued until the queue is empty.
func (db *DB) runCommits() {
	time.Sleep(commitDelay)
	q := &db.commits
	for {
		q.mu.Lock()
		n := min(len(q.pending), maxCommitCalls)
		if n == 0 {
			q.running = false
			q.idle.Broadcast()
			q.mu.Unlock()
			return
		}
		batch := slices.Clone(q.pending[:n])
		q.pending = slices.Delete(q.pending, 0, n)
		q.mu.Unlock()
		db.commitBatch(batch)
		db.settleIfFull()
	}
}

// commitBatch runs batch in one transaction. A call whose function fails
// gets its error, and the others run again without it: one bad poll must
// not fail the feeds committed beside it.
func (db *DB) commitBatch(batch []*commitCall) {
	for len(batch) > 0 {
		failed := -1
		err := db.updateClaims(func(tx kv.Tx, texts *claimView) error {
			for i, c := range batch {
				if err := runSafely(c.fn, tx, texts); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, c := range batch {
				c.err <- err // nil, or why the commit failed
			}
			return
		}
		batch[failed].err <- err
		batch = slices.Delete(batch, failed, failed+1)
	}
}

// runSafely turns a panic in fn into its error, so that the others in
// its transaction still commit, and the caller hears of it.
func runSafely(fn func(kv.Tx, *claimView) error, tx kv.Tx, c *claimView) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return fn(tx, c)
}

// waitCommits returns once no commit runs or waits.
func (q *commitQueue) waitCommits() {
	q.mu.Lock()
	for q.running {
		q.idle.Wait()
	}
	q.mu.Unlock()
}
