package feed

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func benchParse(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAt(body, "", "https://example.org/feed", corpusNow); err != nil {
			b.Fatal(err)
		}
	}
}

// typicalRSS is a 20-item RSS 2.0 feed of the kind news sites serve.
func typicalRSS() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>News</title><link>https://news.example/</link><ttl>15</ttl>`)
	for i := range 20 {
		fmt.Fprintf(&b, `<item><title>Story number %d &amp; more</title><link>https://news.example/view.php?ud=%d&amp;utm_source=rss</link><guid isPermaLink="false">%d</guid><description>&lt;p&gt;A summary of story %d, a few sentences long, with &lt;a href="/x"&gt;a link&lt;/a&gt;.&lt;/p&gt;</description><content:encoded><![CDATA[<p>Paragraph one of story %d.</p><p>Paragraph two.</p>]]></content:encoded><dc:creator>Reporter %d</dc:creator><category>World</category><pubDate>Wed, 24 Jun 2015 09:%02d:00 +0900</pubDate></item>`, i, i, i, i, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

func BenchmarkParse(b *testing.B) {
	b.Run("rss-20-items", func(b *testing.B) { benchParse(b, typicalRSS()) })
	b.Run("large-atom", func(b *testing.B) {
		body, err := os.ReadFile(filepath.Join(corpusDir, "realworld/miniflux/large_atom.xml"))
		if err != nil {
			body = syntheticAtom(200)
		}
		benchParse(b, body)
	})
	b.Run("rss-100000-items", func(b *testing.B) { benchParse(b, manyItems(100_000)) })
}

func syntheticAtom(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>`)
	for i := range n {
		fmt.Fprintf(&b, `<entry><id>tag:blog,2020:%d</id><title>Post %d</title><link href="/p/%d"/><updated>2020-01-02T03:04:05Z</updated><content type="html">&lt;p&gt;%s&lt;/p&gt;</content></entry>`, i, i, i, bytes.Repeat([]byte("text "), 400))
	}
	b.WriteString(`</feed>`)
	return b.Bytes()
}
