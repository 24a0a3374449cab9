// Package browsertest starts a headless Chromium for tests that check pages
// in a real browser (the status page, the reading page): it finds the
// browser or skips, records script errors, checks phone-width layout and
// keeps screenshots as test artifacts. Only tests import it.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// RequireEnv, set to 1, makes a missing browser a failure rather than a
// skip; CI sets it after installing chromium.
const RequireEnv = "HERALD_REQUIRE_BROWSER"

// ArtifactsEnv names a directory for screenshots kept after the test; else
// they go to the test's temporary directory, which is logged.
const ArtifactsEnv = "HERALD_ARTIFACTS"

// candidates are the names Chromium is installed under; HERALD_CHROMIUM
// overrides them.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// find returns the browser's path, or "".
func find() string {
	if p := os.Getenv("HERALD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless browser tab and what its pages' scripts reported.
type Browser struct {
	Ctx context.Context // for chromedp.Run and chromedp.Do
	t   *testing.T

	mu     sync.Mutex
	errors []string
}

// Start launches a fresh headless Chromium (its own profile, no network
// services of its own) for the test and closes it when the test ends. It
// skips the test when no browser is installed, unless HERALD_REQUIRE_BROWSER=1,
// and in -short mode (the race run), where a browser would only be slow.
func Start(t *testing.T) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path := find()
	if path == "" {
		msg := "no chromium found (apt-get install chromium, or set HERALD_CHROMIUM); browser test skipped"
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1 but %s", RequireEnv, msg)
		}
		t.Skip(msg)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	b := &Browser{Ctx: ctx, t: t}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", path, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.note(m)
		}
	}()
	return b
}

// note keeps the messages that are script errors: uncaught exceptions and
// console.error calls. The browser's own log (a missing favicon) is not
// the page's script.
func (b *Browser) note(m chromedp.ConsoleMessage) {
	if !m.IsException() && (m.Type != chromedp.ConsoleError || m.Source != "") {
		return
	}
	b.mu.Lock()
	b.errors = append(b.errors, m.String())
	b.mu.Unlock()
}

// ScriptErrors returns the exceptions and console errors seen so far. A
// round trip to the page first, and a moment, let the messages sent before
// it arrive.
func (b *Browser) ScriptErrors() []string {
	Eval[int](b, "0")
	time.Sleep(200 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Open loads url in a viewport width CSS pixels wide (a phone: 375) and
// waits for the page's body.
func (b *Browser) Open(url string, width, height int64) error {
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	view := chromedp.EmulateViewport(width, height)
	if width < 600 {
		view = chromedp.EmulateViewport(width, height, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.Do(ctx, view, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
}

// Eval evaluates a script expression in the page and decodes its value.
func Eval[T any](b *Browser, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// Overflow is how many CSS pixels the page is wider than its viewport:
// 0 when nothing needs scrolling sideways.
func (b *Browser) Overflow() (int64, error) {
	return Eval[int64](b, `Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)`)
}

// Screenshot saves the whole page as a PNG named name among the test's
// artifacts ($HERALD_ARTIFACTS, else the test's temporary directory) and
// logs where.
func (b *Browser) Screenshot(name string) error {
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	dir := os.Getenv(ArtifactsEnv)
	if dir == "" {
		dir = b.t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return err
	}
	b.t.Logf("screenshot: %s", path)
	return nil
}
