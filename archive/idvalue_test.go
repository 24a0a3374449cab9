package archive

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

func TestIDValue(t *testing.T) {
	for _, tc := range []struct {
		id   string
		size int // of the value, hash aside
	}{
		{"0123456789abcdef0123456789abcdef", 17}, // Herald's: packed
		{"0123456789ABCDEF0123456789ABCDEF", 34}, // upper case would not come back
		{"0123456789abcdef0123456789abcde", 33},  // 31 digits
		{"0123456789abcdef0123456789abcdeg", 34}, // not hex
		{"urn:imported:1", 16},
		{"é", 4},
	} {
		v := appendID(nil, tc.id)
		if len(v) != tc.size {
			t.Errorf("%q: value of %d bytes, want %d", tc.id, len(v), tc.size)
		}
		id, rest, legacy, err := splitID(append(v, "hash"...))
		if err != nil || id != tc.id || string(rest) != "hash" || legacy {
			t.Errorf("%q: split = %q, %q, legacy %v, %v", tc.id, id, rest, legacy, err)
		}
	}
	// Version 2's bare ids.
	if id, rest, legacy, err := splitID([]byte("0123456789abcdef0123456789abcdef")); id != "0123456789abcdef0123456789abcdef" || rest != nil || !legacy || err != nil {
		t.Errorf("bare id: %q, %q, %v, %v", id, rest, legacy, err)
	}
	for _, bad := range [][]byte{nil, {}, {idPacked, 1, 2}, {idText}, {idText, 0}, {idText, 5, 'a'}, {idText, 0x80}} {
		if _, _, _, err := splitID(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
		if valueID(bad) != "" {
			t.Errorf("%q names an article", bad)
		}
	}
}

// FuzzIDValue: every id comes back, with what follows it, and no bytes make
// splitID panic.
func FuzzIDValue(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef", []byte("h"))
	f.Add("imported", []byte{})
	f.Add("", []byte{idText, 0xff})
	f.Fuzz(func(t *testing.T, id string, tail []byte) {
		splitID(tail)
		if id == "" || !utf8.ValidString(id) {
			return // ids are UTF-8, never empty (validate)
		}
		got, rest, legacy, err := splitID(append(appendID(nil, id), tail...))
		if err != nil || got != id || !bytes.Equal(rest, tail) || legacy {
			t.Fatalf("%q + %q: split = %q, %q, %v, %v", id, tail, got, rest, legacy, err)
		}
	})
}
