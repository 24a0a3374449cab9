package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Secret is a password. It prints as "***", so that a config shown whole
// (%v, %+v, a log line) does not show it; string(s) is the password.
type Secret string

func (Secret) String() string   { return "***" }
func (Secret) GoString() string { return `"***"` }

// maxPassword bounds what is read of a password file: one line.
const maxPassword = 4 << 10

// ReadPassword reads a password file: its first line, without the line
// ending an editor adds.
func ReadPassword(path string) (Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the password: %v", err)
	}
	if len(b) > maxPassword {
		return "", fmt.Errorf("%s is larger than %d bytes; want the password alone", path, maxPassword)
	}
	pw, _, _ := strings.Cut(string(b), "\n")
	pw = strings.TrimSuffix(pw, "\r")
	if pw == "" {
		return "", fmt.Errorf("%s holds no password on its first line", path)
	}
	return Secret(pw), nil
}

// urlCredentials are the user and password written in a feed URL.
func urlCredentials(raw string) (string, Secret) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return "", ""
	}
	pw, _ := u.User.Password()
	return u.User.Username(), Secret(pw)
}
