package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errTooLarge reports a body over the limit, counted in decoded bytes.
var errTooLarge = errors.New("body too large")

// decodeError is a body the server sent in a broken or unasked-for encoding.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// acceptEncoding is what we ask for: only what readBody can decode.
const acceptEncoding = "gzip, deflate"

// rawLimit is how many bytes of an encoded body are read for max decoded
// bytes. Compressed data may be a little larger than its decoded form
// (stored blocks), never much; without this bound an endless stream of empty
// gzip members would be read until the timeout.
func rawLimit(max int64, encoded bool) int64 {
	if !encoded {
		return max
	}
	return max + max/8 + 64<<10
}

// readBody reads body, decoding it per the Content-Encoding value, and fails
// with errTooLarge as soon as more than max decoded bytes arrive, so that a
// gzip bomb costs no more memory than max. sizeHint is the Content-Length
// (-1 if unknown).
func readBody(body io.Reader, encoding string, sizeHint, max int64) ([]byte, error) {
	encoding = strings.ToLower(strings.TrimSpace(encoding))
	encoded := encoding != "" && encoding != "identity"
	limit := rawLimit(max, encoded)
	if sizeHint > limit {
		return nil, errTooLarge
	}
	raw := &capReader{r: body, n: limit}
	if !encoded {
		return readAtMost(raw, max, sizeHint)
	}
	dec, err := decoder(raw, encoding)
	if errors.Is(err, io.EOF) {
		return []byte{}, nil // an encoded but empty body
	}
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	return readAtMost(dec, max, -1)
}

// decoder returns a reader of the decoded body.
func decoder(r io.Reader, encoding string) (io.ReadCloser, error) {
	switch encoding {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, wrapDecode("gzip", err)
		}
		return &decodeReader{ReadCloser: zr, name: "gzip"}, nil
	case "deflate":
		// "deflate" means zlib-wrapped data (RFC 9110), but some servers
		// send a bare deflate stream; the zlib header tells them apart.
		br := bufio.NewReader(r)
		head, err := br.Peek(2)
		if len(head) == 0 && err != nil {
			return nil, wrapDecode("deflate", err)
		}
		if len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, wrapDecode("deflate", err)
			}
			return &decodeReader{ReadCloser: zr, name: "deflate"}, nil
		}
		return &decodeReader{ReadCloser: flate.NewReader(br), name: "deflate"}, nil
	}
	if len(encoding) > 40 {
		// The server's header, quoted in a status line: keep it short.
		encoding = encoding[:40] + "…"
	}
	return nil, &decodeError{fmt.Errorf("unsupported content-encoding %q", encoding)}
}

// wrapDecode marks format errors as decode errors and lets errors of the
// connection (timeouts, resets) and our limit through unchanged, so that
// they are classified as such.
func wrapDecode(name string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, errTooLarge) {
		return err
	}
	var ce *connError
	if errors.As(err, &ce) {
		return ce.err
	}
	return &decodeError{fmt.Errorf("bad %s body: %w", name, err)}
}

// decodeReader tells decoding errors from the connection's.
type decodeReader struct {
	io.ReadCloser
	name string
}

func (d *decodeReader) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = wrapDecode(d.name, err)
	}
	return n, err
}

// connError marks an error of the underlying body (the connection), as
// opposed to one of the decoder reading it.
type connError struct{ err error }

func (e *connError) Error() string { return e.err.Error() }

// capReader reads at most n bytes from r and then fails with errTooLarge.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, wrapConn(err)
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, wrapConn(err)
}

func wrapConn(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return &connError{err}
}

// readAtMost reads r to its end, or fails with errTooLarge past max bytes.
// It reads into chunks and joins them at the end, so that a body cut off at
// max costs about max bytes of memory, and one that fits about twice its
// size (once when its length was announced).
func readAtMost(r io.Reader, max, sizeHint int64) ([]byte, error) {
	var chunks [][]byte
	var total int64
	next := int64(8 << 10)
	if sizeHint >= 0 {
		next = sizeHint + 1 // room to see EOF
	}
	for {
		chunk := make([]byte, min(next, max+1-total))
		n, err := fill(r, chunk)
		total += int64(n)
		if total > max {
			return nil, errTooLarge
		}
		chunks = append(chunks, chunk[:n])
		if err == io.EOF {
			return join(chunks, total), nil
		}
		if err != nil {
			var ce *connError
			if errors.As(err, &ce) {
				return nil, ce.err
			}
			return nil, err
		}
		next = min(2*int64(len(chunk)), 1<<20)
	}
}

// fill reads until p is full or r fails.
func fill(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// join concatenates chunks into one slice of total bytes.
func join(chunks [][]byte, total int64) []byte {
	if len(chunks) == 1 && cap(chunks[0])-len(chunks[0]) <= 1<<10 {
		return chunks[0]
	}
	b := make([]byte, 0, total)
	for _, c := range chunks {
		b = append(b, c...)
	}
	return b
}
