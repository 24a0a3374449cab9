package fetch

import (
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// denyPrivate is a net.Dialer Control hook. It sees the address after name
// resolution, just before connecting, so that no hostname or redirect can
// lead to an internal address and DNS rebinding does not help either.
func denyPrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return errBlocked
	}
	if !PublicAddr(ap.Addr()) {
		return errBlocked
	}
	return nil
}

// nonPublic are the ranges of the IANA IPv4 and IPv6 Special-Purpose Address
// Registries that are not globally reachable (or whose reachability the
// registry leaves open), and the other blocks that are no host on the
// internet: multicast, IPv4 class E, and IPv6 site-local.
var nonPublic = prefixes(
	"0.0.0.0/8",       // "this network"
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // shared address space (carrier-grade NAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local (cloud metadata lives here)
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation (TEST-NET-1)
	"192.88.99.0/24",  // deprecated 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation (TEST-NET-2)
	"203.0.113.0/24",  // documentation (TEST-NET-3)
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, and the limited broadcast address

	"64:ff9b:1::/48", // local-use IPv4/IPv6 translation
	"100::/64",       // discard-only
	"2001::/23",      // IETF protocol assignments (Teredo among them)
	"2001:db8::/32",  // documentation
	"3fff::/20",      // documentation
	"5f00::/16",      // segment routing SIDs
	"fc00::/7",       // unique local
	"fe80::/10",      // link-local
	"fec0::/10",      // site-local (deprecated, still routed by some)
	"ff00::/8",       // multicast
)

// globalIETF are the blocks inside 2001::/23 that the registry marks
// globally reachable.
var globalIETF = prefixes(
	"2001:1::1/128", "2001:1::2/128", "2001:1::3/128", // PCP, TURN and DNS-SD anycast
	"2001:3::/32",     // AMT
	"2001:4:112::/48", // AS112-v6
	"2001:20::/28",    // ORCHIDv2
	"2001:30::/28",    // drone remote ID
)

// embedding are IPv6 forms that carry an IPv4 address in their last 32 bits
// (mapped, IPv4-compatible, SIIT-translated, NAT64) or in bits 16 to 47
// (6to4): what they reach is that IPv4 address, judged by the IPv4 rules.
var (
	mapped     = netip.MustParsePrefix("::ffff:0:0/96")
	compatible = netip.MustParsePrefix("::/96")
	translated = netip.MustParsePrefix("::ffff:0:0:0/96")
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour  = netip.MustParsePrefix("2002::/16")
)

func prefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

func within(ip netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// PublicAddr reports whether ip is a globally reachable unicast address,
// one that a DenyPrivate request may connect to. An IPv6 address that
// embeds an IPv4 one is judged by the address it embeds.
func PublicAddr(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	if ip.Is6() && !ip.Is4In6() && ip.Zone() == "" {
		b := ip.As16()
		switch {
		case compatible.Contains(ip), translated.Contains(ip), nat64.Contains(ip):
			ip = netip.AddrFrom4([4]byte(b[12:]))
		case sixToFour.Contains(ip):
			ip = netip.AddrFrom4([4]byte(b[2:6]))
		}
	}
	ip = ip.Unmap() // covers mapped
	if ip.Is6() && ip.Zone() != "" {
		return false // only link-local addresses need a zone
	}
	if within(ip, globalIETF) {
		return true
	}
	return !within(ip, nonPublic)
}

// PrivateHost reports whether a URL names its host by a non-public address
// or by localhost: a URL configured that way means the user meant Herald to
// reach the local network. Host names are not resolved.
func PrivateHost(rawURL string) bool {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return false
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && !PublicAddr(ip)
}
