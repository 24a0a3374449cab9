// Package herald holds the domain types that every part of Herald shares: a
// feed's parsed document and its entries, an archived article and its sources,
// and a feed's polling state. It does no I/O; the subpackages do.
package herald

import "time"

// Entry is one item of a feed after parsing and normalising: links are
// absolute, dates are parsed, and GUID is never empty.
type Entry struct {
	// GUID is the feed's own id for the entry as given, or a stable key
	// derived from the entry's link (else title and content) when the feed
	// gives none. It is never empty.
	GUID string
	// Key is the entry's identity within its feed, what deduplication by
	// "same feed, same GUID" compares: the GUID, or GUID plus link when the
	// feed repeats one GUID for different entries, so that they are not
	// merged.
	Key string
	// Link is the entry's link as the feed gave it, resolved against the feed.
	Link       string
	Title      string
	Summary    string // plain text
	Content    string // HTML from the feed (content:encoded, atom:content), unsanitised
	Byline     string
	Published  time.Time // zero when the feed gives no date
	Updated    time.Time
	Image      string
	Categories []string
}

// Document is a parsed feed.
type Document struct {
	Title    string
	Link     string // the site's home page
	Language string
	Entries  []Entry
	Hints    Hints
	// Warnings are problems the parser recovered from (a truncated document,
	// an undeclared legacy charset). They are shown to the user, not fatal.
	Warnings []string
}

// Hints are what a publisher says about how often to poll. They come from the
// document (RSS ttl, skipHours, skipDays, sy:updatePeriod) and from the HTTP
// response (Cache-Control max-age, Expires, Retry-After).
type Hints struct {
	TTL          time.Duration  `json:"ttl,omitempty"`
	UpdatePeriod time.Duration  `json:"update_period,omitempty"` // sy:updatePeriod / sy:updateFrequency
	SkipHours    []int          `json:"skip_hours,omitempty"`    // 0-23, GMT
	SkipDays     []time.Weekday `json:"skip_days,omitempty"`
	MaxAge       time.Duration  `json:"max_age,omitempty"`
	Expires      time.Time      `json:"expires,omitzero"`
	RetryAfter   time.Time      `json:"retry_after,omitzero"`
}

// Source records one place an article was found: a feed and the entry in it.
type Source struct {
	Feed    string `json:"feed"`
	FeedURL string `json:"feed_url"`
	GUID    string `json:"guid"`
	// Key is the entry's Key when it differs from GUID (a repeated GUID);
	// the archive indexes sources by feed and key.
	Key  string    `json:"key,omitempty"`
	Link string    `json:"link"`
	Seen time.Time `json:"seen"`
}

// How an article's text was found.
const (
	ExtractedBySiteRule = "site-rule"
	ExtractedByGeneric  = "generic"
	ExtractedByFeed     = "feed"
)

// Article is what the archive keeps: one story, once, with every source that
// carried it. Its JSON form is the export format of DESIGN.md.
type Article struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Title       string    `json:"title"`
	Byline      string    `json:"byline,omitempty"`
	Published   time.Time `json:"published"`
	Updated     time.Time `json:"updated,omitzero"`
	Fetched     time.Time `json:"fetched,omitzero"`
	Lang        string    `json:"lang,omitempty"`
	SiteName    string    `json:"site_name,omitempty"`
	Summary     string    `json:"summary,omitempty"`
	Text        string    `json:"text"`
	HTML        string    `json:"html"`
	Image       string    `json:"image,omitempty"`
	Tags        []string  `json:"tags"`
	Sources     []Source  `json:"sources"`
	ContentHash string    `json:"content_hash"`
	ExtractedBy string    `json:"extracted_by"`
	// ExtractError says why full-text extraction was not used, when it was
	// tried and failed (the feed's own content was kept).
	ExtractError string `json:"extract_error,omitempty"`
	// Story is the id of the first article of the story this one belongs
	// to: its own id when it is the first (empty in archives older than
	// stories), another's when it is a copy (a near-duplicate from another
	// feed).
	Story string `json:"story,omitempty"`
	// Revisions are the article's earlier titles and texts, oldest first,
	// kept when its feed or page changed it.
	Revisions []Revision `json:"revisions,omitempty"`
}

