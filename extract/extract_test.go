package extract

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald"
)

const seedDir = "../../shared/fixtures/seed"

type seedExpect struct {
	URL            string   `json:"url"`
	Title          string   `json:"title"`
	Byline         string   `json:"byline"`
	Published      string   `json:"published"`
	Paragraphs     []string `json:"paragraphs"`
	Text           string   `json:"text"`
	MustNotContain []string `json:"must_not_contain"`
}

func readSeed(t testing.TB) ([]byte, seedExpect) {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(seedDir, "article.html"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("seed fixture not found at %s (the shared directory sits beside the repository)", seedDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(seedDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want seedExpect
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	return page, want
}

func TestSeedPage(t *testing.T) {
	page, want := readSeed(t)
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	a, err := Page(context.Background(), page, want.URL, "text/html; charset=utf-8", &Rules{Timezone: seoul})
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != want.Text {
		t.Errorf("Text:\n%s\n\nwant:\n%s", a.Text, want.Text)
	}
	if got := strings.Split(a.Text, "\n\n"); len(got) != len(want.Paragraphs) {
		t.Errorf("%d paragraphs, want %d", len(got), len(want.Paragraphs))
	}
	for _, s := range want.MustNotContain {
		if strings.Contains(a.Text, s) {
			t.Errorf("Text contains %q", s)
		}
	}
	if a.Title != want.Title {
		t.Errorf("Title = %q, want %q", a.Title, want.Title)
	}
	if a.Byline != want.Byline {
		t.Errorf("Byline = %q, want %q", a.Byline, want.Byline)
	}
	if got := a.Published.Format(time.RFC3339); got != want.Published {
		t.Errorf("Published = %s, want %s", got, want.Published)
	}
	if a.Method != herald.ExtractedByGeneric || a.RuleMissed {
		t.Errorf("Method = %q, RuleMissed = %v", a.Method, a.RuleMissed)
	}
	if a.Charset != "utf-8" {
		t.Errorf("Charset = %q", a.Charset)
	}
	if strings.Contains(a.HTML, "<script") || strings.Contains(a.HTML, "Link copied") {
		t.Errorf("HTML keeps furniture: %s", a.HTML)
	}
}

func TestSeedSiteRule(t *testing.T) {
	page, want := readSeed(t)
	rules := &Rules{
		Body:      "#articleText",
		Strip:     []string{".view_share", ".copy_pop", ".related_news"},
		StripText: []string{"Link copied"},
	}
	a, err := Page(context.Background(), page, want.URL, "", rules)
	if err != nil {
		t.Fatal(err)
	}
	if a.Method != herald.ExtractedBySiteRule || a.RuleMissed {
		t.Errorf("Method = %q, RuleMissed = %v", a.Method, a.RuleMissed)
	}
	if a.Text != want.Text {
		t.Errorf("Text:\n%s\n\nwant:\n%s", a.Text, want.Text)
	}

	stale := &Rules{Body: "#no-such-thing"}
	a, err = Page(context.Background(), page, want.URL, "", stale)
	if err != nil {
		t.Fatal(err)
	}
	if a.Method != herald.ExtractedByGeneric || !a.RuleMissed {
		t.Errorf("stale rule: Method = %q, RuleMissed = %v", a.Method, a.RuleMissed)
	}
	if a.Text != want.Text {
		t.Errorf("stale rule: generic text differs:\n%s", a.Text)
	}
}

func TestRules(t *testing.T) {
	page := []byte(`<html><body><div id="a"><p>First part of the story, long enough to count as a paragraph.</p>
		<p class="promo">Buy our things now.</p><p>Link copied</p></div>
		<div class="b"><p>Second part, in another box, also long enough to count as text.</p></div></body></html>`)
	tests := []struct {
		name    string
		rules   Rules
		want    string
		wantErr bool
	}{
		{
			name:  "every match in order",
			rules: Rules{Body: "#a, .b", Strip: []string{".promo"}, StripText: []string{"Link copied"}},
			want:  "First part of the story, long enough to count as a paragraph.\n\nSecond part, in another box, also long enough to count as text.",
		},
		{
			name:  "nested matches give text once",
			rules: Rules{Body: "div, p", Strip: []string{".promo"}, StripText: []string{"Link copied"}},
			want:  "First part of the story, long enough to count as a paragraph.\n\nSecond part, in another box, also long enough to count as text.",
		},
		{name: "bad body selector", rules: Rules{Body: "#a[["}, wantErr: true},
		{name: "bad strip selector", rules: Rules{Body: "#a", Strip: []string{"::"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Page(context.Background(), page, "https://example.com/", "", &tt.rules)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error for a bad selector")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Text != tt.want {
				t.Errorf("Text = %q\nwant %q", a.Text, tt.want)
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	for _, page := range []string{"", "<html><head><title>Only a title</title></head><body></body></html>", "<script>x()</script>"} {
		a, err := Page(context.Background(), []byte(page), "", "", nil)
		if !errors.Is(err, ErrEmpty) {
			t.Errorf("Page(context.Background(), %q) error = %v, want ErrEmpty", page, err)
		}
		if a == nil {
			t.Errorf("Page(context.Background(), %q) returned no article with ErrEmpty", page)
		}
	}
}

func TestFragment(t *testing.T) {
	tests := []struct {
		name, in, text string
		htmlHas        []string
		htmlHasNot     []string
	}{
		{
			name:    "paragraphs and links",
			in:      `<p>One <a href="/x">link</a>.</p><p>Two</p>`,
			text:    "One link.\n\nTwo",
			htmlHas: []string{`href="https://example.com/x"`},
		},
		{
			name:       "script and handlers go",
			in:         `<p onclick="evil()">Hi</p><script>evil()</script><img src="a.jpg" onerror="evil()">`,
			text:       "Hi",
			htmlHas:    []string{`src="https://example.com/post/a.jpg"`},
			htmlHasNot: []string{"evil", "script", "onclick", "onerror"},
		},
		{
			name: "br runs are paragraphs",
			in:   "First line<br><br>Second line<br>third",
			text: "First line\n\nSecond line\n\nthird",
		},
		{name: "plain text", in: "just words", text: "just words"},
		{name: "empty", in: "", text: ""},
		{
			name: "list and table",
			in:   `<ul><li>a</li><li>b</li></ul><table><tr><td>x</td><td>y</td></tr></table>`,
			text: "a\n\nb\n\nx y",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, safe := Fragment(tt.in, "https://example.com/post/1")
			if text != tt.text {
				t.Errorf("text = %q, want %q", text, tt.text)
			}
			for _, s := range tt.htmlHas {
				if !strings.Contains(safe, s) {
					t.Errorf("HTML %q lacks %q", safe, s)
				}
			}
			for _, s := range tt.htmlHasNot {
				if strings.Contains(safe, s) {
					t.Errorf("HTML %q has %q", safe, s)
				}
			}
		})
	}
}

func FuzzPage(f *testing.F) {
	f.Add([]byte("<p>hello</p>"), "text/html; charset=euc-kr")
	f.Add([]byte("<html><body><div>a<br><br>b</div><table><tr><td>x</table>"), "")
	f.Add([]byte("\xff\xfe<\x00p\x00>\x00"), "")
	f.Add([]byte(`<meta charset="shift_jis"><p>`+"\x82\xa0"+`</p>`), "text/html")
	if page, err := os.ReadFile(filepath.Join(seedDir, "article.html")); err == nil {
		f.Add(page, "")
	}
	for _, p := range adversarialPages { // small: the fuzzer mutates each
		f.Add(p.build(maxDepth*2), "")
	}
	f.Fuzz(func(t *testing.T, page []byte, contentType string) {
		a, err := Page(context.Background(), page, "https://example.com/a", contentType, &Rules{Body: "article"})
		if err != nil && !errors.Is(err, ErrEmpty) {
			t.Fatalf("unexpected error: %v", err)
		}
		if a == nil {
			t.Fatal("nil article")
		}
		if strings.Contains(a.Text, "\n\n\n") {
			t.Errorf("text has more than one blank line between paragraphs: %q", a.Text)
		}
	})
}

// TestZoneUnknown: a date the page prints without a zone is reported as
// such when no rule gives one, never as UTC; with the rule's zone it is an
// instant in that zone; a date with its own offset keeps it.
func TestZoneUnknown(t *testing.T) {
	page := []byte(`<html><head><title>T</title></head><body><h1>T</h1>
<p class="date">Published : 2015-06-24 09:40</p><article><p>` + strings.Repeat("Text of the article, long enough. ", 20) + `</p></article></body></html>`)
	a, err := Page(context.Background(), page, "https://example.com/a", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.ZoneUnknown || a.Published.Format("2006-01-02T15:04:05") != "2015-06-24T09:40:00" {
		t.Errorf("no zone: published %v, zone unknown %v; want the reading 09:40 and zone unknown", a.Published, a.ZoneUnknown)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	a, err = Page(context.Background(), page, "https://example.com/a", "", &Rules{Timezone: seoul})
	if err != nil {
		t.Fatal(err)
	}
	if a.ZoneUnknown || a.Published.Format(time.RFC3339) != "2015-06-24T09:40:00+09:00" {
		t.Errorf("rule's zone: published %v, zone unknown %v; want 09:40+09:00", a.Published, a.ZoneUnknown)
	}
	zoned := []byte(strings.Replace(string(page), "<head>", `<head><meta property="article:published_time" content="2015-06-24T00:40:00Z">`, 1))
	a, err = Page(context.Background(), zoned, "https://example.com/a", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.ZoneUnknown || a.Published.Format(time.RFC3339) != "2015-06-24T00:40:00Z" {
		t.Errorf("zoned value: published %v, zone unknown %v; want 00:40Z", a.Published, a.ZoneUnknown)
	}
}

// TestDateline: a text that opens with its date, set off by a dash, a quote
// or a separator, is dated by it when the page's markup gives no date; a
// date later in the paragraph, or one that begins a sentence, is not.
func TestDateline(t *testing.T) {
	rest := strings.Repeat(" The labour market started the year well, the agency said, and hiring held up.", 8)
	for _, tt := range []struct{ first, want string }{
		{"01.02.2022 – The number of people out of work rose in January, though by far less than it usually does in the first month of a year, the agency's board said on Tuesday in Nuremberg.", "2022-02-01"},
		{"The number of people out of work rose on 01.02.2022 in most regions, though by far less than it usually does in the first month of a year, the agency's board said on Tuesday.", ""},
		{"01.02.2022 was the day the number of people out of work rose, though by far less than it usually does in the first month of a year, the agency's board said on Tuesday.", ""},
		{"3. August 2015 · Filed under family, work and the other things of our life", "2015-08-03"},
	} {
		page := []byte(`<html><head><title>Jobs</title></head><body><article><h3>Jobs in January</h3><p>` + tt.first + `</p><p>` + rest + `</p></article></body></html>`)
		a, err := Page(context.Background(), page, "https://example.com/a", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if !a.Published.IsZero() {
			got = a.Published.Format("2006-01-02")
		}
		if got != tt.want || got != "" && !a.ZoneUnknown {
			t.Errorf("%q: published %q (zone unknown %v), want %q, zone unknown", tt.first, got, a.ZoneUnknown, tt.want)
		}
	}
}

// TestLede: the first paragraph printed in the page's header, apart from
// the body, whose opening the meta description repeats, comes first in
// the text; a description that is a whole paragraph (a dek) or that the
// page does not print adds nothing.
func TestLede(t *testing.T) {
	lede := "The council voted on Tuesday to close the old bridge for two years while it is rebuilt."
	body := strings.Repeat("<p>Traffic will go round by the ring road, the council said, and buses will run every ten minutes.</p>", 5)
	page := func(desc string) []byte {
		return []byte(`<html><head><title>Bridge</title><meta name="description" content="` + desc + `"></head><body>
<header><h1>Bridge</h1><p class="standfirst">` + lede + `</p></header><article>` + body + `</article><footer>(c) Site</footer></body></html>`)
	}
	// A CMS's excerpt: the paragraph's opening, cut short.
	a, err := Page(context.Background(), page(lede[:64]+"…"), "https://example.com/a", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Text, lede+"\n\n") || !strings.HasPrefix(a.HTML, "<p>"+lede) {
		t.Errorf("text %q / HTML %q: want the lede first", a.Text[:min(120, len(a.Text))], a.HTML[:min(120, len(a.HTML))])
	}
	// A summary written for the page (a dek) or one it does not print is
	// not put in.
	for _, desc := range []string{lede, "A site about bridges, roads and everything else that a city builds for its people."} {
		a, err = Page(context.Background(), page(desc), "https://example.com/a", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(a.Text, lede) {
			t.Errorf("description %q: text %q has the lede", desc, a.Text[:min(120, len(a.Text))])
		}
	}
}
