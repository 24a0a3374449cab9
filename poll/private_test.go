package poll

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"herald/fetch"
)

// publicHost plays a host on the internet. With a feed, it answers with
// it. Without, a request for it is sent, with the same DenyPrivate, to a
// loopback site instead, the way a public host answering with a redirect
// to an internal address would be followed; the client's dialer refuses
// loopback for DenyPrivate requests, as it would the internal address.
// Requests for other hosts go to the client unchanged.
type publicHost struct {
	host string
	feed string // RSS the host serves, if any
	site *site
	get  Getter
}

func (g publicHost) Get(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	u, err := url.Parse(r.URL)
	switch {
	case err != nil || u.Host != g.host:
	case g.feed != "":
		return &fetch.Response{URL: r.URL, StatusCode: 200, ContentType: "application/rss+xml", Body: []byte(g.feed)}, nil
	default:
		r.URL = g.site.url(u.Path)
	}
	return g.get.Get(ctx, r)
}

// TestFeedRefusesPrivateAddresses checks that a feed's own fetch, not only
// its article pages, is refused non-public addresses unless the feed is
// configured on one or has allow_private.
func TestFeedRefusesPrivateAddresses(t *testing.T) {
	s := newSite(t)
	s.set("/latest/meta-data/", page{contentType: "application/rss+xml",
		body: rss(item("secret", "http://news.example.com/a", "Instance credentials", "AKIA…"))})
	p, db := newPollerT(t)
	p.Get = publicHost{host: "news.example.com", site: s, get: p.Get}

	public := Feed{Name: "public", URL: "http://news.example.com/latest/meta-data/"}
	out := p.Poll(context.Background(), public)
	var fe *fetch.Error
	if !errors.As(out.Err, &fe) || fe.Kind != fetch.KindBlocked {
		t.Fatalf("a public feed reaching loopback: err %v, want the private address refused", out.Err)
	}
	if n := len(s.seen("/latest/meta-data/")); n != 0 {
		t.Errorf("the internal server was asked %d times", n)
	}
	if arts := all(t, db); len(arts) != 0 {
		t.Errorf("%d articles archived from the internal server", len(arts))
	}

	allowed := Feed{Name: "allowed", URL: "http://news.example.com/latest/meta-data/", AllowPrivate: true}
	if out := p.Poll(context.Background(), allowed); out.Err != nil || out.Result.New != 1 {
		t.Errorf("allow_private: err %v, result %+v; want the feed read", out.Err, out.Result)
	}
	local := Feed{Name: "local", URL: s.url("/latest/meta-data/")}
	if out := p.Poll(context.Background(), local); out.Err != nil {
		t.Errorf("a feed configured on loopback: %v; want it read", out.Err)
	}
	if st, _, _ := db.FeedState("public"); !strings.Contains(st.LastError, "private address refused") {
		t.Errorf("public feed's last error %q, want the refusal", st.LastError)
	}
}

