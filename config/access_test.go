package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestAccessKeysBad(t *testing.T) {
	exposed := "listen: 0.0.0.0:8080\n"
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"off loopback without a token", exposed + oneFeed,
			[]string{"feeds.yaml:1: listen: 0.0.0.0:8080 is not a loopback address, so api, metrics, pages would be served to anyone who can reach it: set token_file: to ask for a token, or declare them public: (public: [feeds, api, metrics, pages])"}},
		{"every address without a token", "listen: \":8080\"\n" + oneFeed + "public: [api]\n",
			[]string{"feeds.yaml:1: listen: :8080 is not a loopback address, so feeds, metrics, pages would be served to anyone who can reach it: set token_file: to ask for a token, or declare them public: (public: [feeds, api, metrics, pages])"}},
		{"a host name is not loopback", "listen: herald.lan:8080\n" + oneFeed,
			[]string{"feeds.yaml:1: listen: herald.lan:8080 is not a loopback address, so api, metrics, pages would be served to anyone who can reach it: set token_file: to ask for a token, or declare them public: (public: [feeds, api, metrics, pages])"}},
		{"unknown part", oneFeed + "public: [feeds, status, api, api]\n",
			[]string{`feeds.yaml:3: public[1]: "status" is not a part; want one of feeds, api, metrics, pages`,
				`feeds.yaml:3: public[3]: "api" is listed twice`}},
		{"public not a list", oneFeed + "public: yes\n",
			[]string{`feeds.yaml:3: public: expected a list, got "yes"`}},
		{"base_url relative", "base_url: /herald\n" + oneFeed,
			[]string{`feeds.yaml:1: base_url: "/herald" is not an absolute http or https URL`}},
		{"base_url ftp", "base_url: ftp://news.example.org/\n" + oneFeed,
			[]string{`feeds.yaml:1: base_url: "ftp://news.example.org/" is not an absolute http or https URL`}},
		{"base_url with a query", "base_url: https://news.example.org/?a=1\n" + oneFeed,
			[]string{`feeds.yaml:1: base_url: "https://news.example.org/?a=1" has a query or fragment; want scheme, host and an optional path`}},
		{"base_url with credentials", "base_url: https://u:p@news.example.org/\n" + oneFeed,
			[]string{`feeds.yaml:1: base_url: a URL with credentials cannot be a public address`}},
		{"token_file empty", "token_file:\n" + oneFeed,
			[]string{`feeds.yaml:1: token_file: is empty`}},
		{"typo", "tokenfile: x\n" + oneFeed,
			[]string{`feeds.yaml:1: tokenfile: unknown key (did you mean token_file?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrors(t, tt.src)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestAccessKeysGood(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.yaml")
	tests := []struct {
		src                string
		loopback           bool
		baseURL, tokenFile string
		private            []string
	}{
		{oneFeed, true, "", "", []string{"api", "metrics", "pages"}},
		{"listen: localhost:9000\n" + oneFeed, true, "", "", []string{"api", "metrics", "pages"}},
		{"listen: \"[::1]:9000\"\n" + oneFeed, true, "", "", []string{"api", "metrics", "pages"}},
		{"listen: 0.0.0.0:80\ntoken_file: secret/token\nbase_url: https://news.example.org/herald/\n" + oneFeed,
			false, "https://news.example.org/herald", filepath.Join(dir, "secret", "token"), []string{"api", "metrics", "pages"}},
		{"listen: 0.0.0.0:80\npublic: [feeds, api, metrics, pages]\n" + oneFeed, false, "", "", nil},
		{"listen: 192.0.2.7:80\npublic: [api, metrics, pages]\ntoken_file: /t\n" + oneFeed, false, "", "/t", []string{"feeds"}},
		{"token_file: /etc/herald-token\npublic: []\n" + oneFeed, true, "", "/etc/herald-token", []string{"feeds", "api", "metrics", "pages"}},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(tt.src), path)
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		if c.ListenLoopback() != tt.loopback || c.BaseURL != tt.baseURL || c.TokenFile != tt.tokenFile || !reflect.DeepEqual(c.Private(), tt.private) {
			t.Errorf("%q: loopback %v, base %q, token file %q, private %v", tt.src, c.ListenLoopback(), c.BaseURL, c.TokenFile, c.Private())
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%q: Validate: %v", tt.src, err)
		}
	}
}

func TestToken(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.yaml")
	c, err := Parse([]byte("listen: 0.0.0.0:80\n\ntoken_file: token\n"+oneFeed), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(); err == nil || !strings.HasPrefix(err.Error(), path+":3: token_file: open ") {
		t.Errorf("missing file: %v", err)
	}
	for content, want := range map[string]string{
		"short\n":                       "holds 5 characters; a token needs at least 16",
		"0123456789abcdef 0123456789\n": "the token must be printable ASCII without spaces",
		"\n  0123456789abcdef-XYZ \n":   "",
	} {
		os.WriteFile(filepath.Join(dir, "token"), []byte(content), 0o600)
		tok, err := c.Token()
		switch {
		case want == "" && (err != nil || tok != "0123456789abcdef-XYZ"):
			t.Errorf("%q: %q, %v", content, tok, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: %v, want %q", content, err, want)
		}
	}
	if tok, err := (&Config{}).Token(); tok != "" || err != nil {
		t.Errorf("no token_file: %q, %v", tok, err)
	}
}
