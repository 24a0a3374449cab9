package herald

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// trackingParams are query parameters that identify a click, not a page.
// utm_* is matched by prefix in isTracking.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "igshid": true,
	"_hsenc": true, "_hsmi": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true,
	"rb_clickid": true, "s_cid": true, "vero_id": true, "vero_conv": true, "wickedid": true,
	"spm": true, "ocid": true, "cmpid": true, "ito": true, "at_medium": true, "at_campaign": true,
	"ref_src": true, "ref_url": true,
}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "utm_") || trackingParams[k]
}

// CanonicalURL returns raw with what does not identify the page removed:
// the fragment, tracking parameters, a default port, the case of the
// scheme and host, and the order of the remaining parameters. The scheme is
// kept (the page may not exist over https); URLKey also ignores it. A raw
// value that is not an absolute http(s) URL is returned trimmed.
func CanonicalURL(raw string) string {
	u, ok := parseHTTP(raw)
	if !ok {
		return strings.TrimSpace(raw)
	}
	return strings.TrimSpace(u.String())
}

// URLKey is the form under which the archive indexes a URL: CanonicalURL
// without the scheme, so that http and https links to one page are one key.
func URLKey(raw string) string {
	u, ok := parseHTTP(raw)
	if !ok {
		return strings.TrimSpace(raw)
	}
	u.Scheme = ""
	return strings.TrimSpace(u.String())
}

func parseHTTP(raw string) (*url.URL, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, false
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	host, port := strings.ToLower(u.Hostname()), u.Port()
	host = strings.TrimRight(host, ".")
	if host == "" {
		return nil, false
	}
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	return u, true
}

// cleanQuery drops tracking parameters and sorts the rest by key, keeping the
// order of repeated keys (it can matter to the server) and their encoding.
func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type param struct{ key, pair string }
	var kept []param
	for _, pair := range strings.Split(raw, "&") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		key, _, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if isTracking(key) {
			continue
		}
		kept = append(kept, param{key, pair})
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].key < kept[j].key })
	pairs := make([]string, len(kept))
	for i, p := range kept {
		pairs[i] = p.pair
	}
	return strings.Join(pairs, "&")
}

// NormalizeText folds text to what deduplication compares: Unicode NFC,
// lower case, letters, digits and combining marks only, words separated by
// single spaces. NFC makes a text typed with composed and with decomposed
// accents one text; marks are kept because in many scripts (Devanagari,
// Thai, Hebrew points) they are what tells two words apart.
func NormalizeText(text string) string {
	return string(appendNormalized(make([]byte, 0, len(text)), text))
}

// asciiFold maps an ASCII byte to its lower-case form when it is a letter
// or digit, and to 0 when it separates words. Most feed text is ASCII:
// this table skips rune decoding, NFC and the Unicode tables for it
// (ingest hashes every article's text).
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()

// nfc returns text in Unicode NFC. ASCII text, and text already in NFC
// (nearly all of it), is returned as it is without a copy.
func nfc(text string) string {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			// A mark composes with the (ASCII) letter before it; ASCII
			// before that is untouched by NFC.
			if norm.NFC.IsNormalString(text[max(i-1, 0):]) {
				return text
			}
			return norm.NFC.String(text)
		}
	}
	return text
}

// wordRune reports whether r belongs to a word: a letter, digit or mark.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

// appendNormalized appends NormalizeText(text) to dst. Non-ASCII runes
// (and invalid bytes, which decode to U+FFFD as in a range loop) take the
// general Unicode path, so the result is exactly that of folding the NFC
// text rune by rune with wordRune and unicode.ToLower.
func appendNormalized(dst []byte, text string) []byte {
	text = nfc(text)
	start := len(dst)
	space := false
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			f := asciiFold[c]
			if f == 0 {
				space = true
				continue
			}
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
			dst = append(dst, f)
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if !wordRune(r) {
			space = true
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// ContentHash is the hex SHA-256 of the normalised text.
func ContentHash(text string) string {
	sum := sha256.Sum256(appendNormalized(make([]byte, 0, len(text)), text))
	return hex.EncodeToString(sum[:])
}

// minIdentifyingRunes is how long a normalised text must be before two equal
// hashes are taken to mean one article. Shorter texts (a title-only entry, a
// one-line teaser, a paywall notice) repeat across different articles.
const minIdentifyingRunes = 200

// HashIdentifies reports whether text is long enough for its ContentHash to
// identify an article.
func HashIdentifies(text string) bool {
	return wordRunes(text, minIdentifyingRunes) >= minIdentifyingRunes
}

// wordRunes counts the word runes of text (as NormalizeText keeps them), up
// to limit. ASCII is counted as it comes, so that a long ASCII text is
// never scanned past the limit; NFC waits for the first other byte.
func wordRunes(text string, limit int) int {
	n := 0
	for i := 0; i < len(text) && n < limit; i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			// The ASCII byte before may compose with what follows:
			// it is counted again in NFC.
			j := max(i-1, 0)
			if j < i && asciiFold[text[j]] != 0 {
				n--
			}
			return n + wordRunesNFC(nfc(text[j:]), limit-n)
		}
		if asciiFold[c] != 0 {
			n++
		}
	}
	return n
}

func wordRunesNFC(text string, limit int) int {
	n := 0
	for i := 0; i < len(text) && n < limit; {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			if asciiFold[c] != 0 {
				n++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if wordRune(r) {
			n++
		}
	}
	return n
}

// An identical title and an identical text identify an article at far
// shorter lengths than a text alone: two different stories rarely share a
// headline word for word, and never a headline and a sentence. The floors
// keep out what does repeat under one heading: a title of a word or two
// ("Update", "Open thread", "Podcast") and a text of a few words ("Read
// more", "Subscribe to continue reading", "Watch the video"). 50 word runes
// is a short sentence, shorter than any one-line teaser.
const (
	minTitledTitleRunes = 20
	minTitledTextRunes  = 50
)

// TitledHash is the hex SHA-256 of the normalised title and text of an
// article whose text is too short for HashIdentifies, when both are long
// enough to identify it together; "" otherwise.
func TitledHash(title, text string) string {
	if wordRunes(title, minTitledTitleRunes) < minTitledTitleRunes || wordRunes(text, minTitledTextRunes) < minTitledTextRunes {
		return ""
	}
	b := appendNormalized(make([]byte, 0, len(title)+len(text)+1), title)
	b = append(b, 0)
	sum := sha256.Sum256(appendNormalized(b, text))
	return hex.EncodeToString(sum[:])
}

// StoredURL is raw without the user info (user:password@) of the URL it
// holds, or of every URL in it when it is text (a log line, an error, HTML):
// the form that Herald stores, serves, logs and exports. Credentials belong
// in a request only (see fetch.Request). It works on the text, so that a
// URL that does not parse loses them too; text without user info is
// returned unchanged.
func StoredURL(raw string) string {
	if strings.IndexByte(raw, '@') < 0 {
		return raw
	}
	var b strings.Builder
	rest := raw
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		auth := rest[i+3:]
		end := strings.IndexAny(auth, "/?#\\ \t\r\n\"'<>")
		if end < 0 {
			end = len(auth)
		}
		at := strings.LastIndexByte(auth[:end], '@')
		if at < 0 {
			b.WriteString(rest[:i+3])
			rest = auth
			continue
		}
		b.WriteString(rest[:i+3])
		rest = auth[at+1:]
	}
	if b.Len() == 0 {
		return raw
	}
	b.WriteString(rest)
	return b.String()
}
