package archive

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"herald"
	"herald/archive/kv"
)

const (
	// importBatch is how many articles one import transaction writes: large
	// enough that fsync does not dominate, small enough that a transaction's
	// dirty pages stay a few megabytes.
	importBatch = 1000
	// maxLine bounds one jsonl line, so that a file without newlines cannot
	// take all memory.
	maxLine = 64 << 20
)

// Import reads an export in either format (detected) and archives its
// articles, keeping their ids, cleaned exactly as ingest cleans an item
// (clean: bounded fields, http(s) URLs, sanitised HTML, hashes
// recomputed) and deduplicated by ingest's rules (identify) against the
// articles archived before: an article whose id or source is archived, or
// whose URL or identifying text is that of an article of other feeds,
// adds its sources and tags to that article. Articles of the same file
// are never merged with one another by URL or text: an export's articles
// are already distinct, and the order ingest met them in, on which the
// rules depend, is lost. It streams, writing batches of importBatch
// articles per transaction. The error for a bad article names its line
// (jsonl) or number (json); the articles before it are archived, and
// importing the same file again is harmless.
func (db *DB) Import(ctx context.Context, r io.Reader) (Result, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	imp := &importer{db: db, ctx: ctx, created: map[string]bool{}}
	var err error
	if isJSONExport(br) {
		err = imp.readJSON(br)
	} else {
		err = imp.readJSONL(br)
	}
	// What came before a bad article is archived, so that a file with an
	// error near the end need not be read twice.
	if ferr := imp.flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return imp.res, fmt.Errorf("import: %w", err)
	}
	return imp.res, nil
}

// isJSONExport tells the json format ({"articles": [...]}) from jsonl (one
// article object a line) by the first key.
func isJSONExport(br *bufio.Reader) bool {
	head, _ := br.Peek(512)
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	head = bytes.TrimLeft(head[1:], " \t\r\n")
	return bytes.HasPrefix(head, []byte(`"articles"`))
}

type importer struct {
	db    *DB
	ctx   context.Context
	batch []herald.Article
	res   Result
	// created holds the ids of the articles this import inserted.
	created map[string]bool
}

func (imp *importer) readJSON(r io.Reader) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	found := false
	n := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("json: %w", err)
		}
		if tok != "articles" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("json: %q: %w", tok, err)
			}
			continue
		}
		found = true
		if err := expectDelim(dec, '['); err != nil {
			return err
		}
		for dec.More() {
			n++
			var a herald.Article
			if err := dec.Decode(&a); err != nil {
				return fmt.Errorf("article %d: %w", n, err)
			}
			if err := imp.add(a, fmt.Sprintf("article %d", n)); err != nil {
				return err
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			return err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if !found {
		return errors.New(`json: no "articles" array`)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("json: data after the export object")
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err == io.EOF {
		return fmt.Errorf("json: unexpected end, want %q", want)
	}
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	if tok != want {
		return fmt.Errorf("json: found %v, want %q", tok, want)
	}
	return nil
}

func (imp *importer) readJSONL(br *bufio.Reader) error {
	for line := 1; ; line++ {
		data, err := readLine(br)
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if data = bytes.TrimSpace(data); len(data) > 0 {
			var a herald.Article
			if uerr := json.Unmarshal(data, &a); uerr != nil {
				return fmt.Errorf("line %d: %w", line, uerr)
			}
			if aerr := imp.add(a, fmt.Sprintf("line %d", line)); aerr != nil {
				return aerr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine reads up to and including the next "\n", at most maxLine bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		if len(line)+len(part) > maxLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxLine)
		}
		line = append(line, part...)
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

// add cleans and checks one article and queues it, writing a batch when
// full.
func (imp *importer) add(a herald.Article, where string) error {
	if len(a.Sources) > 0 {
		clean(&a, imp.db.sanitize)
		a.URL = articleURL(&a)
	}
	if err := validate(&a); err != nil {
		return fmt.Errorf("%s (id %q): %w", where, a.ID, err)
	}
	normalize(&a)
	imp.batch = append(imp.batch, a)
	if len(imp.batch) < importBatch {
		return nil
	}
	return imp.flush()
}

func (imp *importer) flush() error {
	if err := imp.ctx.Err(); err != nil {
		return err
	}
	if len(imp.batch) == 0 {
		return nil
	}
	var res Result
	err := imp.db.updateClaims(func(tx kv.Tx, texts *claimView) error {
		w := newWriteTx(tx, texts, imp.db.now())
		for i := range imp.batch {
			o, err := w.importArticle(&imp.batch[i], imp.created)
			if err != nil {
				return err
			}
			*o(&res)++
		}
		return w.finish()
	})
	if err != nil {
		return err
	}
	imp.db.settleIfFull()
	imp.res.add(res)
	imp.batch = imp.batch[:0]
	return nil
}

// importArticle archives one exported article: merged into the article
// with its id, else into the one identify finds (articles of created
// aside); else inserted as it is.
func (w *writeTx) importArticle(a *herald.Article, created map[string]bool) (outcome, error) {
	if old, err := w.get(a.ID); err == nil {
		return w.merge(old, a)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	l := lookup{
		urlKey: urlKey(a.URL), text: textClaim(a), hash: identifyingHash(a), feeds: feedsOf(a),
		skip: func(id string) bool { return created[id] },
	}
	for _, s := range a.Sources {
		l.srcKeys = append(l.srcKeys, sourceKey(s))
	}
	f, err := w.identify(&l)
	if err != nil {
		return nil, err
	}
	if f.rule == ruleNone {
		if err := w.importStory(a); err != nil {
			return nil, err
		}
		if err := w.insert(a); err != nil {
			return nil, err
		}
		created[a.ID] = true
		return isNew, nil
	}
	old, err := w.get(f.id)
	if err != nil {
		return nil, err
	}
	if _, err := w.merge(old, a); err != nil {
		return nil, err
	}
	return isDuplicate, nil
}

// merge adds a's sources and tags to old.
func (w *writeTx) merge(old, a *herald.Article) (outcome, error) {
	n, added := addSources(old, a.Sources, a.Tags, w.sourceTaken)
	if !added {
		return isUnchanged, nil
	}
	if err := w.replace(old, n); err != nil {
		return nil, fmt.Errorf("article %s: %w", a.ID, err)
	}
	return isDuplicate, nil
}

// importStory links a new imported article to its story as ingest does,
// unless the export says which story it belongs to: the same archive
// exported and imported again then links the same articles.
func (w *writeTx) importStory(a *herald.Article) error {
	sh := shingles(a.Text)
	keys := bandKeys(sh)
	if a.Story == "" {
		if err := w.linkStory(a, sh, keys, nil); err != nil {
			return err
		}
		if a.Story == "" {
			a.Story = a.ID
		}
		return nil
	}
	if len(keys) > 0 {
		w.texts.stories.add(storyEntry{id: a.ID, keys: keys})
	}
	return w.noteCopy(a)
}
