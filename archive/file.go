package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"runtime/debug"

	"herald/archive/kv"
	"herald/archive/kv/boltkv"

	bolt "go.etcd.io/bbolt"
)

var (
	// ErrDamaged is returned (wrapped with what was found) when the file is
	// not a sound archive: truncated, with damaged pages, empty, or not a
	// bbolt file at all. Nothing is written to such a file.
	ErrDamaged = errors.New("archive is damaged")
	// ErrNoArchive is returned by a read-only Open when the file does not
	// exist: readers never create an archive.
	ErrNoArchive = errors.New("no archive at this path")
)

// The bbolt file format, as far as Herald reads it without bbolt: every
// page starts with a 16-byte header (id uint64, flags uint16, count uint16,
// overflow uint32); pages 0 and 1 are meta pages, of which bbolt opens the
// valid one with the higher transaction id. Integers are in the machine's
// byte order, little-endian on every platform Herald runs on.
const (
	pageHeaderSize   = 16
	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01

	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	noFreelist     = ^uint64(0)
	metaSize       = 64 // magic … txid, the bytes the checksum covers
	defaultPage    = 4096
	maxPageSize    = 1 << 16
	leafElemSize   = 16
	branchElemSize = 16
)

var le = binary.LittleEndian

// metaPage is one of the file's two meta pages, as read from the bytes.
type metaPage struct {
	err                       error // why the page is not valid
	pageSize                  int
	root, freelist, hwm, txid uint64
}

// fileCheck is what the meta pages say about the file, checked before bbolt
// maps it: bbolt trusts the meta page's high-water mark, and reading a page
// past the end of a truncated file is a SIGBUS, not an error.
type fileCheck struct {
	size     int64
	pageSize int
	metas    [2]metaPage
	use      int // the meta page bbolt opens
}

// damaged wraps ErrDamaged with what was found.
func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// inspectFile checks the file at path before bbolt opens it. A missing file
// is ErrNoArchive when mustExist, else (nil, nil): it is about to be
// created. An empty file is refused rather than made an archive.
func inspectFile(path string, mustExist bool) (*fileCheck, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if mustExist {
			return nil, ErrNoArchive
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return checkMetas(f)
}

// checkMetas reads the two meta pages of the file r and checks that the one
// bbolt opens fits in the file.
func checkMetas(f interface {
	io.ReaderAt
	Stat() (os.FileInfo, error)
}) (*fileCheck, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	fc := &fileCheck{size: info.Size()}
	if fc.size == 0 {
		return nil, damaged("the file is empty (0 bytes)")
	}
	fc.metas[0] = readMeta(f, 0, 0)
	fc.pageSize = defaultPage
	if fc.metas[0].err == nil {
		fc.pageSize = fc.metas[0].pageSize
	}
	fc.metas[1] = readMeta(f, int64(fc.pageSize), 1)
	m0, m1 := fc.metas[0], fc.metas[1]
	switch {
	case m0.err != nil && m1.err != nil:
		if errors.Is(m0.err, errNotBolt) && errors.Is(m1.err, errNotBolt) {
			return nil, damaged("not a bbolt file (no bbolt meta page)")
		}
		return nil, damaged("both meta pages are damaged (page 0: %v; page 1: %v)", m0.err, m1.err)
	case m0.err != nil:
		fc.use, fc.pageSize = 1, m1.pageSize
	case m1.err != nil || m1.txid < m0.txid:
		fc.use = 0
	default:
		fc.use = 1
	}
	m := fc.metas[fc.use]
	if need := int64(m.hwm) * int64(fc.pageSize); fc.size < need {
		return nil, damaged("truncated: the file has %d bytes, its meta page (transaction %d) calls for %d pages of %d bytes (%d bytes)",
			fc.size, m.txid, m.hwm, fc.pageSize, need)
	}
	return fc, nil
}

// fallback describes a damaged meta page that bbolt skips, opening the
// other: the last commit may be lost. Empty when both are valid.
func (fc *fileCheck) fallback() string {
	other := 1 - fc.use
	if fc.metas[other].err == nil {
		return ""
	}
	return fmt.Sprintf("meta page %d is damaged (%v): bbolt opens meta page %d (transaction %d) instead, so the last commit may be lost",
		other, fc.metas[other].err, fc.use, fc.metas[fc.use].txid)
}

var errNotBolt = errors.New("not a bbolt meta page")

// readMeta reads the meta page at off, which should be page id.
func readMeta(r io.ReaderAt, off int64, id uint64) metaPage {
	var b [pageHeaderSize + metaSize]byte
	if _, err := r.ReadAt(b[:], off); err != nil {
		return metaPage{err: fmt.Errorf("%w (cannot read %d bytes at offset %d)", errNotBolt, len(b), off)}
	}
	body := b[pageHeaderSize:]
	if le.Uint32(body[0:]) != boltMagic {
		return metaPage{err: errNotBolt}
	}
	m := metaPage{
		pageSize: int(le.Uint32(body[8:])),
		root:     le.Uint64(body[16:]),
		freelist: le.Uint64(body[32:]),
		hwm:      le.Uint64(body[40:]),
		txid:     le.Uint64(body[48:]),
	}
	h := fnv.New64a()
	h.Write(body[:56])
	switch {
	case le.Uint32(body[4:]) != boltVersion:
		m.err = fmt.Errorf("bbolt version %d, not %d", le.Uint32(body[4:]), boltVersion)
	case le.Uint64(body[56:]) != h.Sum64():
		m.err = errors.New("checksum mismatch")
	case le.Uint64(b[0:]) != id || le.Uint16(b[8:])&metaPageFlag == 0:
		m.err = fmt.Errorf("page header says page %d, flags %#x", le.Uint64(b[0:]), le.Uint16(b[8:]))
	case m.pageSize < 512 || m.pageSize > maxPageSize || m.pageSize&(m.pageSize-1) != 0:
		m.err = fmt.Errorf("page size %d", m.pageSize)
	case m.hwm < 2 || m.root < 2 || m.root >= m.hwm || (m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.hwm)):
		m.err = fmt.Errorf("root page %d, freelist page %d, high-water mark %d", m.root, m.freelist, m.hwm)
	}
	return m
}

