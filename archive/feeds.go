package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"herald"
	"herald/archive/kv"
)

// Feed states live in the archive, not in memory, so that a restarted
// daemon, or a second worker, resumes the schedule where it stopped.

// SaveFeedState stores a feed's state, replacing the one stored before. It
// returns before the state is on disk (see stateQueue): FeedState and
// FeedStates see it at once, other processes a moment later, and Close
// waits for it. On a shared engine it returns once the state is stored. An error is that of an earlier write of queued states.
func (db *DB) SaveFeedState(ctx context.Context, state herald.FeedState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validFeedName(state.Name); err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	if db.ro {
		return fmt.Errorf("save feed state %s: %w", state.Name, kv.ErrTxNotWritable)
	}
	if db.shared {
		// Another process may poll the feed next: it must read this.
		err := db.store.Update(func(tx kv.Tx) error { return putFeedState(tx, state) })
		if err != nil {
			return fmt.Errorf("save feed state: %w", err)
		}
		return nil
	}
	db.queueState(state)
	q := &db.states
	q.mu.Lock()
	defer q.mu.Unlock()
	err := q.err
	q.err = nil
	return err
}

func putFeedState(tx kv.Tx, state herald.FeedState) error {
	data, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("feed %s: %w", state.Name, err)
	}
	if err := tx.Bucket(bucketFeeds).Put([]byte(state.Name), data); err != nil {
		return fmt.Errorf("feed %s: %w", state.Name, err)
	}
	return nil
}

// FeedState returns the stored state of the named feed, and false when
// there is none.
func (db *DB) FeedState(name string) (herald.FeedState, bool, error) {
	if s, ok := db.states.queuedState(name); ok {
		return s, true, nil
	}
	var (
		state herald.FeedState
		found bool
	)
	err := db.store.View(func(tx kv.Tx) error {
		data := tx.Bucket(bucketFeeds).Get([]byte(name))
		if data == nil {
			return nil
		}
		found = true
		return decodeFeedState(name, data, &state)
	})
	return state, found, err
}

// FeedStates returns every stored feed state, sorted by name.
func (db *DB) FeedStates() ([]herald.FeedState, error) {
	var states []herald.FeedState
	queued := db.states.queuedStates()
	err := db.store.View(func(tx kv.Tx) error {
		return tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			if s, ok := queued[string(k)]; ok {
				delete(queued, string(k))
				states = append(states, s)
				return nil
			}
			var s herald.FeedState
			if err := decodeFeedState(string(k), v, &s); err != nil {
				return err
			}
			states = append(states, s)
			return nil
		})
	})
	if err != nil || len(queued) == 0 {
		return states, err
	}
	for _, s := range queued {
		states = append(states, s)
	}
	slices.SortFunc(states, func(a, b herald.FeedState) int { return strings.Compare(a.Name, b.Name) })
	return states, nil
}

// DeleteFeedState forgets a feed's state (a feed removed from feeds.yaml).
// Its articles stay.
func (db *DB) DeleteFeedState(name string) error {
	return db.store.Update(func(tx kv.Tx) error {
		db.states.forget(name)
		return tx.Bucket(bucketFeeds).Delete([]byte(name))
	})
}

func decodeFeedState(name string, data []byte, s *herald.FeedState) error {
	if err := json.Unmarshal(data, s); err != nil {
		return fmt.Errorf("feed %s: corrupt state: %w", name, err)
	}
	return nil
}
