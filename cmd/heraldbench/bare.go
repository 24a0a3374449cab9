package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
)

// bareCommand is the hidden first argument that runs the bare loop.
const bareCommand = "bare-loop"

// bareMain is the yardstick the issue compares Herald with: gofeed and a
// pool of workers, fetching and parsing, nothing stored. It prints one JSON
// measure per phase: the cold round, then the round where every feed
// answers 304 to the ETag of the first.
func bareMain(args []string) error {
	fs := flag.NewFlagSet(bareCommand, flag.ContinueOnError)
	base := fs.String("base", "", "farm URL")
	n := fs.Int("n", 0, "feeds")
	items := fs.Int("items", 0, "items per feed")
	workers := fs.Int("workers", 16, "workers")
	pages := fs.Bool("pages", false, "also fetch every item's page and parse it with goquery")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l := &loop{
		client: &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: *workers, MaxIdleConns: *workers},
		},
		etags:   make([]string, *n),
		workers: *workers,
		pages:   *pages,
	}
	enc := json.NewEncoder(os.Stdout)
	for _, warm := range []bool{false, true} {
		start, cpu0 := time.Now(), cpuTime()
		got, err := l.round(*base, *n, *items, warm)
		if err != nil {
			return err
		}
		m := measure{Wall: time.Since(start), CPU: cpuTime() - cpu0, Note: got}
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return nil
}

type loop struct {
	client  *http.Client
	etags   []string // by feed, from the cold round
	workers int
	pages   bool
}

type job struct {
	feed int    // a feed's index, or -1 for a page
	page string // a page's URL
}

// round polls every feed once (and, cold with pages, fetches every page) and
// checks that it saw what the farm serves.
func (l *loop) round(base string, n, items int, warm bool) (string, error) {
	jobs := make(chan job, n*(items+1))
	var pending sync.WaitGroup
	var parsed, notModified, pageCount atomic.Int64
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }

	pending.Add(n)
	for i := range n {
		jobs <- job{feed: i}
	}
	go func() { pending.Wait(); close(jobs) }()
	var wg sync.WaitGroup
	for range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parser := gofeed.NewParser()
			for j := range jobs {
				if j.feed < 0 {
					if err := l.page(j.page); err != nil {
						fail(err)
					}
					pageCount.Add(1)
					pending.Done()
					continue
				}
				links, status, err := l.feed(parser, base+"/feed/"+strconv.Itoa(j.feed), j.feed, warm)
				switch {
				case err != nil:
					fail(err)
				case status == http.StatusNotModified:
					notModified.Add(1)
				default:
					parsed.Add(int64(len(links)))
				}
				if l.pages && !warm && len(links) <= items {
					pending.Add(len(links))
					for _, u := range links {
						jobs <- job{feed: -1, page: u}
					}
				}
				pending.Done()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return "", firstErr
	}
	if warm {
		if notModified.Load() != int64(n) {
			return "", fmt.Errorf("warm round: %d of %d feeds not modified", notModified.Load(), n)
		}
		return fmt.Sprintf("%d feeds not modified", n), nil
	}
	if parsed.Load() != int64(n*items) {
		return "", fmt.Errorf("cold round: %d items parsed, want %d", parsed.Load(), n*items)
	}
	return fmt.Sprintf("%d items parsed, %d pages parsed", parsed.Load(), pageCount.Load()), nil
}

func (l *loop) feed(parser *gofeed.Parser, u string, i int, warm bool) ([]string, int, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	if warm && l.etags[i] != "" {
		req.Header.Set("If-None-Match", l.etags[i])
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, resp.StatusCode, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("%s: status %d", u, resp.StatusCode)
	}
	l.etags[i] = resp.Header.Get("ETag") // each feed is one worker's at a time
	doc, err := parser.Parse(resp.Body)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", u, err)
	}
	links := make([]string, len(doc.Items))
	for k, it := range doc.Items {
		links[k] = it.Link
	}
	return links, resp.StatusCode, nil
}

func (l *loop) page(u string) error {
	resp, err := l.client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("%s: status %d", u, resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	if doc.Find("article p").Length() == 0 {
		return errors.New(u + ": no article paragraphs")
	}
	return nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
