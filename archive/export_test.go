package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/archive/kv"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// buildVaried archives what a few polls of real feeds give: several feeds,
// shared sources, tags, unicode and HTML, entries without dates, zones
// other than UTC, a repeated GUID, an update.
func buildVaried(t testing.TB, db *DB) {
	t.Helper()
	kst := time.FixedZone("KST", 9*3600)
	est := time.FixedZone("EST", -5*3600)
	npt := time.FixedZone("NPT", 5*3600+45*60)
	wire := longText("연합뉴스 wire ✓")
	ingest(t, db, "korea-herald",
		entry{guid: "20150624000515", url: "http://www.koreaherald.com/view.php?ud=20150624000515&utm_source=rss",
			title: "S. Korea, Japan to boost defense ties this year", text: "Seoul and Tokyo…\n\nSecond paragraph.",
			published: time.Date(2015, 6, 24, 9, 40, 0, 0, kst), tags: []string{"news", "korea"}},
		entry{guid: "kh-2", url: "https://www.koreaherald.com/view.php?ud=2", title: "KH디지털2 <b>bold</b> & \"quotes\"",
			text: wire, published: time.Date(2025, 1, 2, 3, 4, 5, 600, kst), tags: []string{"korea"}},
		entry{guid: "kh-nodate", url: "https://www.koreaherald.com/view.php?ud=3", title: "No date", text: "Undated."},
	)
	ingest(t, db, "wire-us",
		entry{guid: "w1", url: "https://us.example/wire/1?fbclid=abc", title: "Same wire story", text: wire,
			published: time.Date(2025, 1, 1, 13, 4, 5, 0, est), tags: []string{"wire"}},
		entry{guid: "w2", url: "https://www.koreaherald.com/view.php?ud=20150624000515#top", title: "Shared",
			tags: []string{"defense"}},
		entry{guid: "same", key: "same https://us.example/a", url: "https://us.example/a", title: "Repeated guid A",
			text: "A", published: time.Date(1965, 3, 4, 5, 6, 7, 0, npt)},
		entry{guid: "same", key: "same https://us.example/b", url: "https://us.example/b", title: "Repeated guid B",
			text: "B 😀 \u2028 line separator", published: time.Date(2030, 7, 8, 9, 10, 11, 0, npt)},
	)
	ingest(t, db, "korea-herald", entry{guid: "kh-nodate", url: "https://www.koreaherald.com/view.php?ud=3",
		title: "No date (corrected)", text: "Undated, corrected."})
	it := entry{feed: "blog", guid: "b1", url: "https://blog.example/p/1", title: "Blog",
		text: "Blog text", published: time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC)}.item()
	it.Article.Byline, it.Article.Lang, it.Article.SiteName = "Ann Author", "en", "Blog"
	it.Article.Image, it.Article.Summary = "https://blog.example/i.png", "A summary."
	it.Article.ExtractedBy, it.Article.ExtractError = herald.ExtractedByFeed, "fetch https://blog.example/p/1: 403"
	it.Article.Fetched = time.Date(2024, 3, 1, 0, 0, 0, 0, time.Local)
	if _, err := db.Ingest(context.Background(), herald.FeedState{Name: "blog"}, []Item{it}); err != nil {
		t.Fatal(err)
	}
}

func TestExportRoundTrip(t *testing.T) {
	src := openTest(t)
	buildVaried(t, src)
	for _, format := range []string{FormatJSON, FormatJSONL} {
		t.Run(format, func(t *testing.T) {
			first := exportString(t, src, format)
			if again := exportString(t, src, format); again != first {
				t.Fatal("two exports of one archive differ")
			}
			dst := openTest(t)
			res, err := dst.Import(context.Background(), strings.NewReader(first))
			if err != nil {
				t.Fatal(err)
			}
			if res.New != 6 || res.Duplicate+res.Updated+res.Unchanged != 0 {
				t.Errorf("import result %+v", res)
			}
			if second := exportString(t, dst, format); second != first {
				t.Errorf("export -> import -> export differs:\n%s\n----\n%s", first, second)
			}
			// The other format carries the same articles.
			other := FormatJSON
			if format == FormatJSON {
				other = FormatJSONL
			}
			if a, b := exportString(t, src, other), exportString(t, dst, other); a != b {
				t.Errorf("%s export differs after a %s round trip", other, format)
			}
			// Importing again changes nothing.
			res, err = dst.Import(context.Background(), strings.NewReader(first))
			if err != nil || res.Unchanged != 6 || res.New+res.Duplicate != 0 {
				t.Errorf("second import: %+v %v", res, err)
			}
			if third := exportString(t, dst, format); third != first {
				t.Error("a second import changed the archive")
			}
		})
	}
}

