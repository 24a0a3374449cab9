package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"strings"
	"testing"
)

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zlibbed(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflated(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadBody(t *testing.T) {
	text := []byte(strings.Repeat("<p>Herald</p>\n", 100)) // 1400 bytes
	tests := []struct {
		name     string
		body     []byte
		encoding string
		hint     int64
		max      int64
		want     []byte
		err      error // errTooLarge, or a *decodeError when decodeErr
		decode   bool
	}{
		{name: "identity", body: text, hint: -1, max: 2000, want: text},
		{name: "identity with length", body: text, hint: int64(len(text)), max: 2000, want: text},
		{name: "exactly max", body: text, hint: -1, max: int64(len(text)), want: text},
		{name: "one over max", body: text, hint: -1, max: int64(len(text)) - 1, err: errTooLarge},
		{name: "length over max", body: text, hint: int64(len(text)), max: 100, err: errTooLarge},
		{name: "empty", body: nil, hint: 0, max: 10, want: []byte{}},
		{name: "gzip", body: gzipped(t, text), encoding: "gzip", hint: -1, max: 2000, want: text},
		{name: "x-gzip, upper case", body: gzipped(t, text), encoding: " X-GZIP", hint: -1, max: 2000, want: text},
		{name: "gzip over max", body: gzipped(t, text), encoding: "gzip", hint: -1, max: 1000, err: errTooLarge},
		{name: "two gzip members", body: append(gzipped(t, text[:700]), gzipped(t, text[700:])...), encoding: "gzip", hint: -1, max: 2000, want: text},
		{name: "gzip empty body", body: nil, encoding: "gzip", hint: 0, max: 10, want: []byte{}},
		{name: "deflate (zlib)", body: zlibbed(t, text), encoding: "deflate", hint: -1, max: 2000, want: text},
		{name: "deflate (raw)", body: deflated(t, text), encoding: "deflate", hint: -1, max: 2000, want: text},
		{name: "identity encoding", body: text, encoding: "identity", hint: -1, max: 2000, want: text},
		{name: "not gzip", body: text, encoding: "gzip", hint: -1, max: 2000, decode: true},
		{name: "truncated gzip", body: gzipped(t, text)[:40], encoding: "gzip", hint: -1, max: 2000, decode: true},
		{name: "gzip then garbage", body: append(gzipped(t, text), "garbage"...), encoding: "gzip", hint: -1, max: 2000, decode: true},
		{name: "brotli", body: text, encoding: "br", hint: -1, max: 2000, decode: true},
		{name: "bad deflate", body: []byte{0xff, 0xff, 0xff}, encoding: "deflate", hint: -1, max: 2000, decode: true},
		{name: "huge unknown encoding", body: text, encoding: strings.Repeat("q", 16<<10), hint: -1, max: 2000, decode: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBody(bytes.NewReader(tt.body), tt.encoding, tt.hint, tt.max)
			var de *decodeError
			switch {
			case tt.decode:
				if !errors.As(err, &de) {
					t.Fatalf("err = %v (%T), want a decode error", err, err)
				}
				if len(de.Error()) > 100 {
					t.Fatalf("decode error of %d bytes; it is shown as one short line", len(de.Error()))
				}
			case tt.err != nil:
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			case !bytes.Equal(got, tt.want) || got == nil:
				t.Fatalf("body = %.40q (%d bytes), want %.40q (%d bytes)", got, len(got), tt.want, len(tt.want))
			}
		})
	}
}

// TestReadBodyConnError checks that an error of the connection under a
// decoder comes out as itself, not as a decoding error, so that it is
// classified as a timeout or a reset.
func TestReadBodyConnError(t *testing.T) {
	boom := errors.New("connection reset")
	zipped := gzipped(t, bytes.Repeat([]byte("x"), 100000))
	body := io.MultiReader(bytes.NewReader(zipped[:len(zipped)/2]), iotestErr{boom})
	_, err := readBody(body, "gzip", -1, 1<<20)
	var de *decodeError
	if !errors.Is(err, boom) || errors.As(err, &de) {
		t.Fatalf("err = %v (%T), want the connection's error", err, err)
	}
}

type iotestErr struct{ err error }

func (r iotestErr) Read([]byte) (int, error) { return 0, r.err }

// TestReadBodyEndlessEmptyMembers: a gzip stream of empty members decodes
// to nothing, forever; the bound on encoded bytes stops it.
func TestReadBodyEndlessEmptyMembers(t *testing.T) {
	empty := gzipped(t, nil)
	endless := &repeatReader{chunk: empty}
	_, err := readBody(endless, "gzip", -1, 1<<10)
	if !errors.Is(err, errTooLarge) {
		t.Fatalf("err = %v, want too large", err)
	}
}

type repeatReader struct {
	chunk []byte
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.chunk[r.off:])
	r.off = (r.off + n) % len(r.chunk)
	return n, nil
}

func FuzzReadBody(f *testing.F) {
	text := []byte("<rss><channel><title>Herald</title></channel></rss>")
	f.Add(text, "")
	f.Add(gzipped(f, text), "gzip")
	f.Add(zlibbed(f, text), "deflate")
	f.Add(deflated(f, text), "deflate")
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, "gzip")
	const max = 4 << 10
	f.Fuzz(func(t *testing.T, body []byte, encoding string) {
		got, err := readBody(bytes.NewReader(body), encoding, -1, max)
		if err == nil && len(got) > max {
			t.Fatalf("read %d bytes, over max %d", len(got), max)
		}
		if err != nil && got != nil {
			t.Fatalf("body and error both returned")
		}
	})
}
