package serve

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"

	"herald"
)

// JSONFeedVersion is the JSON Feed version written.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

// JSONFeedWriter writes a JSON Feed 1.1 document one article at a time.
type JSONFeedWriter struct {
	w     *bufio.Writer
	feed  Feed
	err   error
	fresh bool // no item written yet
}

type jsonFeedHead struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url,omitempty"`
	FeedURL     string       `json:"feed_url,omitempty"`
	NextURL     string       `json:"next_url,omitempty"`
	Description string       `json:"description,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url,omitempty"`
	Title         string       `json:"title"`
	ContentHTML   string       `json:"content_html"`
	ContentText   string       `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonAuthor `json:"authors"`
	Tags          []string     `json:"tags,omitempty"`
	Language      string       `json:"language,omitempty"`
	Herald        jsonHerald   `json:"_herald"`
}

// jsonHerald is JSON Feed's extension object for what the format has no
// field for: every source, and how the text was found.
type jsonHerald struct {
	Sources     []jsonSource `json:"sources"`
	ExtractedBy string       `json:"extracted_by,omitempty"`
	ContentHash string       `json:"content_hash,omitempty"`
}

type jsonSource struct {
	Feed    string `json:"feed"`
	FeedURL string `json:"feed_url,omitempty"`
	GUID    string `json:"guid,omitempty"`
	Link    string `json:"link,omitempty"`
	Seen    string `json:"seen,omitempty"`
}

// NewJSONFeedWriter starts a JSON Feed on w. Close ends it.
func NewJSONFeedWriter(w io.Writer, f Feed) *JSONFeedWriter {
	jw := &JSONFeedWriter{w: bufio.NewWriterSize(w, 32<<10), feed: f, fresh: true}
	head, err := json.Marshal(jsonFeedHead{
		Version:     JSONFeedVersion,
		Title:       f.Title,
		HomePageURL: webURL(f.HomeURL),
		FeedURL:     webURL(f.SelfURL),
		NextURL:     webURL(f.NextURL),
		Description: f.Title + ": the merged feed",
		Authors:     []jsonAuthor{{Name: f.Title}},
	})
	if err != nil {
		jw.err = err
		return jw
	}
	// The head is an object; reopen it to append the items array.
	jw.write(string(head[:len(head)-1]) + `,"items":[`)
	return jw
}

// WriteJSONFeed writes a whole JSON Feed of articles, in the order given.
func WriteJSONFeed(w io.Writer, f Feed, articles []herald.Article) error {
	jw := NewJSONFeedWriter(w, f)
	for i := range articles {
		if err := jw.Write(&articles[i]); err != nil {
			return err
		}
	}
	return jw.Close()
}

func (jw *JSONFeedWriter) write(s string) {
	if jw.err == nil {
		_, jw.err = jw.w.WriteString(s)
	}
}

// Write adds one item.
func (jw *JSONFeedWriter) Write(a *herald.Article) error {
	item := jsonItem{
		ID:          ArticleID(a),
		URL:         webURL(a.URL),
		Title:       title(a),
		ContentHTML: jw.feed.contentHTML(a),
		ContentText: strings.TrimSpace(a.Text),
		Summary:     summary(a),
		Image:       webURL(a.Image),
		Authors:     []jsonAuthor{{Name: author(a, jw.feed.Title)}},
		Tags:        nonEmpty(a.Tags),
		Herald: jsonHerald{
			Sources:     make([]jsonSource, 0, len(a.Sources)),
			ExtractedBy: a.ExtractedBy,
			ContentHash: a.ContentHash,
		},
	}
	if langTag().MatchString(a.Lang) {
		item.Language = a.Lang
	}
	if validTime(a.Published) {
		item.DatePublished = rfc3339(a.Published)
	}
	if validTime(a.Updated) {
		item.DateModified = rfc3339(a.Updated)
	}
	for _, s := range a.Sources {
		js := jsonSource{Feed: s.Feed, FeedURL: s.FeedURL, GUID: s.GUID, Link: s.Link}
		if validTime(s.Seen) {
			js.Seen = rfc3339(s.Seen)
		}
		item.Herald.Sources = append(item.Herald.Sources, js)
	}
	b, err := json.Marshal(item)
	if err != nil {
		jw.err = err
		return err
	}
	if !jw.fresh {
		jw.write(",")
	}
	jw.fresh = false
	jw.write("\n")
	jw.write(string(b))
	return jw.err
}

func nonEmpty(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Close ends the feed and flushes it; it does not close the underlying
// writer.
func (jw *JSONFeedWriter) Close() error {
	jw.write("\n]}\n")
	if jw.err == nil {
		jw.err = jw.w.Flush()
	}
	return jw.err
}