func TestExportGolden(t *testing.T) {
	db := openTest(t)
	buildVaried(t, db)
	got := exportString(t, db, FormatJSON)
	// time.Local varies between machines: the golden file holds UTC.
	got = strings.ReplaceAll(got, time.Date(2024, 3, 1, 0, 0, 0, 0, time.Local).Format(time.RFC3339Nano), "LOCAL")
	path := filepath.Join("testdata", "export.golden.json")
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("export differs from %s (run go test -update if intended):\n%s", path, got)
	}
}

func TestExportFilters(t *testing.T) {
	db := openTest(t)
	buildVaried(t, db)
	var b bytes.Buffer
	n, err := db.Export(context.Background(), &b, FormatJSONL, Query{Feed: "wire-us", Tag: "defense"})
	if err != nil || n != 1 || strings.Count(b.String(), "\n") != 1 || !strings.Contains(b.String(), "20150624000515") {
		t.Errorf("filtered export: %d %v\n%s", n, err, b.String())
	}
	b.Reset()
	if n, err := db.Export(context.Background(), &b, FormatJSON, Query{Tag: "none"}); n != 0 || err != nil || b.String() != "{\"articles\": []}\n" {
		t.Errorf("empty json export: %d %v %q", n, err, b.String())
	}
	b.Reset()
	if n, err := db.Export(context.Background(), &b, FormatJSONL, Query{Tag: "none"}); n != 0 || err != nil || b.Len() != 0 {
		t.Errorf("empty jsonl export: %d %v %q", n, err, b.String())
	}
	if _, err := db.Export(context.Background(), &b, "xml", Query{}); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := db.Export(context.Background(), failWriter{}, FormatJSONL, Query{}); err == nil {
		t.Error("write error lost")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestExportSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ExportSchema()))
	if err != nil {
		t.Fatal(err)
	}
	const loc = "export.schema.json"
	if err := c.AddResource(loc, doc); err != nil {
		t.Fatal(err)
	}
	article, err := c.Compile(loc)
	if err != nil {
		t.Fatal(err)
	}
	wrapper, err := c.Compile(loc + "#/$defs/export")
	if err != nil {
		t.Fatal(err)
	}
	db := openTest(t)
	buildVaried(t, db)

	lines := strings.Split(strings.TrimSpace(exportString(t, db, FormatJSONL)), "\n")
	for i, line := range lines {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
		if err != nil {
			t.Fatal(err)
		}
		if err := article.Validate(v); err != nil {
			t.Errorf("article %d: %v", i+1, err)
		}
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(exportString(t, db, FormatJSON)))
	if err != nil {
		t.Fatal(err)
	}
	if err := wrapper.Validate(v); err != nil {
		t.Errorf("json export: %v", err)
	}
	// The schema does reject what is not an article.
	for _, bad := range []string{
		`{}`,
		`{"id":"x","url":"u","title":"","published":"yesterday","text":"","html":"","tags":[],"sources":[{"feed":"a","feed_url":"https://a/","guid":"g","link":"","seen":"2020-01-01T00:00:00Z"}],"content_hash":"` + strings.Repeat("0", 64) + `","extracted_by":"feed"}`,
		strings.Replace(lines[0], `"extracted_by":"feed"`, `"extracted_by":"magic"`, 1),
		strings.Replace(lines[0], `"sources":[`, `"sources":[],"x":[`, 1),
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if article.Validate(v) == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

func TestImportMergesIntoExisting(t *testing.T) {
	db := openTest(t)
	ingest(t, db, "a", entry{guid: "1", url: "https://x.example/1", text: "one", tags: []string{"a"}})
	other := openTest(t)
	ingest(t, other, "b",
		entry{guid: "1", url: "http://x.example/1?utm_source=z", text: "one", tags: []string{"b"}}, // same URL
		entry{guid: "2", url: "https://x.example/2", text: "two"},
	)
	ingest(t, other, "a", entry{guid: "1", url: "https://elsewhere.example/1", text: "one"}) // same source as db's
	res, err := db.Import(context.Background(), strings.NewReader(exportString(t, other, FormatJSONL)))
	if err != nil {
		t.Fatal(err)
	}
	if res.counts() != [4]int{1, 0, 2, 0} {
		t.Errorf("result %+v", res)
	}
	list := all(t, db, Query{})
	if len(list) != 2 {
		t.Fatalf("%d articles", len(list))
	}
	// Both articles are undated and seen at the same moment: find the
	// merged one by URL, not by order (which their ids decide).
	a := list[0]
	if a.URL != "https://x.example/1" {
		a = list[1]
	}
	var feeds []string
	for _, s := range a.Sources {
		feeds = append(feeds, s.Feed)
	}
	if strings.Join(feeds, ",") != "a,b" || strings.Join(a.Tags, ",") != "a,b" {
		t.Errorf("merged article: feeds %v tags %v", feeds, a.Tags)
	}
}

func TestImportErrors(t *testing.T) {
	ok := func(id string) string {
		return `{"id":"` + id + `","url":"https://x.example/` + id + `","title":"t","published":"2020-01-01T00:00:00+09:00","text":"x","html":"","tags":[],"sources":[{"feed":"a","feed_url":"","guid":"` + id + `","link":"","seen":"2020-01-01T00:00:00Z"}],"content_hash":"","extracted_by":"feed"}`
	}
	tests := []struct {
		name, in, want string
		imported       int // articles archived before the error
	}{
		{"not json", "hello", "line 1", 0},
		{"array", "[1,2]", "line 1", 0},
		{"no id", strings.Replace(ok("1"), `"id":"1"`, `"id":""`, 1), "line 1 (id \"\"): no id", 0},
		{"no sources", strings.Replace(ok("1"), `"sources":[{`, `"sources":[],"x":[{`, 1), "no sources", 0},
		{"no feed", strings.Replace(ok("1"), `"feed":"a"`, `"feed":""`, 1), "sources[0]: no feed name", 0},
		{"bad date", strings.Replace(ok("1"), `2020-01-01T00:00:00+09:00`, `yesterday`, 1), "line 1", 0},
		{"wrong type", strings.Replace(ok("1"), `"tags":[]`, `"tags":"x"`, 1), "line 1", 0},
		{"third line", ok("1") + "\n\n" + ok("2") + "\n{", "line 4", 2},
		{"trailing data on a line", ok("1") + " {}", "line 1", 0},
		{"json: article 2", `{"articles": [` + ok("1") + `, {"id": 5}]}`, "article 2", 1},
		{"json: invalid article 3", `{"articles": [` + ok("1") + `,` + ok("2") + `,` + strings.Replace(ok("3"), `"id":"3"`, `"id":""`, 1) + `]}`, "article 3", 2},
		{"json: truncated", `{"articles": [` + ok("1"), "json", 1},
		{"json: not an array", `{"articles": 5}`, "json", 0},
		{"json: trailing data", `{"articles": []} x`, "after the export", 0},
		{"json: two objects", `{"articles": []}{"articles": []}`, "after the export", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			_, err := db.Import(context.Background(), strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to say %q", err, tt.want)
			}
			if s, _ := db.Stats(); s.Articles != tt.imported {
				t.Errorf("%d articles archived, want %d", s.Articles, tt.imported)
			}
		})
	}
}

