package config

import (
	"fmt"
	"strings"
)

// Error is one problem in a config file, placed by file and line so that an
// editor can jump to it.
type Error struct {
	File  string
	Line  int    // 1-based; 0 when the problem has no place (an unreadable file)
	Field string // the setting's path, e.g. feeds[3].interval; empty for syntax errors
	Msg   string
}

// String gives the form "file:line: field: msg" that compilers use.
func (e Error) String() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e Error) Error() string { return e.String() }

// Errors is every problem found in one config file, in line order. Parse does
// not stop at the first problem so that one run of "herald check" shows them all.
type Errors struct {
	List []Error
}

func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, x := range e.List {
		lines[i] = x.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find a single Error.
func (e *Errors) Unwrap() []error {
	errs := make([]error, len(e.List))
	for i, x := range e.List {
		errs[i] = x
	}
	return errs
}
