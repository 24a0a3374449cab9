package extract

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestPageCancelled: a done context stops extraction with its error, and a
// context cancelled while the page is extracted stops it too.
func TestPageCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Page(ctx, []byte("<p>hello</p>"), "", "", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Page with a cancelled context: error %v, want context.Canceled", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	page := tiePage(100_000)
	time.AfterFunc(20*time.Millisecond, cancel)
	a, err := Page(ctx, page, "", "", nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Page cancelled while extracting: error %v, want context.Canceled", err)
	}
	if a != nil && a.Text != "" {
		t.Errorf("Page cancelled while extracting returned text")
	}
}

// TestBudgetError: the page's own deadline gives ErrBudget, which says how
// long was allowed and where it stopped; a caller's deadline does not.
func TestBudgetError(t *testing.T) {
	ctx, cancel := context.WithTimeoutCause(context.Background(), 0, errBudgetCause)
	defer cancel()
	<-ctx.Done()
	err := (&budget{ctx: ctx, limit: PageBudget}).check("scoring")
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), PageBudget.String()) || !strings.Contains(err.Error(), "scoring") {
		t.Errorf("spent budget: error %v, want ErrBudget naming %s and the stage", err, PageBudget)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 0)
	defer cancel2()
	<-ctx2.Done()
	err = (&budget{ctx: ctx2, limit: PageBudget}).check("scoring")
	if errors.Is(err, ErrBudget) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("caller's deadline: error %v, want context.DeadlineExceeded, not ErrBudget", err)
	}
}
