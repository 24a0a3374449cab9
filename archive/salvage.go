package archive

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"herald"
)

// Salvaged is what Salvage found.
type Salvaged struct {
	Articles  int // written out
	Reachable int // of them, found through the tree of a meta page
	Pages     int // pages of the file
	Unread    int // pages that were not what they claimed to be, or could not be read
}

// maxOverflow bounds the pages one damaged page header can claim.
const maxOverflow = 1 << 16

// Salvage writes, in the jsonl export format and the export's order,
// every article that can still be read from the file at path, however
// damaged. It trusts nothing in the file: it reads pages with ReadAt (no
// mmap, so a truncated file is no fault), checks every offset, and first
// walks the articles bucket from each valid meta page (the newest
// versions), then looks at every leaf page of the file for article
// records the tree no longer reaches. Of an article found only on such
// pages (a damaged branch, or freed pages of earlier transactions), the
// latest version is kept. It holds the records in memory.
func Salvage(path string, w io.Writer) (Salvaged, error) {
	var res Salvaged
	f, err := os.Open(path)
	if err != nil {
		return res, fmt.Errorf("salvage: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return res, fmt.Errorf("salvage: %w", err)
	}
	p := &pager{r: f, size: info.Size(), ps: defaultPage}
	m0, m1 := readMeta(f, 0, 0), readMeta(f, defaultPage, 1)
	if m0.err == nil {
		p.ps = m0.pageSize
		m1 = readMeta(f, int64(p.ps), 1)
	} else if m1.err == nil {
		p.ps = m1.pageSize
	}
	// Every page of the file, past the high-water marks too: a damaged
	// meta page's may have been the higher.
	res.Pages = int(p.size / int64(p.ps))
	found := map[string]salvaged{}
	metas := []metaPage{m0, m1}
	slices.SortFunc(metas, func(a, b metaPage) int { return cmp.Compare(b.txid, a.txid) })
	for _, m := range metas {
		if m.err != nil {
			continue
		}
		p.walkBucket(m.root, nil, map[uint64]bool{}, func(flags uint32, k, v []byte) {
			if flags&bucketLeafFlag == 0 || !bytes.Equal(k, bucketArticles) || len(v) < 16 {
				return
			}
			p.walkBucket(le.Uint64(v), v[16:], map[uint64]bool{}, func(flags uint32, k, v []byte) {
				if _, ok := found[string(k)]; !ok && flags&bucketLeafFlag == 0 {
					if a, ok := articleRecord(k, v); ok {
						a.reached = true
						found[string(k)] = a
						res.Reachable++
					}
				}
			})
		})
	}
	for id := uint64(2); id < uint64(res.Pages); id++ {
		pg, err := p.page(id)
		if err != nil || pg.flags()&leafPageFlag == 0 {
			if !errors.Is(err, errBlankPage) && (err != nil || pg.flags()&(branchPageFlag|freelistPageFlag) == 0) {
				res.Unread++
			}
			continue
		}
		pg.eachLeaf(func(flags uint32, k, v []byte) {
			if flags&bucketLeafFlag != 0 {
				if len(v) > 16 && le.Uint64(v) == 0 { // an inline bucket
					page(v[16:]).eachLeaf(func(flags uint32, k, v []byte) { addStray(found, k, v) })
				}
				return
			}
			addStray(found, k, v)
		})
	}
	list := make([]salvaged, 0, len(found))
	for _, a := range found {
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b salvaged) int {
		return cmp.Or(bytes.Compare(a.order, b.order), cmp.Compare(a.id, b.id))
	})
	for _, a := range list {
		if _, err := w.Write(append(a.json, '\n')); err != nil {
			return res, fmt.Errorf("salvage: %w", err)
		}
		res.Articles++
	}
	return res, nil
}

// salvaged is one article found in the file.
type salvaged struct {
	id       string
	json     []byte
	order    []byte // its by_time key: export order
	reached  bool
	latest   time.Time
	nSources int
}

// articleRecord decodes v as the record of article k.
func articleRecord(k, v []byte) (salvaged, bool) {
	data, err := recordJSON(nil, v)
	if err != nil {
		return salvaged{}, false
	}
	a, err := decodeArticle(data)
	if err != nil || a.ID == "" || a.ID != string(k) {
		return salvaged{}, false
	}
	return salvaged{
		id: a.ID, json: bytes.Clone(data), order: timeIDKey("", a.Published, a.ID),
		latest: latestOf(a), nSources: len(a.Sources),
	}, true
}

