package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// herald fetch keeps the index in step; herald search finds by words,
// phrases, fields and filters, in every format; bad queries are exit 2;
// herald reindex rebuilds a lost index.
func TestSearchCommand(t *testing.T) {
	srv := farm(t, 4)
	cfg := farmConfig(t, srv, 4, "")
	if code, _, stderr := runCLI(t, "-c", cfg, "fetch"); code != 0 {
		t.Fatalf("fetch: exit %d: %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "-c", cfg, "search", "story", "2-1")
	if code != 0 || !strings.Contains(out, "1. Story 2-1\n") || !strings.Contains(out, "1 of 1 matching") {
		t.Errorf("search story 2-1: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "-c", cfg, "search", "teaser", "--feed", "f3", "--format", "jsonl", "--sort", "date")
	var titles []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var a struct{ Title string }
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("jsonl line %q: %v", line, err)
		}
		titles = append(titles, a.Title)
	}
	if code != 0 || strings.Join(titles, ",") != "Story 3-2,Story 3-1,Story 3-0" {
		t.Errorf("--feed f3 --sort date: exit %d, %q", code, titles)
	}
	code, out, _ = runCLI(t, "-c", cfg, "search", `"teaser 1" -title:1-2`, "--tag", "t1", "--format", "json")
	var doc struct{ Articles []struct{ Title string } }
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || len(doc.Articles) != 2 {
		t.Errorf("phrase, exclusion, --tag: exit %d, %v, %+v", code, err, doc)
	}
	for _, args := range [][]string{{"foo:bar"}, {`"open`}, {"--", "-only"}, {"x", "--limit", "0"}, {"x", "--sort", "size"}, {"x", "--format", "yaml"}, {}} {
		code, _, stderr := runCLI(t, append([]string{"-c", cfg, "search"}, args...)...)
		if code != exitUsage || stderr == "" {
			t.Errorf("search %q: exit %d, %q; want 2 and a reason", args, code, stderr)
		}
	}
	// A lost index is rebuilt by reindex (and would be by the next search).
	db := strings.TrimSuffix(cfg, "feeds.yaml") + "herald.db"
	if err := os.RemoveAll(db + ".search"); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCLI(t, "-c", cfg, "reindex"); code != 0 || !strings.Contains(out, "indexed 12 articles") {
		t.Fatalf("reindex: exit %d, %s%s", code, out, stderr)
	}
	if code, out, _ := runCLI(t, "-c", cfg, "search", "story"); code != 0 || !strings.Contains(out, "12 of 12 matching") {
		t.Errorf("after reindex: exit %d\n%s", code, out)
	}
}
