package main

import "errors"

// Temporary: each command gets its own file as it is written.
var errNotYet = errors.New("not built yet")