func TestImportAccepts(t *testing.T) {
	for _, in := range []string{"", "\n\n", "\xef\xbb\xbf", `{"articles": []}`, ` { "articles" : [ ] } `} {
		db := openTest(t)
		if res, err := db.Import(context.Background(), strings.NewReader(in)); err != nil || res.New != 0 {
			t.Errorf("%q: %+v %v", in, res, err)
		}
	}
}

func TestImportBatches(t *testing.T) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	const n = importBatch*2 + 17
	for i := range n {
		a := herald.Article{
			ID:  strings.Repeat("x", i%5+1) + string(rune('a'+i%26)) + time.Unix(int64(i), 0).UTC().Format("150405"),
			URL: "https://x.example/" + time.Unix(int64(i), 0).UTC().Format("150405"), Published: time.Unix(int64(i), 0).UTC(),
			Sources: []herald.Source{{Feed: "f", GUID: time.Unix(int64(i), 0).UTC().Format("150405")}},
		}
		enc.Encode(a)
	}
	db := openTest(t)
	res, err := db.Import(context.Background(), strings.NewReader(b.String()))
	if err != nil || res.New != n {
		t.Fatalf("%+v %v", res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := openTest(t).Import(ctx, strings.NewReader(b.String())); err == nil {
		t.Error("cancelled import succeeded")
	}
}

func FuzzImport(f *testing.F) {
	db := openTest(f)
	buildVaried(f, db)
	f.Add([]byte(exportString(f, db, FormatJSON)))
	lines := strings.SplitAfter(exportString(f, db, FormatJSONL), "\n")
	f.Add([]byte(strings.Join(lines[:3], "")))
	f.Add([]byte(`{"articles": [{"id":"a","url":"u","sources":[{"feed":"f","guid":"g"}]}]}`))
	f.Add([]byte(`{"id":"a","url":"u","sources":[{"feed":"f","guid":"g"}],"tags":["b","a","a",""]}` + "\n" +
		`{"id":"b","url":"u","sources":[{"feed":"f","guid":"h"}],"published":"0001-01-01T00:00:00Z"}`))
	// Opening a file per input costs an fsync; two archives emptied
	// between inputs keep the fuzzer fast.
	first, again := openTest(f), openTest(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		reset(t, first)
		if _, err := first.Import(context.Background(), bytes.NewReader(data)); err != nil {
			return
		}
		for _, format := range []string{FormatJSON, FormatJSONL} {
			out := exportString(t, first, format)
			reset(t, again)
			if _, err := again.Import(context.Background(), strings.NewReader(out)); err != nil {
				t.Fatalf("%s: re-import of an export failed: %v\n%s", format, err, out)
			}
			if second := exportString(t, again, format); second != out {
				t.Fatalf("%s: export -> import -> export differs:\n%s\n----\n%s", format, out, second)
			}
		}
	})
}

