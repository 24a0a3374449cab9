package extract

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// The article text the cleaning tests put their widgets in: two paragraphs
// before the widget, one after it.
const (
	storyOpening = `<p>The council voted on Tuesday to rebuild the old bridge, which has been closed since the spring floods, and work will start next month.</p>
<p>Engineers said the new bridge, designed to carry buses as well as cars, would open in two years, at a cost of about twelve million.</p>`
	storyClosing = `<p>Residents, who have driven a long way round for months, welcomed the news, and several said they would attend the opening.</p>`
)

// article wraps body-level HTML in a page with enough real text around it
// that the generic path picks the article, so that a test can look at what
// happens to one widget inside it.
func article(inner string) []byte {
	return []byte(`<html><head><title>Bridge</title></head><body>
<div id="menu"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></div>
<div class="story">` + storyOpening + inner + storyClosing + `</div>
<div class="footer-links"><a href="/about">About us</a> <a href="/contact">Contact</a></div>
</body></html>`)
}

func TestCleaning(t *testing.T) {
	tests := []struct {
		name    string
		inner   string
		has     []string // in Text
		hasNot  []string // not in Text
		htmlHas []string // in HTML
	}{
		{
			name:   "share widget",
			inner:  `<div class="share-buttons"><a href="#">Facebook</a><a href="#">Twitter</a><span class="copy_pop">Link copied</span></div>`,
			hasNot: []string{"Facebook", "Link copied"},
		},
		{
			name:  "a post quoted in the text, its links and all",
			inner: `<div class="social-media-embed"><blockquote class="twitter-tweet"><p>Yes this is real and yes the state spent half a million on it: <a href="https://t.co/Nc0">https://t.co/Nc0</a></p>— Jane (@jane) <a href="https://twitter.com/jane/status/1">November 18, 2019</a></blockquote></div>`,
			has:   []string{"Yes this is real", "(@jane)"},
		},
		{
			name:   "a pull quote set off in an aside stays; an aside of other things goes",
			inner:  `<div class="c-float-right"><aside><q>This will be the second bridge</q></aside></div><aside><p>Sign up for our daily briefing, sent every morning.</p></aside>`,
			has:    []string{"This will be the second bridge"},
			hasNot: []string{"daily briefing"},
		},
		{
			name:   "a card shown on pointing at a name",
			inner:  `<p>A man threatened Rep. <span class="people"><a href="/p/jane">Jane Roe</a><span class="block"><span><img src="/j.jpg"><a href="/p/jane">Jane Roe</a><a href="/x">Another story about Jane Roe and the committee</a></span></span></span> (D-Minn.), the office said. <a href="/p/jane">Jane Roe</a> <span>said</span> nothing.</p>`,
			has:    []string{"threatened Rep. Jane Roe (D-Minn.), the office said. Jane Roe said nothing."},
			hasNot: []string{"Another story"},
		},
		{
			name:   "a card that names the person in full",
			inner:  `<p>The governor, <a href="/p/kim">Kim Noe</a><span><img src="/k.jpg"><a href="/p/kim">Kimberly Ann Noe</a><a href="/y">Governor doubles down on her campaign</a></span>, spoke on Monday.</p>`,
			has:    []string{"The governor, Kim Noe, spoke on Monday."},
			hasNot: []string{"Kimberly", "doubles down"},
		},
		{
			name:   "link copied toast",
			inner:  `<p>Link copied</p>`,
			hasNot: []string{"Link copied"},
		},
		{
			name:   "ad token is a word",
			inner:  `<div class="ad-slot">Buy now</div><div class="header-note"><p>The bridge was first built in 1902, and rebuilt once in 1950, after a flood.</p></div>`,
			has:    []string{"first built in 1902"},
			hasNot: []string{"Buy now"},
		},
		{
			name:  "shadow, download and head are not ad",
			inner: `<div class="shadow-box"><p>Shadowed text about the bridge, with its long history, stays in the article.</p></div><div class="download"><p>Download words, about plans and costs, stay in the article too.</p></div>`,
			has:   []string{"Shadowed text", "Download words"},
		},
		{
			name:   "camel case words",
			inner:  `<div class="relatedPosts"><a href="/x">Another story</a></div>`,
			hasNot: []string{"Another story"},
		},
		{
			name:   "hidden elements",
			inner:  `<p hidden>Secret one</p><p style="display: none">Secret two</p><p aria-hidden="true">Secret three</p><span class="sr-only">Secret four</span><figure><img src="/b.jpg"><figcaption><span class="off-screen">Secret five</span> The bridge in 1950.</figcaption></figure>`,
			hasNot: []string{"Secret one", "Secret two", "Secret three", "Secret four", "Secret five"},
		},
		{
			name:    "lazy images",
			inner:   `<figure><img src="data:image/gif;base64,R0lGOD" data-src="/img/bridge.jpg" alt="The bridge"><figcaption>The old bridge in 1950.</figcaption></figure>`,
			has:     []string{"The old bridge in 1950."},
			htmlHas: []string{`src="https://example.com/img/bridge.jpg"`, "<figure>", "<figcaption>"},
		},
		{
			name:    "srcset only",
			inner:   `<img srcset="/s.jpg 300w, /l.jpg 1200w">`,
			htmlHas: []string{`src="https://example.com/l.jpg"`},
		},
		{
			name:   "link-dense list dropped",
			inner:  `<ul><li><a href="/a">Story one headline</a></li><li><a href="/b">Story two headline</a></li><li><a href="/c">Story three</a></li></ul>`,
			hasNot: []string{"Story one headline"},
		},
		{
			name:  "content list kept",
			inner: `<ul><li>Two lanes for cars, one each way</li><li>A cycle path on the north side</li></ul>`,
			has:   []string{"Two lanes for cars, one each way\n\nA cycle path on the north side"},
		},
		{
			name:    "table kept",
			inner:   `<table><caption>Costs</caption><tr><th>Item</th><th>Cost</th></tr><tr><td>Steel</td><td>4m</td></tr><tr><td>Labour</td><td>6m</td></tr></table>`,
			has:     []string{"Steel 4m", "Labour 6m"},
			htmlHas: []string{"<table>", "<td>Steel</td>"},
		},
		{
			name:  "blockquote and heading kept",
			inner: `<h2>What comes next</h2><blockquote><p>We have waited long enough for this bridge, said the mayor.</p></blockquote>`,
			has:   []string{"What comes next", "We have waited long enough"},
		},
		{
			name:  "links inside a paragraph are text",
			inner: `<p>The plan, <a class="icon tag" href="/plan">published in May</a>, was approved.</p>`,
			has:   []string{"The plan, published in May, was approved."},
		},
		{
			name:   "related box in the middle",
			inner:  `<div class="box"><h3>Related</h3><ul class="x"><li>Council meets on budget</li><li>Old ferry to be sold</li></ul></div>`,
			hasNot: []string{"Related", "Council meets on budget", "Old ferry"},
		},
		{
			name:  "formula in running text",
			inner: `<div class="eq">Engineers say that <span class="MathJax CtxtMenu_Attached_0"><math><mi>F</mi><mo>=</mo><mi>ma</mi></math></span> holds for the bridge, as for any other, and they checked the loads.</div>`,
			has:   []string{"Engineers say that F=ma holds for the bridge"},
		},
		{
			name:   "share link in running text still goes",
			inner:  `<div class="eq">Tell your friends: <a class="share-link" href="/s">share on Facebook</a></div>`,
			hasNot: []string{"share on Facebook"},
		},
		{
			name:   "JSON template left out",
			inner:  `<script type="text/template">{"type":"Blockquote","data":{"quote":"<p>They were these really intriguing, weird cells that did not have a clear function at all, said the researcher.<\/p>","alignment":"right","credit":"<p>A. Person<\/p>"}}</script>`,
			hasNot: []string{`"type"`, "Blockquote", "alignment"},
		},
		{
			name:   "advertisement label",
			inner:  `<div><span>ADVERTISEMENT</span></div><p>Advertisement</p>`,
			hasNot: []string{"ADVERTISEMENT", "Advertisement"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Page(context.Background(), article(tt.inner), "https://example.com/news/bridge.html", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range append([]string{"The council voted", "welcomed the news"}, tt.has...) {
				if !strings.Contains(a.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, a.Text)
				}
			}
			for _, s := range append([]string{"About us", "Sport"}, tt.hasNot...) {
				if strings.Contains(a.Text, s) {
					t.Errorf("Text has %q:\n%s", s, a.Text)
				}
			}
			for _, s := range tt.htmlHas {
				if !strings.Contains(a.HTML, s) {
					t.Errorf("HTML lacks %q:\n%s", s, a.HTML)
				}
			}
			if strings.Contains(a.Text, "\n\n\n") {
				t.Errorf("more than one blank line between paragraphs: %q", a.Text)
			}
		})
	}
}

