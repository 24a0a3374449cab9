package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"herald"
	"herald/archive/kv"

	"github.com/klauspost/compress/s2"
)

// encodeArticle is the stored form of an article, which is also its export
// form: JSON without HTML escaping (article HTML is most of the bytes).
func encodeArticle(a *herald.Article) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// A stored article record is the article's export JSON, or, when that saves
// at least an eighth, recordS2 and then the JSON as one S2 block. Full texts
// store their words twice (text and HTML) and shrink to about half: the
// archive is half the size and a commit writes half the bytes, at a cost of
// about 2 µs per KB in the polling goroutine and less than 1 µs per KB to
// read back. JSON never begins with recordS2, so records written before
// compression read as they are.
const recordS2 = 0x01

// minCompress is the shortest JSON worth compressing: below it, S2's
// framing eats most of what it saves.
const minCompress = 256

// storeRecord is the stored form of json, an encodeArticle.
func storeRecord(json []byte) []byte {
	if len(json) < minCompress {
		return json
	}
	enc := s2.EncodeBetter(make([]byte, s2.MaxEncodedLen(len(json))), json)
	if 1+len(enc) > len(json)-len(json)/8 {
		return json
	}
	// A record of the exact size: the encoder's buffer is sized for the
	// worst case, and a record is kept until its commit.
	rec := make([]byte, 1+len(enc))
	rec[0] = recordS2
	copy(rec[1:], enc)
	return rec
}

// recordJSON returns the export JSON of a stored record, decompressing it
// into buf when buf is large enough.
func recordJSON(buf, rec []byte) ([]byte, error) {
	r := recordReader{buf: buf}
	return r.json(rec)
}

// recordReader reads records one after another, decompressing each into
// the buffer of the last: what it returns is valid until the next call.
type recordReader struct{ buf []byte }

func (r *recordReader) json(rec []byte) ([]byte, error) {
	if len(rec) == 0 || rec[0] != recordS2 {
		// Plain JSON is returned as it is: the archive's own memory,
		// never a buffer to decompress into.
		return rec, nil
	}
	data, err := s2.Decode(r.buf[:cap(r.buf)], rec[1:])
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	r.buf = data
	return data, nil
}

func decodeRecord(rec []byte) (*herald.Article, error) {
	data, err := recordJSON(nil, rec)
	if err != nil {
		return nil, err
	}
	return decodeArticle(data)
}

func decodeArticle(data []byte) (*herald.Article, error) {
	var a herald.Article
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func getArticle(b kv.Bucket, id string) (*herald.Article, error) {
	rec := b.Get([]byte(id))
	if rec == nil {
		return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
	}
	a, err := decodeRecord(rec)
	if err != nil {
		return nil, fmt.Errorf("article %q: corrupt record: %w", id, err)
	}
	return a, nil
}

// normalize puts an article in the form the archive keeps: tags sorted,
// unique, non-empty and without NUL (by_tag keys end a tag with one); one source per feed and key, in order of arrival; a
// source's Key only when it differs from its GUID; a content hash; and how
// the text was found ("feed" unless said otherwise). It is idempotent, which
// export-import-export identity relies on.
func normalize(a *herald.Article) {
	scrubURLs(a)
	a.Tags = normalizeTags(a.Tags)
	srcs := make([]herald.Source, 0, len(a.Sources))
	seen := make(map[string]bool, len(a.Sources))
	for _, s := range a.Sources {
		if s.Key == s.GUID {
			s.Key = ""
		}
		k := string(sourceKey(s))
		if seen[k] {
			continue
		}
		seen[k] = true
		srcs = append(srcs, s)
	}
	a.Sources = srcs
	if a.ContentHash == "" {
		a.ContentHash = herald.ContentHash(a.Text)
	}
	if a.ExtractedBy == "" {
		a.ExtractedBy = herald.ExtractedByFeed
	}
}

func normalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t != "" && !strings.ContainsRune(t, 0) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// unionTags returns a's tags with more added, sorted and unique.
func unionTags(a, more []string) []string {
	return normalizeTags(append(slices.Clone(a), more...))
}

// validate checks what the indexes rely on.
func validate(a *herald.Article) error {
	switch {
	case a.ID == "":
		return errors.New("no id")
	case len(a.ID) > maxIDLen:
		return fmt.Errorf("id is %d bytes, more than %d", len(a.ID), maxIDLen)
	case !utf8.ValidString(a.ID):
		return errors.New("id is not UTF-8")
	case strings.TrimSpace(a.URL) == "":
		return errors.New("no url")
	case len(a.Sources) == 0:
		return errors.New("no sources")
	}
	for i, s := range a.Sources {
		if err := validFeedName(s.Feed); err != nil {
			return fmt.Errorf("sources[%d]: %w", i, err)
		}
		if entryKey(s) == "" {
			return fmt.Errorf("sources[%d]: no guid", i)
		}
	}
	for _, t := range a.Tags {
		if strings.ContainsRune(t, 0) {
			return fmt.Errorf("tag %q holds a NUL character", t)
		}
	}
	return nil
}

func validFeedName(name string) error {
	switch {
	case name == "":
		return errors.New("no feed name")
	case len(name) > maxFeedName:
		return fmt.Errorf("feed name is %d bytes, more than %d", len(name), maxFeedName)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("feed name %q holds a NUL character", name)
	}
	return nil
}

// addSources merges more sources and tags into a copy of a. Sources whose
// feed and key another article already holds are left there (have reports
// whether a key is taken). It reports whether anything was added.
func addSources(a *herald.Article, srcs []herald.Source, tags []string, taken func(herald.Source) bool) (*herald.Article, bool) {
	n := *a
	n.Sources = slices.Clone(a.Sources)
	have := make(map[string]bool, len(a.Sources))
	for _, s := range a.Sources {
		have[string(sourceKey(s))] = true
	}
	added := false
	for _, s := range srcs {
		k := string(sourceKey(s))
		if have[k] || taken(s) {
			continue
		}
		have[k] = true
		n.Sources = append(n.Sources, s)
		added = true
	}
	n.Tags = unionTags(a.Tags, tags)
	if !slices.Equal(n.Tags, a.Tags) {
		added = true
	}
	return &n, added
}

// canonicalTimes gives a's times the values they will have once read back
// from JSON. RFC 3339 keeps an offset to the minute only, so a zone such as
// local mean time (+08:27:52) moves the instant; the indexes must be keyed
// by the instant stored. A time JSON cannot hold (a year past 9999) becomes
// zero.
func canonicalTimes(a *herald.Article) {
	a.Published = canonicalTime(a.Published)
	a.Updated = canonicalTime(a.Updated)
	a.Fetched = canonicalTime(a.Fetched)
	a.Sources = slices.Clone(a.Sources) // it may share its array with the stored article's
	for i := range a.Sources {
		a.Sources[i].Seen = canonicalTime(a.Sources[i].Seen)
	}
}

func canonicalTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	text, err := t.MarshalText()
	if err != nil {
		return time.Time{}
	}
	var u time.Time
	if err := u.UnmarshalText(text); err != nil {
		return time.Time{}
	}
	return u
}
