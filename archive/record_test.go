package archive

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"herald"
	"herald/archive/kv"
)

func TestRecordRoundTrip(t *testing.T) {
	long := longText("Seoul")
	for _, tc := range []struct {
		name       string
		json       string
		compressed bool
	}{
		{"short", `{"id":"a","text":"hi"}`, false},
		{"long prose", `{"id":"a","text":"` + long + `","html":"<p>` + long + `</p>"}`, true},
		{"incompressible", `{"id":"` + strings.Repeat("0123456789abcdef", 1) + `","text":"` + noise(600) + `"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := storeRecord([]byte(tc.json))
			if got := len(rec) > 0 && rec[0] == recordS2; got != tc.compressed {
				t.Errorf("compressed %v, want %v (%d bytes of %d)", got, tc.compressed, len(rec), len(tc.json))
			}
			for _, buf := range [][]byte{nil, make([]byte, 0, 8), make([]byte, 0, 1<<16)} {
				back, err := recordJSON(buf, rec)
				if err != nil || string(back) != tc.json {
					t.Errorf("buf cap %d: got %q, %v", cap(buf), back, err)
				}
			}
		})
	}
}

// noise is n bytes of letters that S2 cannot shrink by an eighth.
func noise(n int) string {
	var b strings.Builder
	x := uint32(2463534242)
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[x%62])
	}
	return b.String()
}

func TestRecordCorrupt(t *testing.T) {
	for _, rec := range [][]byte{{recordS2}, {recordS2, 0xff, 0xff, 0xff, 0xff, 0xff}, append([]byte{recordS2, 200}, bytes.Repeat([]byte{7}, 20)...)} {
		if _, err := recordJSON(nil, rec); err == nil {
			t.Errorf("record %x: no error", rec)
		}
		if _, err := decodeRecord(rec); err == nil {
			t.Errorf("record %x: decoded", rec)
		}
	}
}

// TestVersion1File: a file written before records were compressed holds
// plain JSON records and says version 1. It reads as it is, exports the
// same bytes, takes new (compressed) articles beside the old, and is marked
// version 2 once opened for writing.
func TestVersion1File(t *testing.T) {
	p := filepath.Join(t.TempDir(), "v1.db")
	db, err := Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	old := herald.Article{
		ID: "00000000000000000000000000000001", URL: "https://example.com/old", Title: "Old",
		Text: longText("Old"), HTML: "<p>" + longText("Old") + "</p>", Published: t0,
		Sources: []herald.Source{{Feed: "kh", GUID: "old", Seen: t0}},
	}
	line, _ := encodeArticle(&old)
	if _, err := db.Import(context.Background(), strings.NewReader(string(line)+"\n")); err != nil {
		t.Fatal(err)
	}
	// Rewrite it as version 1 wrote it: plain JSON, version "1".
	err = db.store.Update(func(tx kv.Tx) error {
		if err := tx.Bucket(bucketArticles).Put([]byte(old.ID), line); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaVersion, []byte("1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	if got := readOnlyExport(t, p); got != string(line)+"\n" {
		t.Errorf("version 1 export %q, want %q", got, line)
	}

	db, err = Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ingest(t, db, "blog", entry{guid: "new", url: "https://example.com/new", title: "New", text: longText("New")})
	var version string
	var compressed int
	db.store.View(func(tx kv.Tx) error {
		version = string(tx.Bucket(bucketMeta).Get(metaVersion))
		return tx.Bucket(bucketArticles).ForEach(func(_, v []byte) error {
			if v[0] == recordS2 {
				compressed++
			}
			return nil
		})
	})
	if version != strconv.Itoa(schemaVersion) || compressed != 1 {
		t.Errorf("version %q, %d compressed records; want %d and 1 (the new article)", version, compressed, schemaVersion)
	}
	lines := strings.Split(strings.TrimSpace(exportString(t, db, FormatJSONL)), "\n")
	if len(lines) != 2 || !strings.Contains(exportString(t, db, FormatJSONL), string(line)) {
		t.Errorf("export after an ingest: %q", lines)
	}
	a, err := db.Article(old.ID)
	if err != nil || a.Title != "Old" {
		t.Errorf("old article %+v, %v", a, err)
	}
}

// FuzzRecord: any stored bytes read back without a panic, and any JSON
// stored reads back the same.
func FuzzRecord(f *testing.F) {
	f.Add([]byte(`{"id":"a"}`))
	f.Add(storeRecord([]byte(`{"id":"a","text":"` + longText("x") + `"}`)))
	f.Add([]byte{recordS2, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		recordJSON(nil, data)
		if len(data) > 0 && data[0] == recordS2 {
			return
		}
		back, err := recordJSON(make([]byte, 0, 64), storeRecord(data))
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("stored %q, read %q, %v", data, back, err)
		}
	})
}
