package archive

import (
	"bytes"
	"slices"
)

// claimSet holds the claims of the log in memory, a few hundred thousand
// at most: the newest in a map, the rest in a slice sorted by fingerprint
// of entries of fixed size and no pointers, which takes half the memory of
// a map and nothing of the garbage collector's time. The map merges into
// the slice as it grows.
type claimSet struct {
	sorted []claimEntry
	fresh  map[fingerprint]string
	// long holds the ids of sorted's entries that do not pack (imported
	// ones), by claim.
	long map[fingerprint]string
}

// claimEntry is a claim's fingerprint and its value: a packed id (idPacked
// and 16 bytes), longID (the id is in long), or all zero for a release.
type claimEntry struct {
	fp  fingerprint
	val [1 + idBytes]byte
}

const longID = idText

// freshClaims is how large fresh grows before it merges into sorted: a
// merge moves the whole slice, but a claim in fresh takes about 80 bytes,
// in sorted 33.
const freshClaims = 1 << 12

func newClaimSet() claimSet {
	return claimSet{fresh: map[fingerprint]string{}, long: map[fingerprint]string{}}
}

// reset empties s, keeping its memory for the claims to come.
func (s *claimSet) reset() {
	s.sorted = s.sorted[:0]
	clear(s.fresh)
	clear(s.long)
}

func (s *claimSet) len() int { return len(s.sorted) + len(s.fresh) }

// get returns the value of fp's claim: an index value (appendID), or ""
// for a release; ok is false if the set has none.
func (s *claimSet) get(fp fingerprint) (val string, ok bool) {
	if val, ok := s.fresh[fp]; ok {
		return val, true
	}
	i, ok := slices.BinarySearchFunc(s.sorted, fp, compareEntry)
	if !ok {
		return "", false
	}
	return s.value(&s.sorted[i]), true
}

func (s *claimSet) value(e *claimEntry) string {
	switch e.val[0] {
	case idPacked:
		return string(e.val[:])
	case longID:
		return s.long[e.fp]
	default:
		return ""
	}
}

func compareEntry(e claimEntry, fp fingerprint) int { return bytes.Compare(e.fp[:], fp[:]) }

func byFingerprint(a, b claimEntry) int { return bytes.Compare(a.fp[:], b.fp[:]) }

func (s *claimSet) put(fp fingerprint, val string) {
	s.fresh[fp] = val
	if len(s.fresh) >= freshClaims {
		s.merge()
	}
}

// merge moves fresh into sorted, in place: a claim already there is
// changed where it stands, and the new ones are merged in from the back, each run of
// old entries moved at once.
func (s *claimSet) merge() {
	added := make([]claimEntry, 0, len(s.fresh))
	for fp, val := range s.fresh {
		if i, found := slices.BinarySearchFunc(s.sorted, fp, compareEntry); found {
			s.sorted[i] = s.entry(fp, val)
		} else {
			added = append(added, s.entry(fp, val))
		}
	}
	clear(s.fresh)
	slices.SortFunc(added, byFingerprint)
	hi := len(s.sorted) // sorted[:hi] has not moved yet
	if n := hi + len(added); n > cap(s.sorted) {
		s.sorted = append(make([]claimEntry, 0, max(n, 2*cap(s.sorted))), s.sorted...)
	}
	s.sorted = s.sorted[:hi+len(added)]
	end := len(s.sorted) // sorted[end:] is merged
	for j := len(added) - 1; j >= 0; j-- {
		at, _ := slices.BinarySearchFunc(s.sorted[:hi], added[j].fp, compareEntry)
		end -= hi - at
		copy(s.sorted[end:], s.sorted[at:hi])
		end--
		s.sorted[end] = added[j]
		hi = at
	}
}

// fill sets an empty set to entries, in the order they were made (entry):
// sorted at once, the last of each claim kept. Putting them one by one
// would move the growing slice again every freshClaims.
func (s *claimSet) fill(entries []claimEntry) {
	slices.SortStableFunc(entries, byFingerprint)
	out := entries[:0]
	for i, e := range entries {
		if i+1 < len(entries) && entries[i+1].fp == e.fp {
			continue // a later one replaces it
		}
		out = append(out, e)
	}
	s.sorted = out
}

// entry makes fp's entry for val, keeping a long id in long.
func (s *claimSet) entry(fp fingerprint, val string) claimEntry {
	e := claimEntry{fp: fp}
	if len(s.long) > 0 {
		delete(s.long, fp)
	}
	switch {
	case val == "":
	case len(val) == len(e.val) && val[0] == idPacked:
		copy(e.val[:], val)
	default:
		e.val[0] = longID
		s.long[fp] = val
	}
	return e
}
