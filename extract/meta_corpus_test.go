package extract

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/unicode/norm"
)

// The extraction corpus carries title, byline and published ground truth.
// TestMetaCorpus scores readMeta on it the way extract-eval does (title=,
// byline=, published=) and fails when a score drops below the floor it had
// reached, so that a change that helps one page and hurts ten is seen.
// HERALD_META_DUMP=DIR also writes each case's fields as DIR/<dataset>/<case>.json.

const corpusDir = "../../shared/corpus/extraction"

// metaFloors are the scores (share of cases with the field right) the
// metadata reached on the dev corpus, a little below the measured figures.
var metaFloors = map[string]map[string]float64{
	"trafilatura": {"title": 0.76, "byline": 0.61, "published": 0.84},
	"readability": {"title": 0.69, "byline": 0.68, "published": 0.85},
}

type corpusCase struct {
	Dataset   string  `json:"dataset"`
	Case      string  `json:"case"`
	HTMLFile  string  `json:"html_file"`
	URL       string  `json:"url"`
	Title     *string `json:"title"`
	Byline    *string `json:"byline"`
	Published *string `json:"published"`
}

func TestMetaCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("extraction corpus not present at " + corpusDir)
	}
	if testing.Short() {
		t.Skip("corpus scoring skipped in -short mode")
	}
	dump := os.Getenv("HERALD_META_DUMP")
	for ds, floors := range metaFloors {
		files, _ := filepath.Glob(filepath.Join(corpusDir, ds, "*.json"))
		slices.Sort(files)
		hits, totals := map[string]int{}, map[string]int{}
		var misses []string
		for _, f := range files {
			c, m, err := readCorpusMeta(f)
			if err != nil {
				t.Fatal(err)
			}
			published := ""
			if !m.Published.IsZero() {
				published = m.Published.Format(time.RFC3339)
			}
			if dump != "" {
				writeDump(t, filepath.Join(dump, ds, c.Case+".json"), m, published)
			}
			score := func(field string, truth *string, got string, eq func(a, b string) bool) {
				if truth == nil || *truth == "" {
					return
				}
				totals[field]++
				if eq(*truth, got) {
					hits[field]++
				} else if testing.Verbose() {
					misses = append(misses, field+"\t"+c.Case+"\t"+*truth+"\t"+got)
				}
			}
			score("title", c.Title, m.Title, titleEqual)
			score("byline", c.Byline, m.Byline, bylineEqual)
			score("published", c.Published, published, dateEqual)
		}
		if os.Getenv("HERALD_META_MISSES") != "" {
			for _, m := range misses {
				t.Log(ds, m)
			}
		}
		for field, floor := range floors {
			got := float64(hits[field]) / float64(max(totals[field], 1))
			t.Logf("%s %s= %.1f%% (%d/%d)", ds, field, 100*got, hits[field], totals[field])
			if got < floor {
				t.Errorf("%s %s= %.3f, below the floor %.3f", ds, field, got, floor)
			}
		}
	}
}

func readCorpusMeta(jsonFile string) (corpusCase, meta, error) {
	var c corpusCase
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		return c, meta{}, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, meta{}, err
	}
	htmlFile := c.HTMLFile
	if htmlFile == "" {
		htmlFile = c.Case + ".html"
	}
	page, err := os.ReadFile(filepath.Join(filepath.Dir(jsonFile), htmlFile))
	if err != nil {
		return c, meta{}, err
	}
	r, err := charset.NewReader(bytes.NewReader(page), "")
	if err != nil {
		return c, meta{}, err
	}
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return c, meta{}, err
	}
	base, _ := url.Parse(c.URL)
	return c, readMeta(doc, base, nil), nil
}

func writeDump(t *testing.T, path string, m meta, published string) {
	t.Helper()
	out, _ := json.Marshal(map[string]string{"text": "", "title": m.Title, "byline": m.Byline, "published": published})
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

var evalReplacer = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201c", "\"", "\u201d", "\"", "\u201e", "\"", "\u00ab", "\"", "\u00bb", "\"",
	"\u2013", "-", "\u2014", "-", "\u2212", "-",
)

// evalNorm approximates extract-eval's comparison form: NFKC, case folded,
// quotes and dashes unified, spaces collapsed.
func evalNorm(s string) string {
	return strings.Join(strings.Fields(evalReplacer.Replace(strings.ToLower(norm.NFKC.String(s)))), " ")
}

func titleEqual(a, b string) bool { return evalNorm(a) == evalNorm(b) }

var (
	reEvalLabel = regexp.MustCompile(`(?i)^(by|written by|author:|von|par|por)\s*`)
	reEvalSplit = regexp.MustCompile(`(?i)\s*(?:[,;&/|]|\band\b|\bund\b|\bet\b|\by\b)\s*`)
)

func bylineEqual(a, b string) bool {
	set := func(s string) []string {
		s = reEvalLabel.ReplaceAllString(evalNorm(s), "")
		var out []string
		for _, p := range reEvalSplit.Split(s, -1) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(set(a), set(b))
}

func dateEqual(a, b string) bool { return len(a) >= 10 && len(b) >= 10 && a[:10] == b[:10] }

// BenchmarkReadMeta measures readMeta alone (parsing excluded) on the first
// pages of the trafilatura corpus.
func BenchmarkReadMeta(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "trafilatura", "*.html"))
	if len(files) == 0 {
		b.Skip("extraction corpus not present at " + corpusDir)
	}
	slices.Sort(files)
	var docs []*goquery.Document
	for _, f := range files[:min(len(files), 20)] {
		page, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, doc)
	}
	base, _ := url.Parse("https://www.example.com/2015/06/24/story")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		readMeta(docs[i%len(docs)], base, nil)
	}
}