func TestBrParagraphs(t *testing.T) {
	page := `<html><body><div class="view">
First paragraph of the story, with enough words in it to be counted as one.<br><br>
Second paragraph, which also says something, at some length, about the matter.<br><br>
Third and last, ending the story.
</div></body></html>`
	a, err := Page(context.Background(), []byte(page), "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "First paragraph of the story, with enough words in it to be counted as one.\n\n" +
		"Second paragraph, which also says something, at some length, about the matter.\n\n" +
		"Third and last, ending the story."
	if a.Text != want {
		t.Errorf("Text = %q\nwant %q", a.Text, want)
	}
}

func TestEdgeLines(t *testing.T) {
	page := `<html><head><meta property="og:title" content="Bridge to reopen"></head><body><div class="story">
<h1>Bridge to reopen</h1>
<p>Share</p>
<p>The council voted on Tuesday to rebuild the old bridge, which has been closed since the spring floods.</p>
<p>Engineers said the new bridge, designed to carry buses as well as cars, would open in two years.</p>
<p>Tags: bridge, council</p>
<h3>Related</h3>
<p>Share this article</p>
<p>© 2024 Example News. All rights reserved.</p>
</div></body></html>`
	a, err := Page(context.Background(), []byte(page), "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "The council voted on Tuesday to rebuild the old bridge, which has been closed since the spring floods.\n\n" +
		"Engineers said the new bridge, designed to carry buses as well as cars, would open in two years."
	if a.Text != want {
		t.Errorf("Text = %q\nwant %q", a.Text, want)
	}
	if strings.Contains(a.HTML, "Related") || strings.Contains(a.HTML, "<h1>") {
		t.Errorf("HTML keeps dropped lines: %s", a.HTML)
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"share-buttons", []string{"share", "buttons"}},
		{"shareButtons", []string{"share", "buttons"}},
		{"ad300x250", []string{"ad", "300", "x", "250"}},
		{"header shadow download", []string{"header", "shadow", "download"}},
		{"  ", nil},
		{"Ad_Box", []string{"ad", "box"}},
	}
	for _, tt := range tests {
		if got := tokens(tt.in, nil); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRelatedAndPromo(t *testing.T) {
	body, last := storyOpening, storyClosing
	tests := []struct {
		name   string
		story  string // inside <div class="story">
		after  string // after it, in the same parent
		has    []string
		hasNot []string
	}{
		{
			name:   "teasers after a related heading",
			story:  body + last + `<p>You may also like...</p><p><a href="/a">Ferry to be sold</a></p><p><a href="/b">Council meets on budget</a></p>`,
			hasNot: []string{"You may also like", "Ferry to be sold", "Council meets"},
		},
		{
			name:   "teasers in their own block, however long",
			story:  body + last,
			after:  `<div class="posts"><h3 class="t">Você pode gostar...</h3><div class="p"><p>A long teaser of another post, which says a great deal about something else entirely, at length, with commas, so that it reads like prose.</p><p>Another long teaser of yet another post, which also goes on for a while, with commas, and some more words, and then some.</p></div></div>`,
			hasNot: []string{"Você pode gostar", "A long teaser", "Another long teaser"},
		},
		{
			name:   "text goes on after a related box",
			story:  body + `<div class="box"><h3>Most read</h3></div>` + last,
			has:    []string{"welcomed the news"},
			hasNot: []string{"Most read"},
		},
		{
			name:   "promo lines at the end",
			story:  body + last + `<p>Follow The Daily on Twitter and Instagram @daily.</p><p>Get the latest updates right in your inbox. Subscribe to our newsletters.</p>`,
			hasNot: []string{"Follow The Daily", "Subscribe to our"},
		},
		{
			name:   "another story's headline in capitals, inside the text",
			story:  body + `<p><a href="/c"><strong>FERRY TO BE SOLD AFTER FORTY YEARS</strong></a></p>` + last + `<p><a href="/d">SINGER TO PERFORM HER HITS AT THE AMAs</a></p>` + last,
			hasNot: []string{"FERRY TO BE SOLD", "SINGER TO PERFORM"},
		},
		{
			name:   "a see-more line inside the text",
			story:  body + `<p>SEE MORE: <a href="/c">Ferry to be sold after forty years</a></p>` + last,
			hasNot: []string{"SEE MORE", "Ferry to be sold"},
		},
		{
			name:  "capitals that do not link, and a link in a sentence's case, stay",
			story: body + `<p>THE BRIDGE IS CLOSED UNTIL FURTHER NOTICE</p><p><a href="/report">Read the engineers' full report on the bridge</a></p>` + last,
			has:   []string{"THE BRIDGE IS CLOSED", "full report on the bridge"},
		},
		{
			name:   "a long newsletter pitch at the end",
			story:  body + last + `<p>There's plenty more where that came from. Sign up for The Daily Bridge today to get the free daily newsletter delivered to your inbox every morning.</p>`,
			hasNot: []string{"plenty more where that came from"},
		},
		{
			name:   "staff credits at the end",
			story:  body + last + `<p>Reporting by Jane Doe; additional reporting by John Roe and Ann Poe in London; Editing by Max Moe and a second editor whose name is long</p><p>Write to Jane Doe at jane.doe@example.com</p><p>John Roe contributed to this report.</p><p>(Reporting by Ann Poe, editing by Max Moe)</p>`,
			hasNot: []string{"Reporting by", "Write to", "contributed to this report"},
		},
		{
			name:  "promo words inside the text stay",
			story: body + `<p>The mayor said on Twitter that the council would follow the engineers' advice.</p>` + last,
			has:   []string{"said on Twitter that the council would follow"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<html><body><div class="main"><div class="story">` + tt.story + `</div>` + tt.after + `</div></body></html>`
			a, err := Page(context.Background(), []byte(page), "https://example.com/a", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range append([]string{"The council voted", "welcomed the news"}, tt.has...) {
				if !strings.Contains(a.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, a.Text)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(a.Text, s) || strings.Contains(a.HTML, s) {
					t.Errorf("output has %q:\n%s", s, a.Text)
				}
			}
		})
	}
}

func TestRelatedHeading(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Related", true},
		{"You may also like...", true},
		{"» Das könnte Sie auch interessieren:", true},
		{"Artículos relacionados", true},
		{"DON'T MISS", true},
		{"More Great WIRED Stories", true},
		{"More top news:", true},
		{"More than forty stories", false},
		{"More stories of the flood will follow in our next issue", false},
		{"Related work on the bridge", false},
		{"Read also", false}, // also heads one link in a text that goes on
		{"", false},
	}
	for _, tt := range tests {
		if got := relatedHeading(tt.in); got != tt.want {
			t.Errorf("relatedHeading(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPromoLine(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Subscribe now to our print edition for the full story.", true},
		{"Follow NBC Latino on Facebook, Twitter and Instagram.", true},
		{"For the latest news download the News apps for iOS and Android.", true},
		{"Folgen Sie uns auf Facebook", true},
		{"He wrote on Twitter that he would not resign.", false},
		{"Apps and phones were banned from the room.", false},
		{strings.Repeat("A long closing paragraph that mentions a newsletter. ", 8), false},
	}
	for _, tt := range tests {
		if got := promoLine(tt.in); got != tt.want {
			t.Errorf("promoLine(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAboveTitle(t *testing.T) {
	body := storyOpening
	tests := []struct {
		name      string
		head      string // before the title heading
		has, gone []string
	}{
		{"a kicker and a section", `<div>BREAKING NEWS</div><div>Local</div>`, nil, []string{"BREAKING NEWS", "Local"}},
		{"a sentence above the title", `<p>Roads will close.</p>`, []string{"Roads will close."}, nil},
		{"the site's name over the text", `<p>The Town Crier</p><p>Roads will close.</p>`, []string{"Roads will close."}, []string{"Town Crier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<html><head><title>Bridge to close for two years</title><meta property="og:site_name" content="The Town Crier"></head><body><div class="story">` +
				tt.head + `<h1>Bridge to close for two years</h1>` + body + `</div></body></html>`
			a, err := Page(context.Background(), []byte(page), "https://example.com/a", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range append([]string{"The council voted"}, tt.has...) {
				if !strings.Contains(a.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, a.Text)
				}
			}
			for _, s := range tt.gone {
				if strings.Contains(a.Text, s) {
					t.Errorf("Text has %q:\n%s", s, a.Text)
				}
			}
		})
	}
}

// A page's own description beside its body (schema.org's itemprop
// "description", as TYPO3's news pages print their lede) is the article's.
func TestDescriptionBesideBody(t *testing.T) {
	lede := "The temperatures have fallen for weeks, and the first snow came to several towns."
	body := strings.Repeat("<p>Many dogs run wild in the snow, and their owners ask why, so we asked a trainer, who knows.</p>", 6)
	page := `<html><head><title>Dogs in winter</title></head><body><div class="news news-single"><div class="article">
<div class="header"><h3>Dogs in winter</h3></div><div class="teaser-text" itemprop="description"><p>` + lede + `</p></div>
<div class="news-text-wrap">` + body + `</div></div></div></body></html>`
	a, err := Page(context.Background(), []byte(page), "https://example.com/a", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Text, lede+"\n\n") {
		t.Errorf("text %q: want the description first", a.Text[:min(120, len(a.Text))])
	}
}
