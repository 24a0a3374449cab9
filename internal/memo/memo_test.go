package memo

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestMemo(t *testing.T) {
	m := New[string](3)
	made := 0
	upper := func(s string) func() (string, error) {
		return func() (string, error) { made++; return "<" + s + ">", nil }
	}
	for range 2 {
		if v, _ := m.String("a", "x", upper("x")); v != "<x>" {
			t.Errorf("got %q", v)
		}
	}
	if made != 1 {
		t.Errorf("made %d times, want once", made)
	}
	// The same id with other content is made anew; bytes and strings of the
	// same content are the same key.
	if v, _ := m.String("a", "y", upper("y")); v != "<y>" || made != 2 {
		t.Errorf("changed content: %q, made %d", v, made)
	}
	if v, _ := m.Bytes("a", []byte("y"), upper("never")); v != "<y>" {
		t.Errorf("bytes of kept content: %q", v)
	}
	// A failure is returned and not kept.
	boom := errors.New("boom")
	if _, err := m.String("b", "z", func() (string, error) { return "", boom }); err != boom {
		t.Errorf("error %v", err)
	}
	if v, err := m.String("b", "z", upper("z")); v != "<z>" || err != nil {
		t.Errorf("after a failure: %q, %v", v, err)
	}
	for i := range 10 {
		m.String(fmt.Sprint(i), "c", upper("c"))
		if m.Len() > 3 {
			t.Fatalf("%d kept, bound 3", m.Len())
		}
	}
	off := New[string](0)
	off.String("a", "x", upper("x"))
	if off.Len() != 0 {
		t.Errorf("a memo of 0 keeps %d", off.Len())
	}
}

func TestMemoWithBytes(t *testing.T) {
	m := New[string](100).WithBytes(100, func(s string) int { return len(s) })
	made := 0
	value := func(n int) func() (string, error) {
		return func() (string, error) { made++; return strings.Repeat("x", n), nil }
	}
	for range 2 {
		m.String("huge", "content", value(13))
	}
	if made != 2 || m.Len() != 0 {
		t.Errorf("a value over an eighth of the bytes: made %d times, %d kept; want 2, 0", made, m.Len())
	}
	for i := range 10 {
		m.String(fmt.Sprint(i), "content", value(10))
	}
	if m.Len() != 10 {
		t.Fatalf("%d values of 10 bytes kept in 100; want 10", m.Len())
	}
	made = 0
	m.String("9", "content", value(10))
	if made != 0 {
		t.Errorf("a kept value was made again")
	}
	m.String("10", "content", value(10))
	if m.Len() != 1 {
		t.Errorf("after going over 100 bytes: %d values kept; want 1 (started afresh)", m.Len())
	}
}
