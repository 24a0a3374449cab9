package fetch

import (
	"net/netip"
	"syscall"
)

// cgnat is the shared address space of carrier-grade NAT (RFC 6598), which
// netip does not count as private but which is no more public.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// nat64 embeds an IPv4 address in IPv6 (RFC 6052); the embedded address is
// what gets reached.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// denyPrivate is a net.Dialer Control hook. It sees the address after name
// resolution, just before connecting, so that no hostname or redirect can
// lead to an internal address and DNS rebinding does not help either.
func denyPrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return errBlocked
	}
	if !publicAddr(ap.Addr()) {
		return errBlocked
	}
	return nil
}

// publicAddr reports whether ip may be reached by a DenyPrivate request.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsUnspecified(),
		ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(),
		ip.IsMulticast(), cgnat.Contains(ip):
		return false
	}
	if ip.Is4() {
		b := ip.As4()
		// 0.0.0.0/8 ("this network") and the limited broadcast address.
		if b[0] == 0 || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			return false
		}
	}
	return true
}
