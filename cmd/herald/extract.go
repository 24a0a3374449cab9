package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"herald/config"
	"herald/extract"
	"herald/fetch"
)

// maxPage is the largest page herald extract reads.
const maxPage = 8 << 20

// extractMemoryLimit is the heap at which herald extract, which runs with
// the collector off, collects after all: many times what a maxPage page
// needs.
const extractMemoryLimit = 256 << 20

// extractFlags are extract's flags.
type extractFlags struct {
	url, fetch, format, timezone string
}

func extractCommand(e *env) *cobra.Command {
	var f extractFlags
	c := &cobra.Command{
		Use:   "extract [--url URL] [--fetch URL] [--format text|html|json] [FILE]",
		Short: "extract one page's article",
		Long: `Extract finds the article in one HTML page: from FILE, from standard input when
FILE is absent or -, or downloaded with --fetch. --url is the page's address: it
resolves links and picks the config's site rule for the page's host. Text output
is the article's paragraphs separated by blank lines; json gives every field.`,
		Example: `  herald extract --url https://example.com/a/1 page.html
  curl -s https://example.com/a/1 | herald extract --url https://example.com/a/1 --format json
  herald extract --fetch https://example.com/a/1`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return cmdExtract(c.Context(), e, f, args) },
	}
	fl := c.Flags()
	fl.StringVar(&f.url, "url", "", "the page's address (resolves links, picks the site rule)")
	fl.StringVar(&f.fetch, "fetch", "", "download the page from this `URL`")
	fl.StringVar(&f.format, "format", "text", "output: text, html or json")
	fl.StringVar(&f.timezone, "rules-timezone", "", "time zone for dates the page prints without one (e.g. Asia/Seoul)")
	return c
}

// cmdExtract extracts one page's article from args[0], stdin or --fetch.
func cmdExtract(ctx context.Context, e *env, f extractFlags, args []string) error {
	pageURL, fetchURL, format, tzName := &f.url, &f.fetch, &f.format, &f.timezone
	file := ""
	if len(args) > 0 {
		file = args[0]
	}
	// One page, then exit: the two or three collections a page would cost
	// free memory the process is about to give back anyway. The limit still
	// collects when a hostile page grows the heap far beyond a page's worth.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(extractMemoryLimit))
	if *format != "text" && *format != "html" && *format != "json" {
		return usagef("extract: --format %q: want text, html or json", *format)
	}
	if *fetchURL != "" && file != "" {
		return usagef("extract: give --fetch or FILE, not both")
	}
	rules := &extract.Rules{}
	if *tzName != "" {
		loc, err := time.LoadLocation(*tzName)
		if err != nil {
			return usagef("extract: --rules-timezone %q: %v", *tzName, err)
		}
		rules.Timezone = loc
	}

	var page []byte
	var contentType string
	var err error
	switch {
	case *fetchURL != "":
		var final string
		page, contentType, final, err = fetchPage(ctx, e, *fetchURL)
		if *pageURL == "" {
			*pageURL = final
		}
	case file == "" || file == "-":
		page, err = readLimited(e.stdin, "stdin")
	default:
		page, err = readFile(file)
	}
	if err != nil {
		return err
	}

	if *pageURL == "" {
		*pageURL = ownURL(page, contentType)
	}
	if r, err := configRules(e, *pageURL); err != nil {
		return err
	} else if r != nil {
		tz := rules.Timezone
		rules = r
		if tz != nil {
			rules.Timezone = tz
		}
	}
	a, err := extract.Page(ctx, page, *pageURL, contentType, rules)
	if err != nil && !errors.Is(err, extract.ErrEmpty) {
		return fmt.Errorf("extract %s: %w", describe(*pageURL, file), err)
	}
	if werr := writeArticle(e.stdout, *format, *pageURL, a, err); werr != nil {
		return werr
	}
	if err == nil {
		return nil
	}
	err = fmt.Errorf("extract %s: %w", describe(*pageURL, file), err)
	if *format == "json" {
		// The JSON carries the outcome (its "error" field) beside the
		// metadata that was found: a page without article text is a
		// result, not a failure of the command.
		fmt.Fprintf(e.stderr, "herald: %v\n", err)
		return nil
	}
	return err
}

// ownURL is the address a page gives itself (<link rel="canonical">, else
// og:url), so that a saved page without --url still finds its site rules
// and resolves its links; "" when it names none.
func ownURL(page []byte, contentType string) string {
	own := extract.OwnURL(page, contentType)
	u, err := url.Parse(own)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return own
}

