package herald_test

import (
	"testing"

	"herald"
)

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"a longer line of text", 10, "a longe…"},
		{"한국어 텍스트", 8, "한…"}, // never a broken rune
	}
	for _, tt := range tests {
		if got := herald.Clip(tt.in, tt.max); got != tt.want || len(got) > tt.max {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
