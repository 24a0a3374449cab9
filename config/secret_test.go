package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/config"
)

func TestFeedCredentials(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "feed.pass"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "feeds.yaml")
	c, err := config.Parse([]byte(`feeds:
  - url: http://reader:s3cret@127.0.0.1:8080/private.xml
    name: in-url
  - url: https://feeds.example.com/private.xml
    username: reader
    password_file: feed.pass
`), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.Feeds {
		if strings.Contains(f.URL, "s3cret") || strings.Contains(f.URL, "reader") {
			t.Errorf("%s: URL %q keeps the credentials", f.Name, f.URL)
		}
		if f.Username != "reader" || string(f.Password) != "s3cret" {
			t.Errorf("%s: credentials %q %q, want reader and the password", f.Name, f.Username, string(f.Password))
		}
		if shown := fmt.Sprintf("%v %+v %#v", f, f, f); strings.Contains(shown, "s3cret") {
			t.Errorf("printing the feed shows the password: %s", shown)
		}
	}
	if got := c.Feeds[0].URL; got != "http://127.0.0.1:8080/private.xml" {
		t.Errorf("URL %q", got)
	}
}

func TestFeedCredentialErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.yaml")
	os.WriteFile(filepath.Join(dir, "empty.pass"), []byte("\n"), 0o600)
	for _, tt := range []struct{ yaml, want string }{
		{"feeds:\n  - url: https://a.example/f\n    password_file: x.pass\n", "feeds.yaml:3: feeds[0].password_file: needs username:"},
		{"feeds:\n  - url: https://a.example/f\n    username: u\n    password_file: missing.pass\n", "feeds.yaml:4: feeds[0].password_file: cannot read the password"},
		{"feeds:\n  - url: https://a.example/f\n    username: u\n    password_file: empty.pass\n", "holds no password"},
		{"feeds:\n  - url: https://u:s3cret@a.example/f\n    username: u\n", "feeds.yaml:2: feeds[0].url: has user:password@ and username:"},
		{"feeds:\n  - url: ftp://u:s3cret@a.example/f\n", `"ftp://a.example/f" is not an http or https URL`},
	} {
		_, err := config.Parse([]byte(tt.yaml), path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error %q shows the password", err)
		}
	}
}
