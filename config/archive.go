package config

import (
	"errors"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// An archive is a bbolt file or a PostgreSQL database. A database is named
// by a URL (postgres://user@host:port/database?options); its password is
// never part of what Herald keeps or shows: Config.Archive holds the URL
// without it (ShownDSN), and Config.ArchivePassword the password.

// IsPostgres reports whether an archive: value, or --db, names a
// PostgreSQL database rather than a bbolt file: it starts with postgres:
// or postgresql: (a file so named is written ./postgres:…).
func IsPostgres(archive string) bool {
	scheme, _, ok := strings.Cut(archive, ":")
	if !ok {
		return false
	}
	scheme = strings.ToLower(scheme)
	return scheme == "postgres" || scheme == "postgresql"
}

// secretParams are the URL parameters that hold a password.
var secretParams = []string{"password", "sslpassword"}

// SplitDSN checks the shape of a PostgreSQL URL without connecting and
// splits it into the URL without its password, the form Herald shows, logs
// and passes to the archive, and the password (from user:password@ or
// ?password=), "" when it holds none. Its errors never show the password.
func SplitDSN(dsn string) (shown string, password Secret, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// url's errors quote the URL, password and all.
		return "", "", errors.New("is not a URL; want postgres://user@host:port/database?options")
	}
	switch {
	case u.Scheme != "postgres" && u.Scheme != "postgresql":
		return "", "", errors.New("want a postgres:// or postgresql:// URL")
	case u.Opaque != "":
		return "", "", errors.New("want postgres:// with two slashes: postgres://user@host:port/database")
	case u.Fragment != "" || strings.Contains(dsn, "#"):
		return "", "", errors.New("has a #fragment; a database URL has none (a # in a password is written %23)")
	case strings.Count(strings.TrimPrefix(u.Path, "/"), "/") > 0:
		return "", "", errors.New("has a path of more than the database name")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", "", errors.New("has a port that is not 1 to 65535")
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", "", errors.New("has a malformed query (?key=value&key=value)")
	}
	if q.Has("sslpassword") {
		return "", "", errors.New("sslpassword is not supported; use an unencrypted client key file")
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		password = Secret(pw)
		name := u.User.Username()
		u.User = nil
		if name != "" {
			u.User = url.User(name)
		}
	}
	if q.Has("password") {
		if password != "" {
			return "", "", errors.New("has a password twice, after the user name and in ?password=")
		}
		password = Secret(q.Get("password"))
	}
	for _, p := range secretParams {
		q.Del(p)
	}
	u.RawQuery = q.Encode()
	return u.String(), password, nil
}

// archive decodes archive: and archive_password_file:. A file is made
// absolute against the config's directory; a database URL is kept without
// its password, which goes to c.ArchivePassword.
func (d *decoder) archive(c *Config, top map[string]entry) {
	name := DefaultArchive
	line := 1
	if e, ok := top["archive"]; ok {
		line = e.v.Line
		s, ok := d.text(e.v, "archive")
		if !ok {
			return
		}
		name = s
	}
	pwFile, pwLine := "", 0
	if e, ok := top["archive_password_file"]; ok {
		pwLine = e.v.Line
		if s, ok := d.text(e.v, "archive_password_file"); ok {
			pwFile = s
		}
	}
	if !IsPostgres(name) {
		if pwLine > 0 {
			d.errorf(pwLine, "archive_password_file", "is for a PostgreSQL archive (archive: postgres://…); this archive is a file")
		}
		abs, err := filepath.Abs(d.relative(name))
		if err != nil {
			d.errorf(line, "archive", "%v", err)
			abs = name
		}
		c.Archive = abs
		return
	}
	shown, pw, err := SplitDSN(name)
	if err != nil {
		d.errorf(line, "archive", "%v", err)
		return
	}
	c.Archive, c.ArchivePassword = shown, pw
	if pwFile == "" {
		return
	}
	if pw != "" {
		d.errorf(pwLine, "archive_password_file", "the archive URL holds a password too; give it one way")
		return
	}
	if c.ArchivePassword, err = ReadPassword(d.relative(pwFile)); err != nil {
		d.errorf(pwLine, "archive_password_file", "%v", err)
	}
}

// relative is path taken relative to the config's directory.
func (d *decoder) relative(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(d.file), path)
}

// searchIndex decodes search_index:, the directory of the search index,
// made absolute against the config's directory.
func (d *decoder) searchIndex(c *Config, top map[string]entry) {
	e, ok := top["search_index"]
	if !ok {
		return
	}
	s, ok := d.text(e.v, "search_index")
	if !ok {
		return
	}
	abs, err := filepath.Abs(d.relative(s))
	if err != nil {
		d.errorf(e.v.Line, "search_index", "%v", err)
		return
	}
	c.SearchIndex = abs
}
