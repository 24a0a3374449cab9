package archive

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"io"
	"slices"
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
			bw.Write(a)
			return bw.WriteByte('\n')
		}
	case FormatJSON:
		write = func(bw *bufio.Writer, n int, a []byte) error {
			sep := ",\n"
			if n == 0 {
				sep = "\n"
			}
			bw.WriteString(sep)
			_, err := bw.Write(a)
			return err
		}
	default:
		return 0, fmt.Errorf("export: unknown format %q (want json or jsonl)", format)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if format == FormatJSON {
		bw.WriteString(`{"articles": [`)
	}
	n := 0
	err := db.eachStored(ctx, q, func(id string, data []byte) error {
		// The stored form is the export form (see encodeArticle), so it is
		// written out as it is: no decoding, no encoding.
		if err := write(bw, n, data); err != nil {
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