// latestOf is the last time an article's record says it changed.
func latestOf(a *herald.Article) time.Time {
	t := a.Updated
	for _, s := range a.Sources {
		if s.Seen.After(t) {
			t = s.Seen
		}
	}
	return t
}

// addStray keeps an article record found outside the tree, unless the same
// or a later version of it was found already. A version the tree of the
// newest meta page reaches is the latest; but when that meta page is
// damaged, the older one's tree holds older versions, and the last
// commit's are found here.
func addStray(found map[string]salvaged, k, v []byte) {
	old, ok := found[string(k)]
	a, isArticle := articleRecord(k, v)
	if !isArticle {
		return
	}
	if ok && (a.latest.Before(old.latest) || (a.latest.Equal(old.latest) && a.nSources <= old.nSources)) {
		return
	}
	found[string(k)] = a
}

// pager reads the pages of a bbolt file without trusting it.
type pager struct {
	r    io.ReaderAt
	size int64
	ps   int
}

// page is one page's bytes, with its overflow pages.
type page []byte

func (pg page) flags() uint16 {
	if len(pg) < pageHeaderSize {
		return 0
	}
	return le.Uint16(pg[8:])
}

func (pg page) count() int { return int(le.Uint16(pg[10:])) }

// errBlankPage is a page never written: bbolt grows the file ahead of use.
var errBlankPage = errors.New("blank page")

// page reads page id and the overflow pages its header claims.
func (p *pager) page(id uint64) (page, error) {
	off := int64(id) * int64(p.ps)
	if id >= uint64(p.size)/uint64(p.ps) {
		return nil, fmt.Errorf("page %d is past the end of the file", id)
	}
	head := make([]byte, pageHeaderSize)
	if _, err := p.r.ReadAt(head, off); err != nil {
		return nil, err
	}
	if bytes.Equal(head, make([]byte, pageHeaderSize)) {
		return nil, errBlankPage
	}
	if le.Uint64(head) != id {
		return nil, fmt.Errorf("page %d says it is page %d", id, le.Uint64(head))
	}
	n := int64(le.Uint32(head[12:])) + 1
	if n > maxOverflow || off+n*int64(p.ps) > p.size {
		return nil, fmt.Errorf("page %d claims %d pages", id, n)
	}
	pg := make([]byte, n*int64(p.ps))
	if _, err := p.r.ReadAt(pg, off); err != nil {
		return nil, err
	}
	return pg, nil
}

// walkBucket calls fn for every leaf element of the bucket whose root is
// page root, or the inline page when root is 0; pages that are not what
// they should be are skipped.
func (p *pager) walkBucket(root uint64, inline []byte, seen map[uint64]bool, fn func(flags uint32, k, v []byte)) {
	if root == 0 {
		page(inline).eachLeaf(fn)
		return
	}
	if seen[root] || len(seen) > int(p.size/int64(p.ps)) {
		return
	}
	seen[root] = true
	pg, err := p.page(root)
	if err != nil {
		return
	}
	switch {
	case pg.flags()&branchPageFlag != 0:
		for i := range pg.count() {
			off := pageHeaderSize + i*branchElemSize
			if off+branchElemSize > len(pg) {
				return
			}
			p.walkBucket(le.Uint64(pg[off+8:]), nil, seen, fn)
		}
	case pg.flags()&leafPageFlag != 0:
		pg.eachLeaf(fn)
	}
}

// eachLeaf calls fn for every element of a leaf page that lies inside it.
func (pg page) eachLeaf(fn func(flags uint32, k, v []byte)) {
	if len(pg) < pageHeaderSize || pg.flags()&leafPageFlag == 0 {
		return
	}
	for i := range pg.count() {
		off := pageHeaderSize + i*leafElemSize
		if off+leafElemSize > len(pg) {
			return
		}
		e := pg[off:]
		flags, pos, ks, vs := le.Uint32(e), uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
		start := uint64(off) + pos
		if end := start + ks + vs; end > uint64(len(pg)) || end < start {
			continue
		}
		fn(flags, pg[start:start+ks], pg[start+ks:start+ks+vs])
	}
}
