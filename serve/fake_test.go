package serve

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"herald"
	"herald/archive"
)

// fakeArchive is an in-memory Archive with the real one's order (newest
// Published first, then larger id) and cursor behaviour.
type fakeArchive struct {
	mu       sync.Mutex
	articles []herald.Article // sorted newest first
	states   []herald.FeedState
	changed  time.Time
	changes  uint64
	recent   int // calls to Recent, to see the cache work
	closed   bool
	// gate, when set, holds every Recent until it is closed; lastChange
	// counts calls to LastChange, and called is signalled on each call to
	// either, so that a test can wait for requests to arrive.
	gate       chan struct{}
	lastChange int
	called     chan struct{}
}

func newFakeArchive(list []herald.Article, at time.Time) *fakeArchive {
	f := &fakeArchive{called: make(chan struct{}, 1)}
	f.put(at, list...)
	return f
}

func order(a, b herald.Article) int {
	if c := b.Published.Compare(a.Published); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// put adds or replaces articles and counts one change.
func (f *fakeArchive) put(at time.Time, list ...herald.Article) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range list {
		i := slices.IndexFunc(f.articles, func(b herald.Article) bool { return b.ID == a.ID })
		if i >= 0 {
			f.articles = slices.Delete(f.articles, i, i+1)
		}
		f.articles = append(f.articles, a)
	}
	slices.SortFunc(f.articles, order)
	f.changed = at
	f.changes++
}

func cursorOf(a herald.Article) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(a.Published.UnixNano(), 10) + "|" + a.ID))
}

// signal tells a test waiting in waitCall that a call came.
func (f *fakeArchive) signal() {
	select {
	case f.called <- struct{}{}:
	default:
	}
}

func (f *fakeArchive) waitCall() { <-f.called }

func (f *fakeArchive) Recent(q archive.Query) ([]herald.Article, string, error) {
	f.mu.Lock()
	f.recent++
	gate := f.gate
	f.mu.Unlock()
	f.signal()
	if gate != nil {
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, "", errors.New("database not open")
	}
	start := 0
	if q.Before != "" {
		raw, err := base64.RawURLEncoding.DecodeString(q.Before)
		ns, id, ok := strings.Cut(string(raw), "|")
		n, perr := strconv.ParseInt(ns, 10, 64)
		if err != nil || !ok || perr != nil {
			return nil, "", fmt.Errorf("%w %q", archive.ErrBadCursor, q.Before)
		}
		pivot := herald.Article{ID: id, Published: time.Unix(0, n)}
		start, _ = slices.BinarySearchFunc(f.articles, pivot, order)
		if start < len(f.articles) && f.articles[start].ID == id {
			start++
		}
	}
	limit := cmp.Or(q.Limit, archive.DefaultLimit)
	var out []herald.Article
	size := 0
	for _, a := range f.articles[start:] {
		if q.Feed != "" && !slices.ContainsFunc(a.Sources, func(s herald.Source) bool { return s.Feed == q.Feed }) {
			continue
		}
		if q.Tag != "" && !slices.Contains(a.Tags, q.Tag) {
			continue
		}
		n := len(a.Title) + len(a.Summary) + len(a.Text) + len(a.HTML)
		if len(out) == limit || (q.MaxBytes > 0 && len(out) > 0 && size+n > q.MaxBytes) {
			return out, cursorOf(out[len(out)-1]), nil
		}
		out = append(out, a)
		size += n
	}
	return out, "", nil
}

func (f *fakeArchive) Article(id string) (herald.Article, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.articles {
		if a.ID == id {
			return a, nil
		}
	}
	return herald.Article{}, fmt.Errorf("article %q: %w", id, archive.ErrNotFound)
}

func (f *fakeArchive) FeedStates() ([]herald.FeedState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, errors.New("database not open")
	}
	return slices.Clone(f.states), nil
}

func (f *fakeArchive) Stats() (archive.Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := archive.Stats{Articles: len(f.articles), Feeds: map[string]int{}}
	for _, a := range f.articles {
		s.Sources += len(a.Sources)
		seen := map[string]bool{}
		for _, src := range a.Sources {
			if !seen[src.Feed] {
				seen[src.Feed] = true
				s.Feeds[src.Feed]++
			}
		}
	}
	return s, nil
}

func (f *fakeArchive) LastChange() (time.Time, uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastChange++
	defer f.signal()
	return f.changed, f.changes
}

func (f *fakeArchive) lastChangeCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastChange
}

func (f *fakeArchive) recentCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.recent
}
