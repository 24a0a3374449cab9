package serve

import (
	"bytes"
	_ "embed"
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"herald"
	"herald/archive"
)

// The reading page: / lists the newest stories, or a search's hits with
// snippets, filtered by feed and tag; /read/{id} shows one article's clean
// text with its byline, date and every source's link. Server-rendered,
// with no script: keyboard use is links and form fields in tab order, and
// access keys (s: search, n: older, h: home, b: back).

//go:embed reading.html
var readingHTML string

// readingTemplate is parsed on first use: every run of the binary, herald
// extract's included, would pay for it at start.
var readingTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("reading").Parse(readingHTML))
})

// readingCSP is the status page's policy plus what a search box needs:
// a form may submit to this server. Still no script, and nothing loaded
// from elsewhere (an article's images are not fetched).
const readingCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; sandbox allow-forms"

// readingPage is what the list template shows.
type readingPage struct {
	Title, PageTitle   string
	Q, Feed, Tag       string
	Feeds              []string
	FeedURL            string
	Error              string
	Items              []readingItem
	Total              uint64
	AtLeast            bool // Total counts the newest matches only
	NextURL            string
	SortURL, SortLabel string
}

type readingItem struct {
	Title, ReadURL, Date, DateTime string
	Feeds, Tags                    []string
	Snippet                        template.HTML
}

// handleReading serves /: the newest stories, or a search.
func (s *Server) handleReading(w http.ResponseWriter, r *http.Request) {
	p := readingPage{Title: s.o.Title, PageTitle: s.o.Title}
	q, err := parseQuery(r.URL.Query())
	if err == nil && q.Q != "" && s.o.Search == nil {
		err = errNoSearch
	}
	p.Q, p.Feed, p.Tag = q.Q, q.Feed, q.Tag
	p.FeedURL = withQuery("/feed.atom", q.filters().Encode())
	if names, ferr := s.feedNames(); ferr == nil {
		p.Feeds = names
	}
	if err == nil {
		err = s.fillReading(r, q, &p)
	}
	var failed serverError
	switch {
	case errors.As(err, &failed):
		s.fail(w, r, failed.err)
	case err != nil:
		p.Error = "Cannot do that: " + err.Error()
		s.writeReading(w, r, http.StatusBadRequest, "list", p)
	default:
		s.writeReading(w, r, http.StatusOK, "list", p)
	}
}

// serverError marks a failure of the archive or the index, as opposed to
// a request's bad parameters.
type serverError struct{ err error }

func (e serverError) Error() string { return e.err.Error() }
func (e serverError) Unwrap() error { return e.err }

// fillReading lists the page's articles into p.
func (s *Server) fillReading(r *http.Request, q feedQuery, p *readingPage) error {
	var (
		list []herald.Article
		next string
		hits []searchHit
	)
	if q.Q != "" {
		byDate := searchByDate(q, false)
		res, err := s.searchResults(r.Context(), q, byDate)
		if errors.As(err, new(errBadRequest)) {
			return err
		}
		if err != nil {
			return serverError{err}
		}
		list, next, hits, p.Total, p.AtLeast = res.list, res.next, res.hits, res.total, res.atLeast
		p.PageTitle = q.Q + " · " + s.o.Title
		other := q
		other.Before = ""
		if byDate {
			other.Sort, p.SortLabel = "relevance", "best first"
		} else {
			other.Sort, p.SortLabel = "date", "newest first"
		}
		p.SortURL = withQuery("/", other.page(""))
	} else {
		aq := q.archive()
		aq.MaxBytes = s.o.PageBytes
		var err error
		list, next, err = s.a.Recent(aq)
		if errors.Is(err, archive.ErrBadCursor) {
			return err
		}
		if err != nil {
			return serverError{err}
		}
	}
	for i := range list {
		it := listItem(&list[i])
		if i < len(hits) {
			it.Snippet = markedHTML(hits[i].Snippet, hits[i].Matches)
		}
		p.Items = append(p.Items, it)
	}
	if next != "" {
		p.NextURL = withQuery("/", q.page(next))
	}
	return nil
}

func listItem(a *herald.Article) readingItem {
	it := readingItem{Title: title(a), ReadURL: "/read/" + url.PathEscape(a.ID), Tags: a.Tags}
	if validTime(a.Published) {
		it.Date, it.DateTime = a.Published.Format("2 Jan 2006 15:04"), a.Published.Format(time.RFC3339)
	}
	for _, src := range a.Sources {
		if !slices.Contains(it.Feeds, src.Feed) {
			it.Feeds = append(it.Feeds, src.Feed)
		}
	}
	return it
}

// markedHTML escapes text and wraps the byte ranges in <mark>.
func markedHTML(text string, marks [][2]int) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range marks {
		if m[0] < last || m[1] > len(text) || m[0] > m[1] {
			continue
		}
		b.WriteString(html.EscapeString(text[last:m[0]]))
		b.WriteString("<mark>" + html.EscapeString(text[m[0]:m[1]]) + "</mark>")
		last = m[1]
	}
	b.WriteString(html.EscapeString(text[last:]))
	return template.HTML(b.String())
}

// articlePage is what the article template shows.
type articlePage struct {
	readingPage
	Article        herald.Article
	Date, DateTime string
	Body           template.HTML
	Sources        []sourceLink
}

type sourceLink struct{ Link, Raw, Feed, Seen string }

// handleRead serves /read/{id}: one article.
func (s *Server) handleRead(w http.ResponseWriter, r *http.Request) {
	a, err := s.a.Article(r.PathValue("id"))
	if errors.Is(err, archive.ErrNotFound) {
		p := readingPage{Title: s.o.Title, PageTitle: s.o.Title, FeedURL: "/feed.atom", Error: "No such article."}
		s.writeReading(w, r, http.StatusNotFound, "list", p)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := articlePage{
		readingPage: readingPage{Title: s.o.Title, PageTitle: title(&a) + " · " + s.o.Title, FeedURL: "/feed.atom"},
		Article:     a,
		Body:        cleanText(&a),
	}
	if names, err := s.feedNames(); err == nil {
		p.Feeds = names
	}
	if validTime(a.Published) {
		p.Date, p.DateTime = a.Published.Format("Monday, 2 January 2006, 15:04 MST"), a.Published.Format(time.RFC3339)
	}
	for _, src := range a.Sources {
		l := sourceLink{Link: webURL(src.Link), Raw: src.Link, Feed: src.Feed}
		if validTime(src.Seen) {
			l.Seen = src.Seen.Format(time.DateOnly)
		}
		p.Sources = append(p.Sources, l)
	}
	s.writeReading(w, r, http.StatusOK, "article", p)
}

// cleanText is the article's text as paragraphs, escaped: the clean text,
// not the page's markup. An article with no text shows its summary.
func cleanText(a *herald.Article) template.HTML {
	text := a.Text
	if strings.TrimSpace(text) == "" {
		text = a.Summary
	}
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(para), "\n", "<br>") + "</p>\n")
		}
	}
	return template.HTML(b.String())
}

func (s *Server) feedNames() ([]string, error) {
	states, err := s.a.FeedStates()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(states))
	for _, st := range states {
		names = append(names, st.Name)
	}
	slices.Sort(names)
	return names, nil
}

func (s *Server) writeReading(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := readingTemplate().ExecuteTemplate(&buf, name, data); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", readingCSP)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}