// guard runs fn, turning a panic or a memory fault into ErrDamaged: bbolt
// panics on a page that is not what it expects ("assertion failed: Page
// expected to be …"), and a page past a truncated file's end faults. bbolt
// rolls back the transaction of a panic, so nothing is written.
func guard(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			err = damaged("%v", r)
		}
	}()
	return fn()
}

// store is the archive's engine. On a bbolt file every transaction is
// guarded: a damaged page panics or faults inside bbolt. Another engine's
// panic is a bug, not damage, and is left to crash.
type store struct {
	kv.Engine
	bolt *bolt.DB // the file, on bbolt; nil on another engine
}

func newStore(e kv.Engine) store { return store{Engine: e, bolt: boltkv.Raw(e)} }

func (s store) View(fn func(kv.Tx) error) error {
	if s.bolt == nil {
		return s.Engine.View(fn)
	}
	return guard(func() error { return s.Engine.View(fn) })
}

func (s store) Update(fn func(kv.Tx) error) error {
	if s.bolt == nil {
		return s.Engine.Update(fn)
	}
	return guard(func() error { return s.Engine.Update(fn) })
}

// setFill sets how full bbolt packs the pages of b when it splits them
// (bolt.Bucket.FillPercent); other engines have no pages to pack.
func setFill(b kv.Bucket, fill float64) {
	if bb := boltkv.RawBucket(b); bb != nil {
		bb.FillPercent = fill
	}
}

// keyCount counts the keys of b: a bbolt file counts them from its pages'
// headers, another engine walks them.
func keyCount(b kv.Bucket) int {
	if bb := boltkv.RawBucket(b); bb != nil {
		return bb.Stats().KeyN
	}
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}

// fileOnly is the error of a feature that only a bbolt file has.
func fileOnly(feature, instead string) error {
	return fmt.Errorf("%s: not available on a PostgreSQL archive; %s", feature, instead)
}
