package archive

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"herald/archive/kv"
)

// The calls that queue while a commit runs share the next transaction; one
// that fails or panics gets its own error, and the others commit without
// its writes.
func TestCommitGroups(t *testing.T) {
	db := openTest(t)
	hold, running := make(chan struct{}), make(chan struct{})
	firstErr := make(chan error, 1)
	go func() {
		firstErr <- db.commit(func(kv.Tx, *claimView) error {
			close(running)
			<-hold
			return nil
		})
	}()
	<-running

	const n = 20
	var (
		mu   sync.Mutex
		last = map[int]kv.Tx{} // the transaction of each call's last run
		errs = make([]error, n)
		wg   sync.WaitGroup
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.commit(func(tx kv.Tx, _ *claimView) error {
				mu.Lock()
				last[i] = tx
				mu.Unlock()
				if err := tx.Bucket(bucketMeta).Put(fmt.Appendf(nil, "test-%d", i), []byte("x")); err != nil {
					return err
				}
				switch i % 5 {
				case 1:
					return fmt.Errorf("call %d fails", i)
				case 2:
					panic(fmt.Sprintf("call %d panics", i))
				}
				return nil
			})
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		db.commits.mu.Lock()
		queued := len(db.commits.pending)
		db.commits.mu.Unlock()
		if queued == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", queued, n)
		}
	}
	close(hold)
	wg.Wait()
	if err := <-firstErr; err != nil {
		t.Fatal(err)
	}

	var shared kv.Tx
	for i := range n {
		switch i % 5 {
		case 1:
			if errs[i] == nil || !strings.Contains(errs[i].Error(), "fails") {
				t.Errorf("call %d: error %v, want its own", i, errs[i])
			}
			continue
		case 2:
			if errs[i] == nil || !strings.Contains(errs[i].Error(), "panicked") {
				t.Errorf("call %d: error %v, want its panic", i, errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("call %d: %v", i, errs[i])
		}
		if shared == nil {
			shared = last[i]
		} else if last[i] != shared {
			t.Errorf("call %d committed in a transaction of its own", i)
		}
	}
	db.store.View(func(tx kv.Tx) error {
		for i := range n {
			got := tx.Bucket(bucketMeta).Get(fmt.Appendf(nil, "test-%d", i)) != nil
			if want := i%5 != 1 && i%5 != 2; got != want {
				t.Errorf("call %d: write kept %v, want %v", i, got, want)
			}
		}
		return nil
	})
}
