package extract

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// metaOf parses page as a document at pageURL and reads its metadata.
func metaOf(t testing.TB, page, pageURL string, tz *time.Location) meta {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	return readMeta(doc, base, tz)
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not available: %v", name, err)
	}
	return loc
}

func TestMetaSeed(t *testing.T) {
	page, err := os.ReadFile("../../shared/fixtures/seed/article.html")
	if err != nil {
		t.Skip("seed fixture not present at ../../shared/fixtures/seed/")
	}
	var want struct {
		URL, Title, Byline, Published, Lang, SiteName string
	}
	raw, err := os.ReadFile("../../shared/fixtures/seed/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	var site struct {
		SiteName string `json:"site_name"`
	}
	_ = json.Unmarshal(raw, &site)

	m := metaOf(t, string(page), want.URL, mustZone(t, "Asia/Seoul"))
	if m.Title != want.Title {
		t.Errorf("title %q, want %q", m.Title, want.Title)
	}
	if m.Byline != want.Byline {
		t.Errorf("byline %q, want %q", m.Byline, want.Byline)
	}
	if got := m.Published.Format(time.RFC3339); got != want.Published {
		t.Errorf("published %s, want %s", got, want.Published)
	}
	if m.Lang != want.Lang {
		t.Errorf("lang %q, want %q", m.Lang, want.Lang)
	}
	if m.SiteName != site.SiteName {
		t.Errorf("site name %q, want %q", m.SiteName, site.SiteName)
	}
	if m.Canonical != want.URL {
		t.Errorf("canonical %q, want %q", m.Canonical, want.URL)
	}
}

