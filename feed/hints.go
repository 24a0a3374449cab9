package feed

import (
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"github.com/mmcdole/gofeed/rss"

	"herald"
)

// maxHint caps what a publisher can ask for; a typo such as ttl=9999999
// should not stop polling for years.
const maxHint = 30 * 24 * time.Hour

// rssHints reads what an RSS channel says about polling: <ttl>, <skipHours>
// and <skipDays>, which gofeed's universal model drops.
func rssHints(ch *rss.Feed) herald.Hints {
	var h herald.Hints
	if n, err := strconv.Atoi(strings.TrimSpace(ch.TTL)); err == nil && n > 0 {
		h.TTL = min(time.Duration(n)*time.Minute, maxHint)
	}
	seenHour := map[int]bool{}
	for _, s := range ch.SkipHours {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > 24 {
			continue
		}
		n %= 24 // some publishers number the hours 1-24
		if !seenHour[n] {
			seenHour[n] = true
			h.SkipHours = append(h.SkipHours, n)
		}
	}
	seenDay := map[time.Weekday]bool{}
	for _, s := range ch.SkipDays {
		d, ok := weekday(s)
		if ok && !seenDay[d] {
			seenDay[d] = true
			h.SkipDays = append(h.SkipDays, d)
		}
	}
	return h
}

func weekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < 3 {
		return 0, false
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.HasPrefix(strings.ToLower(d.String()), s[:3]) {
			return d, true
		}
	}
	return 0, false
}

// syndicationPeriod reads sy:updatePeriod and sy:updateFrequency (RSS 1.0
// Syndication module): the feed changes frequency times per period.
func syndicationPeriod(f *gofeed.Feed) time.Duration {
	sy := f.Extensions["sy"]
	if sy == nil {
		return 0
	}
	periodText, freqText := extValue(sy, "updatePeriod"), extValue(sy, "updateFrequency")
	if periodText == "" && freqText == "" {
		return 0
	}
	period := 24 * time.Hour // the module's default is daily
	switch strings.ToLower(periodText) {
	case "hourly":
		period = time.Hour
	case "weekly":
		period = 7 * 24 * time.Hour
	case "monthly":
		period = 30 * 24 * time.Hour
	case "yearly":
		period = 365 * 24 * time.Hour
	}
	freq, err := strconv.Atoi(freqText)
	if err != nil || freq < 1 {
		freq = 1
	}
	return min(period/time.Duration(freq), maxHint)
}

func extValue(m map[string][]ext.Extension, name string) string {
	for _, e := range m[name] {
		if v := strings.TrimSpace(e.Value); v != "" {
			return v
		}
	}
	return ""
}
