package farm

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Sites serves a farm's feeds spread over several sites, each on a
// loopback address of its own (127.0.1.1, 127.0.1.2, …), which fetch
// counts as a site each for its politeness. Feed i is on site i % len.
// Every request's start and end is recorded per site, so that a test can
// check the politeness the sites saw, whichever process sent the requests.
type Sites struct {
	farms   []Farm
	servers []*http.Server
	delay   time.Duration

	mu       sync.Mutex
	requests map[string][]Request // by site address
	count    map[string]int       // by path
	inflight map[string]int       // by site
	most     map[string]int       // by site
}

// Request is one request a site answered, as the site saw it.
type Request struct {
	Path       string
	UA         string // the User-Agent: which process sent it, when they differ
	Start, End time.Time
}

// StartSites serves n feeds of items items each over sites sites; each
// request is answered after delay (a server's latency).
func StartSites(sites, n, items int, delay time.Duration) (*Sites, error) {
	s := &Sites{delay: delay, requests: map[string][]Request{}, count: map[string]int{},
		inflight: map[string]int{}, most: map[string]int{}}
	for k := range sites {
		host := fmt.Sprintf("127.0.1.%d", k+1)
		ln, err := net.Listen("tcp", host+":0")
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("farm site %s: %w", host, err)
		}
		f := Farm{Base: "http://" + ln.Addr().String(), N: n, Items: items}
		srv := &http.Server{Handler: s.record(host, f.Handler()), ReadHeaderTimeout: 10 * time.Second}
		s.farms, s.servers = append(s.farms, f), append(s.servers, srv)
		go srv.Serve(ln)
	}
	return s, nil
}

func (s *Sites) record(site string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		i := len(s.requests[site])
		s.requests[site] = append(s.requests[site], Request{Path: r.URL.Path, UA: r.UserAgent(), Start: time.Now()})
		s.count[r.URL.Path]++
		s.inflight[site]++
		s.most[site] = max(s.most[site], s.inflight[site])
		s.mu.Unlock()
		time.Sleep(s.delay)
		h.ServeHTTP(w, r)
		s.mu.Lock()
		s.inflight[site]--
		s.requests[site][i].End = time.Now()
		s.mu.Unlock()
	})
}

// FeedURL is the URL of feed i.
func (s *Sites) FeedURL(i int) string { return s.farms[i%len(s.farms)].FeedURL(i) }

// N is how many feeds are served.
func (s *Sites) N() int { return s.farms[0].N }

// Items is how many items each feed has.
func (s *Sites) Items() int { return s.farms[0].Items }

// Count is how many requests for path the sites answered.
func (s *Sites) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count[path]
}

// Counts are the requests answered by path.
func (s *Sites) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]int, len(s.count))
	for k, v := range s.count {
		m[k] = v
	}
	return m
}

// Requests are the requests each site answered, by site, in the order
// they started.
func (s *Sites) Requests() map[string][]Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string][]Request, len(s.requests))
	for k, v := range s.requests {
		m[k] = append([]Request(nil), v...)
	}
	return m
}

// MostInFlight is the most requests each site had in flight at once.
func (s *Sites) MostInFlight() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]int, len(s.most))
	for k, v := range s.most {
		m[k] = v
	}
	return m
}

// Close stops every site.
func (s *Sites) Close() error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Close())
	}
	return errors.Join(errs...)
}
