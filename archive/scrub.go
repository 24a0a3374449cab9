package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"herald"
	"herald/archive/kv"

	"github.com/klauspost/compress/s2"
)

// Herald before issue 12 kept a feed's credentials (user:password@ in its
// URL) wherever it kept the feed URL, and in links, images and GUIDs it
// resolved against it. scrubCredentials removes them, with herald.StoredURL,
// from a file opened for writing: feed states, articles (their URL, image,
// HTML, sources' feed URL, link, GUID and key) and the URLs of stored pages.
// It runs once per file ("credentials_scrubbed" in meta, set when it is
// done); a run cut short is run again from the start, which changes nothing
// already scrubbed.
var metaScrubbed = []byte("credentials_scrubbed")

// scrubBatch is how many records one transaction of the scrub reads.
const scrubBatch = 2000

func (db *DB) scrubCredentials() error {
	done := false
	if err := db.store.View(func(tx kv.Tx) error {
		done = tx.Bucket(bucketMeta).Get(metaScrubbed) != nil
		return nil
	}); err != nil || done {
		return err
	}
	if err := db.store.Update(scrubFeedStates); err != nil {
		return fmt.Errorf("scrub credentials: %w", err)
	}
	for after := []byte(nil); ; {
		var err error
		if after, err = db.scrubArticles(after); err != nil {
			return fmt.Errorf("scrub credentials: %w", err)
		}
		if after == nil {
			break
		}
	}
	for after := []byte(nil); ; {
		err := db.store.Update(func(tx kv.Tx) (err error) {
			after, err = db.scrubPages(tx, after)
			return err
		})
		if err != nil {
			return fmt.Errorf("scrub credentials: %w", err)
		}
		if after == nil {
			break
		}
	}
	return db.store.Update(func(tx kv.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaScrubbed, []byte("1"))
	})
}

func scrubFeedStates(tx kv.Tx) error {
	b := tx.Bucket(bucketFeeds)
	var states []herald.FeedState
	err := b.ForEach(func(k, v []byte) error {
		if !hasUserInfo(v) {
			return nil
		}
		var s herald.FeedState
		if err := decodeFeedState(string(k), v, &s); err != nil {
			return err
		}
		for _, f := range []*string{&s.URL, &s.ConfigURL, &s.MovedTo, &s.SiteLink, &s.LastError} {
			*f = herald.StoredURL(*f)
		}
		states = append(states, s)
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range states {
		if err := putFeedState(tx, s); err != nil {
			return err
		}
	}
	return nil
}

// hasUserInfo is a quick test that a record may hold a URL with user info.
func hasUserInfo(data []byte) bool {
	return bytes.Contains(data, []byte("://")) && bytes.IndexByte(data, '@') >= 0
}

// scrubArticles scrubs the articles after the key after (nil: from the
// first), a batch in one transaction, and returns the last key read, or nil
// when none is left.
func (db *DB) scrubArticles(after []byte) (last []byte, err error) {
	err = db.updateClaims(func(tx kv.Tx, texts *claimView) error {
		articles := tx.Bucket(bucketArticles)
		var ids []string
		c := articles.Cursor()
		k, _ := c.First()
		if after != nil {
			k, _ = c.Seek(after)
			if bytes.Equal(k, after) {
				k, _ = c.Next()
			}
		}
		for ; k != nil && len(ids) < scrubBatch; k, _ = c.Next() {
			ids = append(ids, string(k))
		}
		if len(ids) == 0 {
			return nil
		}
		last = []byte(ids[len(ids)-1])
		var rr recordReader
		var w *writeTx // made for the first article to scrub: it reads the clock
		for _, id := range ids {
			js, err := rr.json(articles.Get([]byte(id)))
			if err != nil {
				continue // damaged: left for herald verify and salvage
			}
			if !hasUserInfo(js) {
				continue
			}
			if w == nil {
				w = newWriteTx(tx, texts, db.now())
			}
			if err := w.scrubArticle(id, js); err != nil {
				return fmt.Errorf("article %q: %w", id, err)
			}
		}
		if w == nil {
			return nil
		}
		return w.finish()
	})
	return last, err
}

func (w *writeTx) scrubArticle(id string, js []byte) error {
	old, err := decodeArticle(js)
	if err != nil {
		return err
	}
	n, err := decodeCopy(old)
	if err != nil {
		return err
	}
	scrubURLs(n)
	for i := range n.Sources {
		s := &n.Sources[i]
		before := entryKey(old.Sources[i])
		if entryKey(*s) == before {
			continue
		}
		if o := owner(w.byKey, sourceKey(*s)); o != "" && o != id {
			// Another article has this feed entry under the scrubbed
			// key already: this source keeps a key of its own, made
			// from the old one without showing it.
			sum := sha256.Sum256([]byte(before))
			s.Key = "sha256:" + hex.EncodeToString(sum[:])
		}
	}
	normalize(n)
	if same, err := sameArticle(old, n); err != nil || same {
		return err
	}
	return w.replace(old, n)
}

// scrubURLs removes user info from every URL of a, and from its sources'
// GUIDs and keys, which may be made of one. normalize applies it to every
// article written, imports of an older Herald's export among them.
func scrubURLs(a *herald.Article) {
	for _, f := range []*string{&a.URL, &a.Image, &a.HTML} {
		*f = herald.StoredURL(*f)
	}
	for i := range a.Sources {
		s := &a.Sources[i]
		for _, f := range []*string{&s.FeedURL, &s.Link, &s.GUID, &s.Key} {
			*f = herald.StoredURL(*f)
		}
	}
}

// scrubPages scrubs the URLs of the pages after the key after, as
// scrubArticles does the articles. Only a page's header is decoded to find
// out.
func (db *DB) scrubPages(tx kv.Tx, after []byte) (last []byte, err error) {
	b := tx.Bucket(bucketPages)
	type found struct {
		id   string
		page *Page
	}
	var fix []found
	c := b.Cursor()
	k, v := c.First()
	if after != nil {
		k, v = c.Seek(after)
		if bytes.Equal(k, after) {
			k, v = c.Next()
		}
	}
	for n := 0; k != nil && n < scrubBatch; k, v = c.Next() {
		n++
		last = append(last[:0], k...)
		if url, err := pageURL(v); err == nil && herald.StoredURL(url) == url {
			continue
		}
		p, err := decodePage(v)
		if err != nil || herald.StoredURL(p.URL) == p.URL {
			continue // damaged pages are left for herald verify and salvage
		}
		p.URL = herald.StoredURL(p.URL)
		fix = append(fix, found{string(k), p})
	}
	for _, f := range fix {
		data, err := encodePage(f.page, &db.pageWriters)
		if err != nil {
			return nil, fmt.Errorf("page %q: %w", f.id, err)
		}
		if err := putPage(b, f.id, data); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// pageURL reads the URL of a stored page from its header, decompressing
// only as far as the header's end; a header longer than the buffer is an
// error, and the caller decodes the whole page.
func pageURL(data []byte) (string, error) {
	var r io.Reader
	if len(data) > 0 && data[0] == recordS2 {
		r = s2.NewReader(bytes.NewReader(data[1:]))
	} else {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return "", err
		}
		r = zr
	}
	line, err := bufio.NewReader(r).ReadSlice('\n')
	if err != nil {
		return "", fmt.Errorf("page header: %w", err)
	}
	var hdr pageHeader
	if err := json.Unmarshal(line, &hdr); err != nil {
		return "", fmt.Errorf("page header: %w", err)
	}
	return hdr.URL, nil
}
