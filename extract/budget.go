package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// PageBudget is the time one page may take to extract. Extraction is
// linear in the page, and a large ordinary page takes tens of
// milliseconds: a page that needs more than this is built to be slow, and
// extracting it would hold up the poll round and shutdown (issue 12).
const PageBudget = 5 * time.Second

// ErrBudget is returned when a page took more than PageBudget. The
// Article returned with it carries the page's metadata.
var ErrBudget = errors.New("extraction took too long")

// budget stops an extraction whose context is done: cancelled, or past the
// page's deadline. The long loops ask it at each step and end early; the
// stages between them turn that into an error.
type budget struct {
	ctx   context.Context
	limit time.Duration
	err   error
	tick  uint
}

// spent reports whether the extraction must stop. A nil budget never is.
func (b *budget) spent() bool {
	if b == nil {
		return false
	}
	if b.err == nil {
		// A context's Err takes a lock: ask it now and then, which at a
		// few nanoseconds a step still notices within microseconds.
		if b.tick++; b.tick%256 == 1 {
			b.err = b.ctx.Err()
		}
	}
	return b.err != nil
}

// check is spent's verdict as an error, asked between stages.
func (b *budget) check(stage string) error {
	b.tick = 0
	if !b.spent() {
		return nil
	}
	if context.Cause(b.ctx) == errBudgetCause {
		return fmt.Errorf("%w: more than %s, stopped while %s", ErrBudget, b.limit, stage)
	}
	return fmt.Errorf("stopped while %s: %w", stage, context.Cause(b.ctx))
}

// errBudgetCause tells the page's own deadline from a caller's.
var errBudgetCause = errors.New("page budget spent")

// reader reads r until the budget is spent, so that the HTML parser and
// the sanitiser, which read their input as they go, stop with it.
func (b *budget) reader(r io.Reader) io.Reader { return budgetReader{r, b} }

type budgetReader struct {
	r io.Reader
	b *budget
}

func (br budgetReader) Read(p []byte) (int, error) {
	// Every read: a read is a few kilobytes of parsing.
	if br.b.err == nil {
		br.b.err = br.b.ctx.Err()
	}
	if br.b.err != nil {
		return 0, br.b.err
	}
	return br.r.Read(p)
}
