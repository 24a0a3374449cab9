package search_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"herald/archive"
	"herald/search"
	"herald/search/searchtest"

	"github.com/blevesearch/bleve/v2"
)

// bleveEngine is the bleve index beside a bbolt file.
var bleveEngine = searchtest.Engine{
	Archive: func(t testing.TB) *archive.DB {
		db, err := archive.Open(filepath.Join(t.TempDir(), "herald.db"), archive.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	},
	Open: func(t testing.TB, db *archive.DB) search.Follower {
		ix, err := search.Open(search.PathFor(db.Path()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	},
}

func TestEngine(t *testing.T) { searchtest.Run(t, bleveEngine) }

// An index that analysed text as an older Herald did is made anew and
// rebuilt: its terms would not match this one's queries.
func TestOlderIndexRebuilt(t *testing.T) {
	f := searchtest.NewFixture(t, bleveEngine)
	path := search.PathFor(f.DB.Path())
	if err := f.Ix.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := bleve.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteInternal([]byte("format")); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(f.IDs[searchtest.Docs[0].Title()]); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	f.Ix = f.OpenIndex(t)
	if got := f.Titles(t, search.Request{Query: searchtest.MustParse(t, `"share intelligence"`)}); !slices.Equal(got, []string{searchtest.Docs[0].Title()}) {
		t.Errorf("after an older index: %q", got)
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, s := range []string{"", "   ", "-", "- word", "-word", `"open`, `""`, "foo:bar", "title:", "title: x",
		`wo"rd`, string([]byte{0xff}), fmt.Sprintf("%0600d", 1)} {
		if _, err := search.ParseQuery(s); !errors.Is(err, search.ErrQuery) {
			t.Errorf("ParseQuery(%q): %v, want ErrQuery", s, err)
		}
	}
	q := searchtest.MustParse(t, ` -"a  b"  title:x feed:"y z" 12:30 word `)
	if got := q.String(); got != `-"a b" title:x feed:"y z" 12:30 word` {
		t.Errorf("String() = %q", got)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"a b", `"a b" -c`, "title:x site:\"y\"", "-", `"`, "대통령 -桜"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := search.ParseQuery(s)
		if err != nil {
			if !errors.Is(err, search.ErrQuery) {
				t.Fatalf("error %v does not wrap ErrQuery", err)
			}
			return
		}
		// The normal form reads back to the same query.
		again, err := search.ParseQuery(q.String())
		if err != nil || !slices.Equal(again.Clauses, q.Clauses) {
			t.Fatalf("%q -> %q -> %+v, %v", s, q.String(), again, err)
		}
	})
}

func TestSnippet(t *testing.T) {
	text := "The first line says little. " + fmt.Sprintf("%0300d", 0) + " Then the Quick brown fox jumps, and the fox runs."
	s := search.MakeSnippet(text, []string{"fox", "quick brown"}, 80)
	if got := s.Bracketed("[", "]"); !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, " Then the [Quick brown] [fox] jumps, and the [fox] runs.") {
		t.Errorf("snippet %q", got)
	}
	k := search.MakeSnippet("대통령은 오늘 국무회의를 주재하고 경제 정책에 대해 논의했다.", []string{"국무회의"}, 20)
	if got := k.Bracketed("[", "]"); got != "대통령은 오늘 [국무회의]를 주재하고 경제 정…" {
		t.Errorf("Korean snippet %q", got)
	}
	none := search.MakeSnippet("short text", []string{"zz"}, 80)
	if none.Text != "short text" || len(none.Marks) != 0 {
		t.Errorf("no match: %+v", none)
	}
}
