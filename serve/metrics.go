package serve

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the daemon's Prometheus metrics, in a registry of their own
// (never the global default, so that tests and several servers in one
// process do not collide). The scheduler records into them; the server
// serves them on /metrics. A nil *Metrics records nothing.
type Metrics struct {
	reg *prometheus.Registry

	polls       *prometheus.CounterVec
	sitePolls   *prometheus.CounterVec
	fetchTime   *prometheus.HistogramVec
	bytes       *prometheus.CounterVec
	errors      *prometheus.CounterVec
	articles    *prometheus.CounterVec
	extractions *prometheus.CounterVec
	lag         prometheus.Gauge
	queue       prometheus.Gauge
}

// NewMetrics returns a fresh set of metrics, with the Go runtime's and the
// process's own.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_polls_total",
			Help: "Feed polls by feed and outcome (ok, not-modified, failed, gone). " +
				"The 304 ratio is the not-modified share.",
		}, []string{"feed", "outcome"}),
		sitePolls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_site_polls_total",
			Help: "Feed polls by site (registrable domain) and outcome.",
		}, []string{"site", "outcome"}),
		fetchTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_fetch_duration_seconds",
			Help:    "Time to fetch a feed or an article page, by kind (feed, page).",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"kind"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_fetched_bytes_total",
			Help: "Response body bytes fetched, by site and kind (feed, page).",
		}, []string{"site", "kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_fetch_errors_total",
			Help: "Failed fetches by site and kind of error (dns, connect, timeout, 4xx, 5xx, parse, ...).",
		}, []string{"site", "kind"}),
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_articles_total",
			Help: "Entries archived, by feed and outcome (new, updated, duplicate).",
		}, []string{"feed", "outcome"}),
		extractions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_extractions_total",
			Help: "Full-text extractions by site and method (site-rule, generic, feed, rule-missed).",
		}, []string{"site", "method"}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "herald_scheduler_lag_seconds",
			Help: "How far behind its due time the latest poll started.",
		}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "herald_queue_depth",
			Help: "Polls and page fetches due and waiting.",
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.polls, m.sitePolls, m.fetchTime, m.bytes, m.errors, m.articles, m.extractions, m.lag, m.queue,
	)
	return m
}

// Registry is where the metrics live, for a caller that adds its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObservePoll records one feed poll: its outcome (a herald.Outcome*), the
// kind of error when it failed, how long the fetch took and the bytes read.
func (m *Metrics) ObservePoll(feed, site, outcome, errKind string, dur time.Duration, bytes int) {
	if m == nil {
		return
	}
	m.polls.WithLabelValues(feed, outcome).Inc()
	m.sitePolls.WithLabelValues(site, outcome).Inc()
	m.observeFetch(site, "feed", errKind, dur, bytes)
}

// ObservePage records one article page fetch.
func (m *Metrics) ObservePage(site, errKind string, dur time.Duration, bytes int) {
	if m == nil {
		return
	}
	m.observeFetch(site, "page", errKind, dur, bytes)
}

func (m *Metrics) observeFetch(site, kind, errKind string, dur time.Duration, bytes int) {
	m.fetchTime.WithLabelValues(kind).Observe(dur.Seconds())
	if bytes > 0 {
		m.bytes.WithLabelValues(site, kind).Add(float64(bytes))
	}
	if errKind != "" {
		m.errors.WithLabelValues(site, errKind).Inc()
	}
}

// ObserveArticles records what archiving one poll's entries did.
func (m *Metrics) ObserveArticles(feed string, added, updated, duplicate int) {
	if m == nil {
		return
	}
	for outcome, n := range map[string]int{"new": added, "updated": updated, "duplicate": duplicate} {
		if n > 0 {
			m.articles.WithLabelValues(feed, outcome).Add(float64(n))
		}
	}
}

// ObserveExtraction records how one article's text was found: a
// herald.ExtractedBy* value, or "rule-missed" when a site rule matched
// nothing.
func (m *Metrics) ObserveExtraction(site, method string) {
	if m == nil {
		return
	}
	m.extractions.WithLabelValues(site, method).Inc()
}

// SetQueue records how many polls and fetches wait.
func (m *Metrics) SetQueue(n int) {
	if m == nil {
		return
	}
	m.queue.Set(float64(n))
}

// SetLag records how late the latest poll started.
func (m *Metrics) SetLag(d time.Duration) {
	if m == nil {
		return
	}
	m.lag.Set(d.Seconds())
}
