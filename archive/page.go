package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Page is the raw article page an article was extracted from, kept so that
// it can be extracted again when the rules improve.
type Page struct {
	URL         string
	ContentType string
	Fetched     time.Time
	Body        []byte
}

// pageHeader is the JSON line before the body in a stored page. JSON has no
// raw newline, so the first "\n" ends it.
type pageHeader struct {
	URL         string    `json:"url"`
	ContentType string    `json:"content_type,omitempty"`
	Fetched     time.Time `json:"fetched,omitzero"`
}

// encodePage compresses a page with a writer from pool, if one is there.
// Speed wins over size: a page is written once and read back rarely.
func encodePage(p *Page, pool *sync.Pool) ([]byte, error) {
	hdr, err := json.Marshal(pageHeader{URL: p.URL, ContentType: p.ContentType, Fetched: p.Fetched})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(p.Body)/3 + len(hdr) + 64)
	zw, _ := pool.Get().(*gzip.Writer)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed) // the level is valid
	} else {
		zw.Reset(&buf)
	}
	defer pool.Put(zw)
	zw.Write(hdr) // a bytes.Buffer write cannot fail; Close reports any error
	zw.Write([]byte{'\n'})
	zw.Write(p.Body)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodePage(data []byte) (*Page, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(zr)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("page header: %w", err)
	}
	var hdr pageHeader
	if err := json.Unmarshal(line, &hdr); err != nil {
		return nil, fmt.Errorf("page header: %w", err)
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("page body: %w", err)
	}
	return &Page{URL: hdr.URL, ContentType: hdr.ContentType, Fetched: hdr.Fetched, Body: body}, nil
}

// putPage stores a page encoded by encodePage.
func putPage(b *bolt.Bucket, id string, data []byte) error {
	if err := b.Put([]byte(id), data); err != nil {
		return fmt.Errorf("page %s: %w", id, err)
	}
	return nil
}

// Page returns the stored page of an article, or ErrNotFound.
func (db *DB) Page(id string) (*Page, error) {
	var p *Page
	err := db.bolt.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketPages).Get([]byte(id))
		if data == nil {
			return fmt.Errorf("page %q: %w", id, ErrNotFound)
		}
		var err error
		if p, err = decodePage(data); err != nil {
			return fmt.Errorf("page %q: corrupt record: %w", id, err)
		}
		return nil
	})
	return p, err
}

// EachPage calls fn with every stored page in id order, inside one read
// transaction: fn must not write to the archive.
func (db *DB) EachPage(ctx context.Context, fn func(id string, p *Page) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketPages).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			p, err := decodePage(v)
			if err != nil {
				return fmt.Errorf("page %q: corrupt record: %w", k, err)
			}
			if err := fn(string(k), p); err != nil {
				return err
			}
		}
		return nil
	})
}