// TestPrivateArticleLinks checks that article links on non-public
// addresses are refused for a feed on a public host, unless the feed has
// allow_private, and allowed for a feed configured on loopback. The feed
// is kept with the feed's own text.
func TestPrivateArticleLinks(t *testing.T) {
	s := newSite(t)
	article := page{contentType: "text/html; charset=utf-8", body: "<html><body><article><h1>Page</h1>" +
		strings.Repeat("<p>Paragraph of the page, long enough to be the article's own text and not boilerplate.</p>", 6) +
		"</article></body></html>"}
	for _, path := range []string{"/public/loopback", "/public/localhost", "/allowed", "/local"} {
		s.set(path, article)
	}
	refused := []string{
		s.url("/public/loopback"),
		strings.Replace(s.url("/public/localhost"), "127.0.0.1", "localhost", 1),
		"http://10.0.0.1/public/private",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]:9/public/v6",
		"http://198.18.0.1/public/benchmarking",
		"http://[2002:7f00:1::1]/public/6to4",
	}
	var items []string
	for i, l := range refused {
		items = append(items, item(fmt.Sprint("r", i), l, fmt.Sprint("Refused ", i), "A teaser."))
	}
	s.set("/local-feed", page{contentType: "application/rss+xml", body: rss(item("l", s.url("/local"), "Local", "A teaser."))})

	p, db := newPollerT(t)
	get := p.Get
	p.Get = publicHost{host: "news.example.com", feed: rss(items...), get: get}
	out := p.Poll(context.Background(), Feed{Name: "refused", URL: "http://news.example.com/rss", FullText: true})
	if out.Err != nil || out.Result.New != len(refused) {
		t.Fatalf("public feed: err %v, result %+v", out.Err, out.Result)
	}
	p.Get = publicHost{host: "news.example.com", feed: rss(item("a", s.url("/allowed"), "Allowed", "A teaser.")), get: get}
	if out := p.Poll(context.Background(), Feed{Name: "allowed", URL: "http://news.example.com/rss", FullText: true, AllowPrivate: true}); out.Err != nil {
		t.Fatal(out.Err)
	}
	if out := p.Poll(context.Background(), Feed{Name: "local", URL: s.url("/local-feed"), FullText: true}); out.Err != nil {
		t.Fatal(out.Err)
	}

	for _, path := range []string{"/public/loopback", "/public/localhost"} {
		if n := len(s.seen(path)); n != 0 {
			t.Errorf("%s fetched %d times; a public feed's links to private addresses must be refused", path, n)
		}
	}
	for _, path := range []string{"/allowed", "/local"} {
		if n := len(s.seen(path)); n != 1 {
			t.Errorf("%s fetched %d times, want once", path, n)
		}
	}
	for _, a := range all(t, db) {
		switch a.Sources[0].Feed {
		case "refused":
			if !strings.Contains(a.ExtractError, "private address refused") || a.Text == "" {
				t.Errorf("%s: extract_error %q, text %q; want the refusal and the feed's text", a.Sources[0].Link, a.ExtractError, a.Text)
			}
		default:
			if a.ExtractError != "" || !strings.Contains(a.Text, "Paragraph of the page") {
				t.Errorf("%s: page not extracted: %q", a.Sources[0].Feed, a.ExtractError)
			}
		}
	}
}

// TestEntryCredentials checks that links a feed gives with user info are
// stored without it, and that the entries are known on the next poll (the
// archive is asked about what it stores): their pages are fetched once.
func TestEntryCredentials(t *testing.T) {
	s := newSite(t)
	s.set("/a", page{contentType: "text/html", body: "<html><body><article>" +
		strings.Repeat("<p>Paragraph of the page, long enough to be the article's own text.</p>", 6) + "</article></body></html>"})
	withUser := strings.Replace(s.url("/a"), "http://", "http://reader:s3cret@", 1)
	s.set("/feed", page{contentType: "application/rss+xml", body: `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>` + withUser +
		`</link><description>d</description><item><title>A</title><link>` + withUser + `</link><description>A teaser.</description></item></channel></rss>`})
	p, db := newPollerT(t)
	f := feedOf(s, "f", "/feed", true)
	for range 2 {
		if out := p.Poll(context.Background(), f); out.Err != nil {
			t.Fatal(out.Err)
		}
	}
	if n := len(s.seen("/a")); n != 1 {
		t.Errorf("page fetched %d times, want once", n)
	}
	arts := all(t, db)
	if len(arts) != 1 {
		t.Fatalf("%d articles", len(arts))
	}
	src := arts[0].Sources[0]
	if strings.Contains(src.Link+src.GUID+arts[0].URL, "s3cret") {
		t.Errorf("stored with the credentials: %+v", src)
	}
	if st, _, _ := db.FeedState("f"); strings.Contains(st.SiteLink, "s3cret") {
		t.Errorf("site link %q", st.SiteLink)
	}
}
