package charset

import (
	"mime"
	"strings"
	"unicode"
)

// ContentType returns the media type (lower case) and the charset parameter
// of a Content-Type header; either may be empty. A malformed header is read
// leniently, since it still often carries a usable charset: the first word
// after "charset=", without quotes.
func ContentType(header string) (mediaType, charset string) {
	if header == "" {
		return "", ""
	}
	mt, params, err := mime.ParseMediaType(header)
	if err == nil {
		return mt, params["charset"]
	}
	lower := strings.ToLower(header)
	mt, _, _ = strings.Cut(lower, ";")
	mt = strings.TrimSpace(mt)
	_, after, ok := strings.Cut(lower, "charset=")
	if !ok {
		return mt, ""
	}
	after, _, _ = strings.Cut(after, ";")
	words := strings.FieldsFunc(after, func(r rune) bool {
		return unicode.IsSpace(r) || r == '"' || r == '\''
	})
	if len(words) == 0 {
		return mt, ""
	}
	return mt, words[0]
}
