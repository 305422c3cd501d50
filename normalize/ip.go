package normalize

import (
	"net/netip"
	"strings"
)

// SplitAddress reads a logged peer address and returns its canonical IP text, or, when the value
// is not an IP address (a host name such as "ec2.amazonaws.com"), an empty IP and the host name.
// It accepts "ip", "ip:port", "[v6]:port", "[v6]" and IPv4-mapped IPv6, strips ports and zones,
// and renders the address the way netip does (lowercase, compressed IPv6; ::ffff:1.2.3.4 as
// 1.2.3.4), so that the same client compares equal across sources.
func SplitAddress(v string) (ip, host string) {
	v = strings.TrimSpace(v)
	if v == "" || v == "-" {
		return "", ""
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return canonical(a), ""
	}
	if ap, err := netip.ParseAddrPort(v); err == nil {
		return canonical(ap.Addr()), ""
	}
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		if a, err := netip.ParseAddr(v[1 : len(v)-1]); err == nil {
			return canonical(a), ""
		}
	}
	return "", v
}

func canonical(a netip.Addr) string { return a.Unmap().WithZone("").String() }