func describe(pageURL, file string) string {
	switch {
	case pageURL != "":
		return pageURL
	case file != "" && file != "-":
		return file
	}
	return "stdin"
}

// articleJSON is the --format json output: every field of the extraction.
type articleJSON struct {
	URL          string `json:"url"`
	Title        string `json:"title"`
	Byline       string `json:"byline"`
	Published    string `json:"published"` // no offset when the page gave no zone
	Lang         string `json:"lang"`
	SiteName     string `json:"site_name"`
	CanonicalURL string `json:"canonical_url"`
	Image        string `json:"image"`
	Text         string `json:"text"`
	HTML         string `json:"html"`
	ExtractedBy  string `json:"extracted_by"`
	RuleMissed   bool   `json:"rule_missed,omitempty"`
	Charset      string `json:"charset"`
	Error        string `json:"error,omitempty"` // why no article text was found
}

func writeArticle(w io.Writer, format, pageURL string, a *extract.Article, failure error) error {
	if a == nil {
		return nil
	}
	switch format {
	case "text":
		if a.Text == "" {
			return nil
		}
		_, err := fmt.Fprintln(w, a.Text)
		return err
	case "html":
		if a.HTML == "" {
			return nil
		}
		_, err := fmt.Fprintln(w, a.HTML)
		return err
	}
	out := articleJSON{
		URL: pageURL, Title: a.Title, Byline: a.Byline, Lang: a.Lang, SiteName: a.SiteName,
		CanonicalURL: a.CanonicalURL, Image: a.Image, Text: a.Text, HTML: a.HTML,
		ExtractedBy: a.Method, RuleMissed: a.RuleMissed, Charset: a.Charset,
	}
	if failure != nil {
		out.Error = failure.Error()
	}
	if !a.Published.IsZero() {
		out.Published = a.Published.Format(time.RFC3339)
		if a.ZoneUnknown {
			// The page printed no zone and no site rule gave one: the
			// reading without an offset (RFC 3339's local date-time),
			// never a guess presented as UTC.
			out.Published = a.Published.Format("2006-01-02T15:04:05")
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, name)
}

func readLimited(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPage+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxPage {
		return nil, fmt.Errorf("read %s: larger than %d bytes", name, maxPage)
	}
	return b, nil
}

// fetchPage downloads the page of --fetch with the config's client.
func fetchPage(ctx context.Context, e *env, rawURL string) ([]byte, string, string, error) {
	cfg, err := optionalConfig(e)
	if err != nil {
		return nil, "", "", err
	}
	client := newClient(cfg)
	defer client.CloseIdleConnections()
	return download(ctx, client, rawURL)
}

// download fetches a page through package fetch, as the daemon fetches
// article pages: the config's user agent, timeout, max_body and politeness
// (the defaults without a config), and non-public addresses refused on
// every hop unless the URL given is itself on one. It returns the body,
// its Content-Type and the URL after redirects.
func download(ctx context.Context, get getter, rawURL string) ([]byte, string, string, error) {
	resp, err := get.Get(ctx, fetch.Request{
		URL: rawURL, Accept: fetch.PageAccept, DenyPrivate: !fetch.PrivateHost(rawURL),
	})
	if err != nil {
		return nil, "", "", err
	}
	return resp.Body, resp.ContentType, resp.URL, nil
}

// getter does HTTP GETs; *fetch.Client is one.
type getter interface {
	Get(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// optionalConfig loads the config when its file exists, and gives the
// defaults when it does not; a config that exists must be valid.
func optionalConfig(e *env) (*config.Config, error) {
	if _, err := os.Stat(e.configPath); errors.Is(err, os.ErrNotExist) {
		return &config.Config{Concurrency: config.DefaultConcurrency, Defaults: config.DefaultSettings()}, nil
	}
	return loadConfig(e)
}

// configRules finds the config's site rule for the page's host. Without a
// config file there are no rules; a config that exists must be valid.
func configRules(e *env, pageURL string) (*extract.Rules, error) {
	if pageURL == "" {
		return nil, nil
	}
	cfg, err := optionalConfig(e)
	if err != nil {
		return nil, err
	}
	r, _ := rulesFor(cfg, pageURL)
	if r == nil {
		return nil, nil
	}
	copied := *r
	return &copied, nil
}