// Revision is an article as it was before a change.
type Revision struct {
	Seen  time.Time `json:"seen"` // when this version was archived (its Updated, else its first sighting)
	Title string    `json:"title"`
	Text  string    `json:"text"`
}

// StoryID is the id of a's story: the same for every copy of one story.
func (a *Article) StoryID() string {
	if a.Story != "" {
		return a.Story
	}
	return a.ID
}

// Feed outcomes, as stored in FeedState.Outcome.
const (
	OutcomeOK          = "ok"
	OutcomeNotModified = "not-modified"
	OutcomeFailed      = "failed"
	OutcomeGone        = "gone"
)

// FeedState is what the archive keeps about a feed between polls. Keeping it
// in the archive, not in memory, lets a restarted daemon (or a second worker)
// resume the schedule.
type FeedState struct {
	Name         string    `json:"name"`
	URL          string    `json:"url"`                  // the URL polled; moves on permanent redirects
	ConfigURL    string    `json:"config_url,omitempty"` // the URL the config gave, to notice when the user changes it
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	LastPoll     time.Time `json:"last_poll,omitzero"`
	LastSuccess  time.Time `json:"last_success,omitzero"`
	Outcome      string    `json:"outcome,omitempty"`
	ErrorCount   int       `json:"error_count,omitempty"` // consecutive failures
	ErrorKind    string    `json:"error_kind,omitempty"`
	LastError    string    `json:"last_error,omitempty"` // one line, a few words
	NextPoll     time.Time `json:"next_poll,omitzero"`
	Hints        Hints     `json:"hints"`
	// PublishGap is how often the feed really publishes (a typical gap
	// between its recent entries); the scheduler adapts the interval to it.
	PublishGap time.Duration `json:"publish_gap,omitempty"`
	Title      string        `json:"title,omitempty"`
	SiteLink   string        `json:"site_link,omitempty"`
	// MovedTo and MovedCount track a permanent redirect seen on consecutive polls.
	MovedTo    string `json:"moved_to,omitempty"`
	MovedCount int    `json:"moved_count,omitempty"`
	// PagesFetched and PagesFailed count the article pages of the latest
	// poll that fetched any, and PageError is why the last of them failed:
	// a feed whose every page fails is not healthy, though its feed is.
	PagesFetched int    `json:"pages_fetched,omitempty"`
	PagesFailed  int    `json:"pages_failed,omitempty"`
	PageError    string `json:"page_error,omitempty"`
	// Recent marks the last few polls, oldest first, at most RecentPolls,
	// so that the status page shows a feed's recent history at a glance.
	Recent []PollMark `json:"recent,omitempty"`
}

// RecentPolls is how many polls FeedState.Recent keeps.
const RecentPolls = 8

// PollMark is one poll in a feed's recent history: when, and its outcome
// (an Outcome* value, or MarkPagesFailed, MarkOffline).
type PollMark struct {
	At      time.Time `json:"at"`
	Outcome string    `json:"outcome"`
}

// Marks of a poll beyond the feed outcomes.
const (
	MarkPagesFailed = "pages-failed" // the feed was read, but every article page failed
	MarkOffline     = "offline"      // failed with the whole network: not counted against the feed
)

// Mark adds a poll to s.Recent, keeping the last RecentPolls.
func (s *FeedState) Mark(at time.Time, outcome string) {
	s.Recent = append(s.Recent, PollMark{At: at, Outcome: outcome})
	if n := len(s.Recent) - RecentPolls; n > 0 {
		s.Recent = append([]PollMark(nil), s.Recent[n:]...)
	}
}
