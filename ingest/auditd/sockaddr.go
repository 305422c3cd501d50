package auditd

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
)

// sockaddr decodes a SOCKADDR record's saddr (the hex of the struct sockaddr a connect, bind,
// sendto… passed) into "ip:port", "[ipv6]:port" or "unix:path" ("unix:@name" for the abstract
// namespace), or "" for other families. sa_family is in the logging host's byte order, so it is
// read both ways: no family value is valid in both.
func sockaddr(saddr string) string {
	b, err := hex.DecodeString(saddr)
	if err != nil || len(b) < 2 {
		return ""
	}
	var fam uint16
	switch {
	case b[1] == 0:
		fam = uint16(b[0])
	case b[0] == 0:
		fam = uint16(b[1])
	default:
		return ""
	}
	switch fam {
	case 1: // AF_UNIX
		p := b[2:]
		prefix := "unix:"
		if len(p) > 0 && p[0] == 0 {
			prefix, p = "unix:@", p[1:]
		}
		for i, c := range p {
			if c == 0 {
				p = p[:i]
				break
			}
		}
		if len(p) == 0 {
			return ""
		}
		return prefix + string(p)
	case 2: // AF_INET: port and address in network order
		if len(b) < 8 {
			return ""
		}
		ip := netip.AddrFrom4([4]byte(b[4:8]))
		return netip.AddrPortFrom(ip, binary.BigEndian.Uint16(b[2:4])).String()
	case 10: // AF_INET6
		if len(b) < 24 {
			return ""
		}
		ip := netip.AddrFrom16([16]byte(b[8:24]))
		return netip.AddrPortFrom(ip, binary.BigEndian.Uint16(b[2:4])).String()
	}
	return ""
}
