package schedule

import (
	"container/heap"
	"slices"
	"time"

	"herald"
	"herald/poll"
)

// entry is one configured feed in the schedule. At any moment it is in
// exactly one of these places: the timers heap (waiting for its due time),
// its site's ready list (due, waiting for a slot), running, or nowhere (gone).
type entry struct {
	feed  poll.Feed
	site  string
	state herald.FeedState // the last known, to reschedule when the config changes
	due   time.Time

	index   int    // in queue.timers; -1 when not there
	ready   bool   // in queue.ready[site]
	running string // the site whose slot the running poll holds; "" when idle
	removed bool   // dropped from the config while its poll ran
	repoll  bool   // its URL changed while its poll ran: poll again at once
	gone    bool   // HTTP 410: not polled again until its URL changes
}

// queue is the scheduler's pure core: which feeds are due, which may start
// now under the global and per-site limits, and where each goes after its
// poll. It does no I/O, reads no clock and takes no locks, so that a test can
// drive it through days of simulated time.
type queue struct {
	limit     int              // polls in flight over all sites
	siteLimit func(string) int // polls in flight per site

	feeds    map[string]*entry // by feed name
	timers   timerHeap
	ready    map[string][]*entry // per site, due and waiting, earliest first
	nready   int
	busy     map[string]int // polls in flight per site
	inflight int
}

func newQueue(limit int, siteLimit func(string) int) *queue {
	return &queue{
		limit: limit, siteLimit: siteLimit,
		feeds: map[string]*entry{}, ready: map[string][]*entry{}, busy: map[string]int{},
	}
}

// schedule puts an idle entry on the timers to be due at t.
func (q *queue) schedule(e *entry, t time.Time) {
	q.unqueue(e)
	e.due = t
	heap.Push(&q.timers, e)
}

// unqueue takes e off the timers or its site's ready list, wherever it is.
func (q *queue) unqueue(e *entry) {
	if e.index >= 0 {
		heap.Remove(&q.timers, e.index)
	}
	if e.ready {
		list := q.ready[e.site]
		if i := slices.Index(list, e); i >= 0 {
			q.setReady(e.site, slices.Delete(list, i, i+1))
		}
		e.ready = false
		q.nready--
	}
}

func (q *queue) setReady(site string, list []*entry) {
	if len(list) == 0 {
		delete(q.ready, site)
		return
	}
	q.ready[site] = list
}

// remove drops a feed from the schedule. A running poll finishes; done then
// forgets it.
func (q *queue) remove(e *entry) {
	q.unqueue(e)
	e.removed = true
	delete(q.feeds, e.feed.Name)
}

// due moves every feed due at now to its site's ready list, then starts as
// many ready feeds as the limits allow, earliest due first, and returns them.
// A site at its limit keeps its feeds waiting without holding global slots,
// so a slow site never starves the others.
func (q *queue) due(now time.Time) []*entry {
	for len(q.timers) > 0 && !q.timers[0].due.After(now) {
		e := heap.Pop(&q.timers).(*entry)
		e.ready = true
		q.ready[e.site] = append(q.ready[e.site], e)
		q.nready++
	}
	var started []*entry
	for q.inflight < q.limit {
		site := q.pick()
		if site == "" {
			break
		}
		list := q.ready[site]
		e := list[0]
		q.setReady(site, list[1:])
		e.ready = false
		q.nready--
		e.running = site
		q.busy[site]++
		q.inflight++
		started = append(started, e)
	}
	return started
}

// pick returns the site whose earliest ready feed has waited longest among
// the sites with a free slot, or "" when none may start.
func (q *queue) pick() string {
	best := ""
	var at time.Time
	for site, list := range q.ready {
		if q.busy[site] >= max(1, q.siteLimit(site)) {
			continue
		}
		d := list[0].due
		if best == "" || d.Before(at) || (d.Equal(at) && site < best) {
			best, at = site, d
		}
	}
	return best
}

// done ends e's poll: its site slot and global slot are freed, and it is
// scheduled for next unless it was removed meanwhile or is gone.
func (q *queue) done(e *entry, next time.Time, gone bool) {
	if e.running == "" {
		return
	}
	q.busy[e.running]--
	if q.busy[e.running] <= 0 {
		delete(q.busy, e.running)
	}
	q.inflight--
	e.running = ""
	e.gone = gone
	if e.removed || gone {
		return
	}
	q.schedule(e, next)
}

// wakeAt is when the next feed falls due; false when none is waiting on time.
func (q *queue) wakeAt() (time.Time, bool) {
	if len(q.timers) == 0 {
		return time.Time{}, false
	}
	return q.timers[0].due, true
}

// lag is how long past its due time the most overdue waiting feed is.
func (q *queue) lag(now time.Time) time.Duration {
	var lag time.Duration
	for _, list := range q.ready {
		lag = max(lag, now.Sub(list[0].due))
	}
	if len(q.timers) > 0 {
		lag = max(lag, now.Sub(q.timers[0].due))
	}
	return lag
}

// timerHeap orders idle entries by due time; it implements heap.Interface.
type timerHeap []*entry

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].feed.Name < h[j].feed.Name // deterministic order for tests
	}
	return h[i].due.Before(h[j].due)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *timerHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.index = -1
	return e
}