func TestMetaTitle(t *testing.T) {
	tests := []struct {
		name, head, body, want string
	}{
		{"og:title", `<title>Story - Site</title><meta property="og:title" content="The story">`, ``, "The story"},
		{"og:title with site tail", `<meta property="og:site_name" content="Daily Planet"><meta property="og:title" content="The story | Daily Planet">`, ``, "The story"},
		{"twitter:title", `<meta name="twitter:title" content="Tweet title">`, ``, "Tweet title"},
		{"json-ld headline", `<script type="application/ld+json">{"@type":"NewsArticle","headline":"LD headline"}</script>`, ``, "LD headline"},
		{"json-ld in @graph", `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Site"},{"@type":["Article"],"headline":"Graph headline"}]}</script>`, ``, "Graph headline"},
		{"json-ld array", `<script type="application/ld+json">[{"@type":"BreadcrumbList"},{"@type":"BlogPosting","headline":"Array headline"}]</script>`, ``, "Array headline"},
		{"h1 confirmed by title", `<title>The real headline of the day - Example News</title>`, `<h1>Example News</h1><h1>The real headline of the day</h1>`, "The real headline of the day"},
		{"h1 confirmed by og:title", `<meta property="og:title" content="Short">`, `<h1 class="logo">Logo</h1><h1>Short</h1>`, "Short"},
		{"title tail by host", `<title>Big news today | Example</title>`, `<h1>Menu</h1>`, "Big news today"},
		{"title head by site name", `<meta property="og:site_name" content="Example News"><title>Example News - Big news today</title>`, ``, "Big news today"},
		{"title without separator kept", `<title>Just a title</title>`, ``, "Just a title"},
		{"broken json-ld skipped", `<script type="application/ld+json">{"@type":"Article","headline":</script><meta property="og:title" content="From og">`, ``, "From og"},
		{"svg title ignored", `<title>Page title</title>`, `<svg><title>icon</title></svg>`, "Page title"},
		{"kicker in the h1 left out", `<meta property="og:title" content="Climate: Drilling until it gets hot"><title>Climate: Drilling until it gets hot | Site</title>`,
			`<h1><span class="article-heading__kicker">Climate</span><span class="visually-hidden">: </span><span class="article-heading__title">Drilling until it gets hot</span></h1>`, "Drilling until it gets hot"},
		{"dachzeile in the h1 left out", `<title>Nach dem Sturm: Bahn fährt wieder nach Plan | Sender</title>`,
			`<h1><span class="dachzeile">Nach dem Sturm</span> <span class="headline">Bahn fährt wieder nach Plan</span></h1>`, "Bahn fährt wieder nach Plan"},
		{"h1 of kickers only kept whole", `<meta property="og:title" content="Only the kicker">`, `<h1><span class="kicker">Only the kicker</span></h1>`, "Only the kicker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := "<html><head>" + tt.head + "</head><body>" + tt.body + "</body></html>"
			if got := metaOf(t, page, "https://www.example.com/a/b", nil).Title; got != tt.want {
				t.Errorf("title %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMetaByline(t *testing.T) {
	tests := []struct {
		name, head, body, want string
	}{
		{"json-ld string", `<script type="application/ld+json">{"@type":"NewsArticle","author":"Jane Roe"}</script>`, ``, "Jane Roe"},
		{"json-ld object", `<script type="application/ld+json">{"@type":"Article","author":{"@type":"Person","name":"Jane Roe"}}</script>`, ``, "Jane Roe"},
		{"json-ld array", `<script type="application/ld+json">{"@type":"Article","author":[{"@type":"Person","name":"Jane Roe"},{"name":"John Doe"}]}</script>`, ``, "Jane Roe, John Doe"},
		{"json-ld @id reference", `<script type="application/ld+json">{"@graph":[{"@type":"Article","author":{"@id":"#p1"}},{"@type":"Person","@id":"#p1","name":"Ref Person"}]}</script>`, ``, "Ref Person"},
		{"json-ld newlines in strings", "<script type=\"application/ld+json\">{\"@type\":\"Article\",\"author\":\"Jane\nRoe\"}</script>", ``, "Jane Roe"},
		{"meta author", `<meta name="author" content="Hans Müller">`, ``, "Hans Müller"},
		{"meta author url rejected", `<meta property="article:author" content="https://facebook.com/someone">`, `<p class="byline">By Ann Lee</p>`, "Ann Lee"},
		{"itemprop author name", ``, `<div itemprop="author" itemscope><span itemprop="name">Maria Rossi</span><span itemprop="jobTitle">Editor</span></div>`, "Maria Rossi"},
		{"rel author", ``, `<a rel="author" href="/u/1">Pat Kim</a>`, "Pat Kim"},
		{"byline class with date", ``, `<div class="article-byline">Von Hans Müller | 24.06.2015, 10:00 Uhr</div>`, "Hans Müller"},
		{"author class with updated", ``, `<span class="author">By Ann Lee | Updated June 25, 2015</span>`, "Ann Lee"},
		{"author class email", ``, `<span class="author">Ann Lee ann@example.com</span>`, "Ann Lee"},
		{"by line", ``, `<h1>Headline</h1><p>By KH디지털2</p><p>Some text of the article, long enough.</p>`, "KH디지털2"},
		{"written by line", ``, `<div>Written by Sam Poe</div>`, "Sam Poe"},
		{"weekday before the date cut", ``, `<span class="author">By Sam Poe Thursday, November 9, 2023</span>`, "Sam Poe"},
		{"abbreviated weekday before the date cut", ``, `<span class="author">Tom Spahn Fr, 12.03.2021</span>`, "Tom Spahn"},
		{"comment author ignored", ``, `<div class="comments"><span class="author">Troll</span></div>`, ""},
		{"prose is not a byline", ``, `<p>By the way, nobody wrote this.</p>`, ""},
		{"label alone is not a name", ``, `<span class="author">Autor</span>`, ""},
		{"template label before the date", ``, `<div class="entry-meta"><span class="meta-prep meta-prep-author">Posted on</span> <span class="entry-date">21. Juli 2019</span> <span class="meta-sep">by</span> <span class="author vcard"><a class="url fn n" href="/author/realiberry/">Realiberry</a></span></div>`, "Realiberry"},
		{"categories in a nav", ``, `<nav class="documentByLine"><span>abgelegt unter:</span><ul><li><a href="/s?x">Weltweit</a></li></ul></nav><div class="documentByLine"><span class="documentAuthor">erstellt von <a href="/author/dominique">Dominique</a> —</span></div>`, "Dominique"},
		{"headline opening with a by-word", ``, `<h1>Von Sprachregeln, Gender-Politik und «ganz normalem Deutsch»</h1><p>Text of the article, long enough to be one.</p>`, ""},
		{"labelled fields", ``, `<div class="articleAuthorDateBlock"><span class="label">Datum:</span> 19.11.2021 <br><span class="label">Autor:</span> Fritz Imhof<br><span class="label">Quelle:</span> Livenet</div>`, "Fritz Imhof"},
		{"placeholder author", `<meta name="author" content="No Author">`, ``, ""},
		{"user name spelled out", `<script type="application/ld+json">{"@type":"Article","author":"edilson.la.rosa"}</script><meta name="author" content="Edilson La Rosa">`, ``, "Edilson La Rosa"},
		{"first name given in full", `<script type="application/ld+json">{"@type":"Article","author":"Nils"}</script>`, `<div class="author-name">Nils Pickert</div>`, "Nils Pickert"},
		{"not extended by the template", `<script type="application/ld+json">{"@type":"Article","author":"Eurosport"}</script>`, `<div class="author">Eurosport Publiziert</div>`, "Eurosport"},
		{"lower-case handle not extended", `<script type="application/ld+json">{"@type":"Article","author":"karstenruppert"}</script>`, `<div class="author">karstenruppert More Posts</div>`, "karstenruppert"},
		{"role before the name", ``, `<span class="author">FOCUS-Online-Experte Robin Tschöpe</span>`, "Robin Tschöpe"},
		{"role word in a short byline kept", ``, `<span class="author">Reporter Ann</span>`, "Reporter Ann"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := "<html><head>" + tt.head + "</head><body>" + tt.body + "</body></html>"
			if got := metaOf(t, page, "https://www.example.com/a/b", nil).Byline; got != tt.want {
				t.Errorf("byline %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMetaPublished(t *testing.T) {
	tests := []struct {
		name, url, head, body, want string
	}{
		{"json-ld datePublished", "", `<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2019-10-16T08:00:00+02:00","dateModified":"2019-10-19T10:00:00+02:00"}</script>`, ``, "2019-10-16T08:00:00+02:00"},
		{"json-ld dateCreated", "", `<script type="application/ld+json">{"@type":"Article","dateCreated":"2019-10-15"}</script>`, ``, "2019-10-15T00:00:00"},
		{"article:published_time", "", `<meta property="article:published_time" content="2020-01-02T03:04:05Z">`, ``, "2020-01-02T03:04:05Z"},
		{"meta date", "", `<meta name="date" content="2020-01-02">`, ``, "2020-01-02T00:00:00"},
		{"meta DC.date.issued", "", `<meta name="DC.date.issued" content="2018-07-08">`, ``, "2018-07-08T00:00:00"},
		{"itemprop datePublished", "", ``, `<span itemprop="datePublished" content="2017-03-04T05:06:07+01:00">4 March</span>`, "2017-03-04T05:06:07+01:00"},
		{"time pubdate preferred", "", ``, `<time datetime="2016-01-01">old</time><time pubdate datetime="2016-02-02T10:00:00-05:00">Feb</time>`, "2016-02-02T10:00:00-05:00"},
		{"time in comments ignored", "", ``, `<h1>T</h1><div class="comments"><time datetime="2016-05-05">c</time></div><p class="date">Published: 3 April 2016</p>`, "2016-04-03T00:00:00"},
		{"date line after h1", "", ``, `<h1>Headline</h1><div class="meta">Published : June 24, 2015 - 09:40</div>`, "2015-06-24T09:40:00"},
		{"updated line loses to published", "", ``, `<h1>H</h1><p>Updated: 25.06.2015</p><p>Veröffentlicht am 24.06.2015</p>`, "2015-06-24T00:00:00"},
		{"printed local day beats a UTC neighbour", "", `<meta property="article:published_time" content="2022-05-04T00:44:52Z">`, `<h1>H</h1><p class="date">3. Mai 2022</p>`, "2022-05-03T00:00:00"},
		{"printed day confirmed by modified wins", "", `<meta property="article:published_time" content="2021-11-22T18:42:22+01:00"><meta property="article:modified_time" content="2023-01-01T10:00:00+01:00">`, `<h1>H</h1><time class="publish-date">1. Januar 2023</time>`, "2023-01-01T00:00:00"},
		{"unconfirmed printed day loses", "", `<meta property="article:published_time" content="2021-11-22T18:42:22+01:00">`, `<h1>H</h1><time class="publish-date">1. Januar 2023</time>`, "2021-11-22T18:42:22+01:00"},
		{"url date", "https://example.com/2014/03/09/story/", ``, ``, "2014-03-09T00:00:00"},
		{"url date beats a page date years away", "https://example.com/2017/06/07/story/", `<meta property="article:published_time" content="2019-05-21T14:34:00+02:00">`, ``, "2017-06-07T00:00:00"},
		{"page date days from the url date kept", "https://example.com/2022/05/02/story/", `<meta property="article:published_time" content="2022-05-08T06:00:00-05:00">`, ``, "2022-05-08T06:00:00-05:00"},
		{"dateline opening the first sentence", "", ``, `<h1>H</h1><p><strong>01.02.2022 – Der Arbeitsmarkt ist gut in das Jahr gestartet, sagte der Chef.</strong> Mehr.</p>`, "2022-02-01T00:00:00"},
		{"date opening a line of an events list", "", ``, `<h1>H</h1><p>01.02.2022 Konzert in der Stadthalle mit vielen Gästen</p>`, ""},
		{"modified as last resort", "", `<meta property="article:modified_time" content="2013-01-01T00:00:00Z">`, ``, "2013-01-01T00:00:00Z"},
		{"future date ignored", "", `<meta property="article:published_time" content="2999-01-01T00:00:00Z">`, ``, ""},
		{"copyright year ignored", "", ``, `<footer>© 2015 Example</footer><p>© 24.06.2015 Example</p>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := "<html><head>" + tt.head + "</head><body>" + tt.body + "</body></html>"
			u := tt.url
			if u == "" {
				u = "https://www.example.com/story"
			}
			got := ""
			if p := metaOf(t, page, u, nil).Published; !p.IsZero() {
				got = formatDate(p)
			}
			if got != tt.want {
				t.Errorf("published %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMetaPublishedZone(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	page := `<html><head><meta property="article:published_time" content="2015-06-24T09:40:00"></head><body></body></html>`
	if got := metaOf(t, page, "https://example.com/", seoul).Published.Format(time.RFC3339); got != "2015-06-24T09:40:00+09:00" {
		t.Errorf("zone-less value in tz: %s", got)
	}
	// A zone the page gives wins over tz.
	page = `<html><head><meta property="article:published_time" content="2015-06-24T09:40:00-04:00"></head><body></body></html>`
	if got := metaOf(t, page, "https://example.com/", seoul).Published.Format(time.RFC3339); got != "2015-06-24T09:40:00-04:00" {
		t.Errorf("page zone not kept: %s", got)
	}
}

func TestMetaOtherFields(t *testing.T) {
	tests := []struct {
		name, page string
		field      func(meta) string
		want       string
	}{
		{"html lang", `<html lang="de-AT"><head></head></html>`, func(m meta) string { return m.Lang }, "de-AT"},
		{"content-language", `<html><head><meta http-equiv="Content-Language" content="fr"></head></html>`, func(m meta) string { return m.Lang }, "fr"},
		{"og:locale", `<html><head><meta property="og:locale" content="en_US"></head></html>`, func(m meta) string { return m.Lang }, "en-US"},
		{"og:site_name", `<html><head><meta property="og:site_name" content="The Site"></head></html>`, func(m meta) string { return m.SiteName }, "The Site"},
		{"json-ld publisher", `<html><head><script type="application/ld+json">{"@type":"NewsArticle","publisher":{"@type":"Organization","name":"Pub Org"}}</script></head></html>`, func(m meta) string { return m.SiteName }, "Pub Org"},
		{"application-name", `<html><head><meta name="application-name" content="App Site"></head></html>`, func(m meta) string { return m.SiteName }, "App Site"},
		{"canonical relative", `<html><head><link rel="canonical" href="/story?id=1"></head></html>`, func(m meta) string { return m.Canonical }, "https://www.example.com/story?id=1"},
		{"og:url", `<html><head><meta property="og:url" content="https://www.example.com/s"></head></html>`, func(m meta) string { return m.Canonical }, "https://www.example.com/s"},
		{"javascript canonical rejected", `<html><head><link rel="canonical" href="javascript:alert(1)"></head></html>`, func(m meta) string { return m.Canonical }, ""},
		{"og:image relative", `<html><head><meta property="og:image" content="/img/a.jpg"></head></html>`, func(m meta) string { return m.Image }, "https://www.example.com/img/a.jpg"},
		{"twitter:image", `<html><head><meta name="twitter:image" content="//cdn.example.com/b.png"></head></html>`, func(m meta) string { return m.Image }, "https://cdn.example.com/b.png"},
		{"json-ld image object", `<html><head><script type="application/ld+json">{"@type":"Article","image":[{"@type":"ImageObject","url":"https://img.example.com/c.jpg"}]}</script></head></html>`, func(m meta) string { return m.Image }, "https://img.example.com/c.jpg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.field(metaOf(t, tt.page, "https://www.example.com/a/b", nil)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDateLine(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	tests := []struct {
		line string
		tz   *time.Location
		want string // RFC3339, "" for not a date line
	}{
		{"Published : June 24, 2015 - 09:40", seoul, "2015-06-24T09:40:00+09:00"},
		{"Published : June 24, 2015 - 09:40", nil, "2015-06-24T09:40:00"},
		{"2015.06.24 09:40", nil, "2015-06-24T09:40:00"},
		{"2015-06-24", nil, "2015-06-24T00:00:00"},
		{"24 June 2015", nil, "2015-06-24T00:00:00"},
		{"June 24th, 2015", nil, "2015-06-24T00:00:00"},
		{"24.06.2015", nil, "2015-06-24T00:00:00"},
		{"24. Juni 2015", nil, "2015-06-24T00:00:00"},
		{"Mittwoch, 24. Juni 2015, 10:30 Uhr", nil, "2015-06-24T10:30:00"},
		{"Veröffentlicht am 3. März 2021 um 9.15 Uhr", nil, "2021-03-03T09:15:00"},
		{"Publié le 24 juin 2015 à 09h40", nil, "2015-06-24T09:40:00"},
		{"24 de junio de 2015", nil, "2015-06-24T00:00:00"},
		{"24 giugno 2015", nil, "2015-06-24T00:00:00"},
		{"24 de junho de 2015", nil, "2015-06-24T00:00:00"},
		{"24 juni 2015", nil, "2015-06-24T00:00:00"},
		{"24 czerwca 2015", nil, "2015-06-24T00:00:00"},
		{"2015年6月24日", nil, "2015-06-24T00:00:00"},
		{"2015년 6월 24일 09:40", seoul, "2015-06-24T09:40:00+09:00"},
		{"Jun. 24, 2015 9:40 pm EDT", nil, "2015-06-24T21:40:00-04:00"},
		{"2015-06-24T09:40:00+09:00", nil, "2015-06-24T09:40:00+09:00"},
		{"06/24/2015", nil, "2015-06-24T00:00:00"},
		{"Posted on 24/06/2015 by Jane", nil, "2015-06-24T00:00:00"},
		{"Stand: 24.06.2015 10:00 Uhr", nil, "2015-06-24T10:00:00"},
		{"", nil, ""},
		{"Just a headline about nothing", nil, ""},
		{"The meeting on 24 June 2015 will decide everything about the budget of the city", nil, ""},
		{"© 2015 Example Corp", nil, ""},
		{"Copyright 24.06.2015", nil, ""},
		{"31.02.2015", nil, ""},
		{"24.06.2999", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, ok := dateLine(tt.line, tt.tz)
			s := ""
			if ok {
				s = formatDate(got)
			}
			if s != tt.want {
				t.Errorf("dateLine(%q) = %q, want %q", tt.line, s, tt.want)
			}
		})
	}
}

func TestDateLineKind(t *testing.T) {
	tests := []struct {
		line string
		kind int
	}{
		{"Published: 24.06.2015", datePublished},
		{"Veröffentlicht am 24.06.2015", datePublished},
		{"Updated: 24.06.2015", dateUpdated},
		{"Aktualisiert am 24.06.2015", dateUpdated},
		{"24.06.2015", dateUnknown},
	}
	for _, tt := range tests {
		if d, ok := parseDateLine(tt.line, nil); !ok || d.kind != tt.kind {
			t.Errorf("parseDateLine(%q) kind %d ok %v, want %d", tt.line, d.kind, ok, tt.kind)
		}
	}
}

func TestBylineLine(t *testing.T) {
	tests := []struct {
		line, want string
		ok         bool
	}{
		{"By KH디지털2", "KH디지털2", true},
		{"By Jane Roe and John Doe", "Jane Roe and John Doe", true},
		{"Von Hans Müller", "Hans Müller", true},
		{"Par Jean Dupont", "Jean Dupont", true},
		{"Por María García", "María García", true},
		{"Door Jan de Vries", "Jan de Vries", true},
		{"Autor: Max Mustermann", "Max Mustermann", true},
		{"Author: Ann Lee", "Ann Lee", true},
		{"Written by Sam Poe", "Sam Poe", true},
		{"By Ann Lee | Updated June 25, 2015", "Ann Lee", true},
		{"By Ann Lee, June 25, 2015", "Ann Lee", true},
		{"By Ann Lee ann@example.com", "Ann Lee", true},
		{"By Ann Lee @annlee", "Ann Lee", true},
		{"By J.R. Stone Thursday", "J.R. Stone", true},
		{"Von Günter W. Kienitz um 18:52", "Günter W. Kienitz", true},
		{"Von Isa Di Biase am Samstag", "Isa Di Biase", true},
		{"By Inga Hoeltmann Follow", "Inga Hoeltmann", true},
		{"By Grant Tinsley, PhD", "Grant Tinsley", true},
		{"By Jane Sun", "Jane Sun", true},
		{"Eingestellt von Der Michel", "Der Michel", true},
		{"Interview: Julia Lauter", "Julia Lauter", true},
		{"Text von Christian Seiler Illustration von Markus Roost", "Christian Seiler", true},
		{"Jane Roe, Fotos: Max Doe", "", false},
		{"By Jane Roe, Photos by Max Doe", "Jane Roe", true},
		{"| By Cara Stiles", "Cara Stiles", true},
		{"· Von Hans Müller", "Hans Müller", true},
		{"Submitted by Jane Roe on 24 July 2017", "Jane Roe", true},
		{"Gespeichert von Hans Müller am 24. Juli 2017 - 18:55", "Hans Müller", true},
		{"Von Eberhard Fuhr (Pressesprecher des EJW)", "Eberhard Fuhr", true},
		{"By 史蒂文的家_藍天 (stevenhgm)", "史蒂文的家_藍天 (stevenhgm)", true},
		{"Photo by Max Doe", "", false},
		{"— by the way, prose", "", false},
		{"By the way, this is prose.", "", false},
		{"Byrne said so", "", false},
		{"By https://example.com", "", false},
		{"Jane Roe", "", false},
		{"", "", false},
		{"By " + strings.Repeat("word ", 40), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, ok := bylineLine(tt.line)
			if got != tt.want || ok != tt.ok {
				t.Errorf("bylineLine(%q) = %q, %v; want %q, %v", tt.line, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzDateLine(f *testing.F) {
	for _, s := range []string{"Published : June 24, 2015 - 09:40", "2015.06.24 09:40", "24. Juni 2015", "2015年6月24日",
		"2015년 6월 24일", "Jun. 24, 2015 9:40 pm GMT+9", "2015-06-24T09:40:00.123+09:00", "24/06/2015 12h30 UTC-03:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if tm, ok := dateLine(line, time.UTC); ok && tm.IsZero() {
			t.Errorf("dateLine(%q) ok with a zero time", line)
		}
		parseDateValue(line, nil)
	})
}

func FuzzBylineLine(f *testing.F) {
	for _, s := range []string{"By KH디지털2", "Von Hans Müller | 24.06.2015", "Autor: X", "By"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if name, ok := bylineLine(line); ok && name == "" {
			t.Errorf("bylineLine(%q) ok with an empty name", line)
		}
	})
}

func FuzzReadMeta(f *testing.F) {
	f.Add(`<html lang="en"><head><title>A - B</title><meta property="og:title" content="A"><script type="application/ld+json">{"@graph":[{"@type":"Article","author":[{"@id":"x"}],"image":{"url":"/i"}}]}</script></head><body><h1>A</h1><p>By X</p><time datetime="2015-06-24">x</time></body></html>`)
	f.Add(`<script type="application/ld+json">[[[[{"@type":["NewsArticle"],"headline":{"@value":"h"},"datePublished":["2015"]}]]]]</script>`)
	f.Add(`<div class="byline"><span class="date">24.06.2015</span></div>`)
	f.Fuzz(func(t *testing.T, page string) {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			return
		}
		base, _ := url.Parse("https://example.com/2015/06/24/x")
		readMeta(doc, base, nil)
		readMeta(doc, nil, time.UTC)
	})
}

// formatDate is RFC 3339, without an offset for a date whose zone the page
// did not give.
func formatDate(t time.Time) string {
	if t.Location() == noZone {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format(time.RFC3339)
}

func TestWithoutSiteName(t *testing.T) {
	tests := []struct{ byline, site, want string }{
		{"unocero - Alberto Ávila", "unocero", "Alberto Ávila"},
		{"Adam Aaronson PhillyVoice Staff", "PhillyVoice", "Adam Aaronson"},
		{"hausinfo", "hausinfo", "hausinfo"}, // the site is the author given
		{"Jane Roe - John Doe", "Example", "Jane Roe - John Doe"},
		{"Jane Roe", "", "Jane Roe"},
	}
	for _, tt := range tests {
		if got := withoutSiteName(tt.byline, tt.site); got != tt.want {
			t.Errorf("withoutSiteName(%q, %q) = %q, want %q", tt.byline, tt.site, got, tt.want)
		}
	}
}
