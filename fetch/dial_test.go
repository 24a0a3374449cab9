package fetch

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestPublicAddr(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"93.184.216.34", true},
		{"2606:2800:220:1:248:1893:25c8:1946", true},
		{"8.8.8.8", true},
		{"127.0.0.1", false},
		{"127.1.2.3", false},
		{"::1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"172.32.0.1", true},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"100.128.0.1", true},
		{"::ffff:127.0.0.1", false}, // v4-mapped
		{"::ffff:10.0.0.1", false},
		{"64:ff9b::7f00:1", false}, // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		// The IANA special-purpose ranges that are not globally reachable.
		{"198.18.0.1", false}, // benchmarking
		{"198.19.255.255", false},
		{"198.20.0.1", true},
		{"192.0.0.8", false},         // IETF protocol assignments
		{"240.0.0.1", false},         // reserved
		{"192.0.2.1", false},         // documentation
		{"198.51.100.7", false},      // documentation
		{"203.0.113.9", false},       // documentation
		{"192.88.99.1", false},       // 6to4 relay anycast
		{"fec0::1", false},           // site-local
		{"2001:db8::1", false},       // documentation
		{"3fff::1", false},           // documentation
		{"100::1", false},            // discard-only
		{"2001::1", false},           // Teredo
		{"2001:4:112::1", true},      // AS112-v6, globally reachable
		{"ff02::1", false},           // multicast
		{"fe80::1%eth0", false},      // zoned
		{"5f00::1", false},           // SRv6
		{"64:ff9b:1::7f00:1", false}, // local-use NAT64
		// IPv6 forms that embed an IPv4 address reach that address.
		{"::127.0.0.1", false}, // IPv4-compatible
		{"::8.8.8.8", true},
		{"::ffff:0:7f00:1", false}, // SIIT-translated 127.0.0.1
		{"::ffff:0:808:808", true},
		{"2002:7f00:1::1", false},    // 6to4 of 127.0.0.1
		{"2002:a00:1::1", false},     // 6to4 of 10.0.0.1
		{"2002:808:808::1", true},    // 6to4 of 8.8.8.8
		{"::ffff:192.0.2.1", false},  // mapped documentation address
		{"64:ff9b::c000:201", false}, // NAT64 of 192.0.2.1
	}
	for _, tt := range tests {
		if got := PublicAddr(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("PublicAddr(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
}

func TestPrivateHost(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://127.0.0.1:8080/feed":     true,
		"http://localhost/feed":          true,
		"http://news.localhost./feed":    true,
		"http://[::1]/feed":              true,
		"http://192.0.2.10/feed":         true,
		"http://[2002:7f00:1::1]/feed":   true,
		"http://10.1.2.3/feed":           true,
		"http://news.example.com/feed":   false,
		"http://8.8.8.8/feed":            false,
		"http://user:pw@127.0.0.1/feed":  true,
		"not a url at all %zz":           false,
		"http://127.0.0.1.example.com/x": false,
	} {
		if got := PrivateHost(raw); got != want {
			t.Errorf("PrivateHost(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestDenyPrivateControl(t *testing.T) {
	for addr, blocked := range map[string]bool{
		"127.0.0.1:80":   true,
		"[::1]:443":      true,
		"8.8.8.8:53":     false,
		"not an address": true,
	} {
		err := denyPrivate("tcp", addr, nil)
		if (err != nil) != blocked {
			t.Errorf("denyPrivate(%q) = %v, want blocked %v", addr, err, blocked)
		}
	}
}

// TestDenyPrivateRedirect plays a public host on 127.0.0.1 (the dialer
// lets that one address through, white-box) that redirects to an internal
// server on 127.0.0.5: the hop is refused before connecting.
func TestDenyPrivateRedirect(t *testing.T) {
	var internalHits atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.5:0")
	if err != nil {
		t.Skip("no 127.0.0.5:", err)
	}
	internal := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalHits.Add(1)
		io.WriteString(w, "instance credentials")
	})}}
	internal.Start()
	t.Cleanup(internal.Close)
	public := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/latest/meta-data/", http.StatusFound)
	})

	c := newClient(t, Options{})
	d := &net.Dialer{Control: func(network, address string, rc syscall.RawConn) error {
		if strings.HasPrefix(address, "127.0.0.1:") {
			return nil // the public host
		}
		return denyPrivate(network, address, rc)
	}}
	c.public.DialContext = d.DialContext

	_, err = c.Get(context.Background(), Request{URL: public.URL + "/feed.xml", DenyPrivate: true})
	wantReason(t, wantKind(t, err, KindBlocked), "private address refused")
	if n := internalHits.Load(); n != 0 {
		t.Errorf("the internal server answered %d requests", n)
	}
	if _, err := c.Get(context.Background(), Request{URL: public.URL + "/feed.xml"}); err != nil {
		t.Errorf("without DenyPrivate: %v", err)
	}
}
