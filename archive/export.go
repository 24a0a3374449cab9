package archive

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"herald"
)

// Export formats.
const (
	FormatJSON  = "json"  // {"articles": [...]}, one article a line
	FormatJSONL = "jsonl" // one article a line
)

//go:embed export.schema.json
var exportSchema []byte

// ExportSchema returns the JSON Schema (draft 2020-12) of an exported
// article; its $defs.export describes the json format's wrapper.
func ExportSchema() []byte { return slices.Clone(exportSchema) }

// Export writes the articles q selects, oldest first, in format, and
// returns how many it wrote. It streams: one article at a time is in
// memory. The same archive always exports to the same bytes.
func (db *DB) Export(ctx context.Context, w io.Writer, format string, q Query) (int, error) {
	var write func(bw *bufio.Writer, n int, a []byte) error
	switch format {
	case FormatJSONL:
		write = func(bw *bufio.Writer, _ int, a []byte) error {
			_, err := bw.Write(a) // a ends in "\n"
			return err
		}
	case FormatJSON:
		write = func(bw *bufio.Writer, n int, a []byte) error {
			sep := ",\n"
			if n == 0 {
				sep = "\n"
			}
			bw.WriteString(sep)
			_, err := bw.Write(bytes.TrimSuffix(a, []byte("\n")))
			return err
		}
	default:
		return 0, fmt.Errorf("export: unknown format %q (want json or jsonl)", format)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if format == FormatJSON {
		bw.WriteString(`{"articles": [`)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	n := 0
	err := db.Each(ctx, q, func(a herald.Article) error {
		buf.Reset()
		if err := enc.Encode(&a); err != nil {
			return fmt.Errorf("article %s: %w", a.ID, err)
		}
		if err := write(bw, n, buf.Bytes()); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if format == FormatJSON {
		if n > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]}\n")
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}
