package serve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"herald"
	"herald/archive"
)

// format renders one page of the merged feed; next is the cursor of the
// following page ("" on the last).
type format struct {
	contentType string
	write       func(w io.Writer, f Feed, articles []herald.Article, next string) error
}

var (
	atomFormat = format{ContentTypeAtom, func(w io.Writer, f Feed, a []herald.Article, _ string) error {
		return WriteAtom(w, f, a)
	}}
	rssFormat = format{ContentTypeRSS, func(w io.Writer, f Feed, a []herald.Article, _ string) error {
		return WriteRSS(w, f, a)
	}}
	jsonFeedFormat = format{ContentTypeJSONFeed, func(w io.Writer, f Feed, a []herald.Article, _ string) error {
		return WriteJSONFeed(w, f, a)
	}}
	apiFormat = format{"application/json; charset=utf-8", writeAPIArticles}
)

// writeAPIArticles writes /api/articles: the export format's objects and
// the cursor of the next page.
// A search's page adds hits: each article's id, score and a snippet of its
// text around the matched words.
func writeAPIArticles(w io.Writer, f Feed, articles []herald.Article, next string) error {
	if articles == nil {
		articles = []herald.Article{}
	}
	return json.NewEncoder(w).Encode(struct {
		Articles []herald.Article `json:"articles"`
		Next     string           `json:"next"`
		NextURL  string           `json:"next_url,omitempty"`
		Hits     []searchHit      `json:"hits,omitempty"`
	}{articles, next, f.NextURL, f.hits})
}

// feedHandler serves one format of the merged feed. A rendered page is
// cached under the archive's change counter, so an unchanged feed costs a
// map lookup, and made once for all who ask for it at the same time; the
// ETag is a hash of the bytes, so it changes exactly when they do.
func (s *Server) feedHandler(f format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r.URL.Query())
		if err != nil {
			badRequest(w, r, err)
			return
		}
		base := s.baseURL(r)
		at, n := s.a.LastChange()
		if q.Q != "" && s.o.Search == nil {
			badRequest(w, r, errNoSearch)
			return
		}
		key := strings.Join([]string{r.URL.Path, base, q.page(q.Before), strconv.FormatUint(n, 10),
			strconv.FormatInt(at.UnixNano(), 10), s.searchKey(q)}, "\x00")
		rd, err := s.cache.do(r.Context(), key, func() (*rendered, error) {
			return s.renderBounded(key, r.URL.Path, base, q, f, at)
		})
		switch {
		case err == nil:
			send(w, r, rd)
		case errors.Is(err, archive.ErrBadCursor):
			badRequest(w, r, fmt.Errorf("before: not a cursor from this feed's next link"))
		case errors.As(err, new(errBadRequest)):
			badRequest(w, r, err)
		case r.Context().Err() != nil:
			// The reader left while waiting: nobody hears an answer.
		default:
			s.fail(w, r, err)
		}
	}
}

// renderBounded renders a page once one of the render slots is free: with
// pages bounded in bytes, so is the memory of all renders at once, however
// many readers ask for different pages.
func (s *Server) renderBounded(key, path, base string, q feedQuery, f format, at time.Time) (*rendered, error) {
	s.renders <- struct{}{}
	defer func() { <-s.renders }()
	return s.render(key, path, base, q, f, at)
}

func (s *Server) render(key, path, base string, q feedQuery, f format, at time.Time) (*rendered, error) {
	var (
		list []herald.Article
		next string
		hits []searchHit
		err  error
	)
	if q.Q != "" {
		list, next, hits, err = s.searchPage(context.Background(), q, searchByDate(q, f.contentType != apiFormat.contentType))
	} else {
		aq := q.archive()
		aq.MaxBytes = s.o.PageBytes
		list, next, err = s.a.Recent(aq)
	}
	if err != nil {
		return nil, fmt.Errorf("read articles: %w", err)
	}
	feed := Feed{
		Title:   s.o.Title,
		ID:      feedID(q),
		SelfURL: base + withQuery(path, q.page(q.Before)),
		HomeURL: base + "/",
		// The page's own newest change, not the archive's: a change
		// elsewhere leaves this page's bytes, and so its ETag, alone.
		Updated:   newest(list),
		sanitized: func(a *herald.Article) string { return sanitizedHTML(s.clean, a) },
		hits:      hits,
	}
	if filters := describe(q); filters != "" {
		feed.Title += " (" + filters + ")"
	}
	if next != "" {
		feed.NextURL = base + withQuery(path, q.page(next))
	}
	if !validTime(feed.Updated) {
		// No dated article: a fixed date keeps the bytes, and so the
		// ETag, the same from one request to the next.
		feed.Updated = time.Unix(0, 0).UTC()
	}
	var buf bytes.Buffer
	if err := f.write(&buf, feed, list, next); err != nil {
		return nil, fmt.Errorf("render %s: %w", path, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return &rendered{
		key:          key,
		body:         buf.Bytes(),
		contentType:  f.contentType,
		etag:         `"` + base64.RawURLEncoding.EncodeToString(sum[:15]) + `"`,
		lastModified: at,
	}, nil
}

// feedID names the feed a query selects, the same on all its pages.
func feedID(q feedQuery) string {
	if v := q.filters(); len(v) > 0 {
		return "urn:herald:feed:" + v.Encode()
	}
	return "urn:herald:feed"
}

func describe(q feedQuery) string {
	var parts []string
	if q.Feed != "" {
		parts = append(parts, "feed "+q.Feed)
	}
	if q.Tag != "" {
		parts = append(parts, "tag "+q.Tag)
	}
	if q.Q != "" {
		parts = append(parts, "search "+q.Q)
	}
	return strings.Join(parts, ", ")
}

// send writes rd, or 304 when the request's validators match it.
func send(w http.ResponseWriter, r *http.Request, rd *rendered) {
	h := w.Header()
	h.Set("ETag", rd.etag)
	if validTime(rd.lastModified) {
		h.Set("Last-Modified", rd.lastModified.UTC().Format(http.TimeFormat))
	}
	// Readers may keep the body but must ask again each time; the answer
	// is usually a cheap 304.
	h.Set("Cache-Control", "no-cache")
	if notModified(r, rd) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", rd.contentType)
	h.Set("Content-Length", strconv.Itoa(len(rd.body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(rd.body)
}

// notModified applies RFC 9110's conditional GET: If-None-Match when
// given, else If-Modified-Since.
func notModified(r *http.Request, rd *rendered) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatch(inm, rd.etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || !validTime(rd.lastModified) {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	return !rd.lastModified.Truncate(time.Second).After(t)
}

// etagMatch is the weak comparison of If-None-Match's list with etag.
func etagMatch(list, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

func badRequest(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// handleArticle serves /api/articles/{id}.
func (s *Server) handleArticle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, err := s.a.Article(id)
	if errors.Is(err, archive.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, "no article "+strconv.Quote(id))
		return
	}
	if err != nil {
		s.failJSON(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(a)
}