// reset empties an archive.
func reset(t *testing.T, db *DB) {
	t.Helper()
	err := db.store.Update(func(tx kv.Tx) error {
		for _, name := range allBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return initLayout(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	forgetClaims(db)
}

// TestExportIsReencoding checks what Export's fast path relies on: the
// stored bytes it writes out are exactly the encoding of the article they
// decode to, and every filter gives the articles Each gives.
func TestExportIsReencoding(t *testing.T) {
	db := openTest(t)
	buildVaried(t, db)
	for _, q := range []Query{{}, {Feed: "wire-us"}, {Tag: "korea"}, {Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, {Limit: 2}} {
		var out strings.Builder
		n, err := db.Export(context.Background(), &out, FormatJSONL, q)
		if err != nil {
			t.Fatal(err)
		}
		want := all(t, db, q)
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if n != len(want) || len(lines) != len(want) {
			t.Fatalf("%+v: exported %d articles in %d lines, Each gives %d", q, n, len(lines), len(want))
		}
		for i, line := range lines {
			a, err := decodeArticle([]byte(line))
			if err != nil {
				t.Fatalf("%+v: line %d: %v", q, i, err)
			}
			again, _ := encodeArticle(a)
			if string(again) != line {
				t.Errorf("%+v: line %d is not the encoding of its article:\n got %s\nwant %s", q, i, line, again)
			}
			if a.ID != want[i].ID {
				t.Errorf("%+v: line %d is %s, Each gives %s", q, i, a.ID, want[i].ID)
			}
		}
	}
}
