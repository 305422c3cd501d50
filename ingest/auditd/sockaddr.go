package auditd

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"

	"github.com/breachline/breachline/normalize"
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

// peerCalls are the syscalls whose SOCKADDR is an address the kernel handed back to the process
// (move_addr_to_user): the peer that connected (accept, accept4) or sent what was received
// (recvfrom, recvmsg; recvmmsg keeps the last message's sender, audit holding one SOCKADDR per
// call). In connect, bind, sendto and sendmsg it is the address the process passed: where it
// sent to, or its own.
var peerCalls = map[string]bool{
	"accept": true, "accept4": true, "recvfrom": true, "recvmsg": true, "recvmmsg": true, "recvmmsg_time64": true,
}

// socketcallPeer lists the socketcall(2) call numbers (a0, hex as logged) of the same calls: on
// i386, s390x and ppc the C library may multiplex them through socketcall.
var socketcallPeer = map[string]bool{"5": true, "c": true, "11": true, "12": true, "13": true}

// peerCall reports whether the event's SOCKADDR is the peer's address.
func peerCall(sysName string, sc *record) bool {
	if sysName == "socketcall" && sc != nil {
		return socketcallPeer[sc.get("a0")]
	}
	return peerCalls[sysName]
}

// peer sets src_ip and attrs.remote_port from a peer's "ip:port"; a unix socket's peer stays in
// attrs.socket_addr alone.
func peer(socket string, ev *normalize.Event) {
	ap, err := netip.ParseAddrPort(socket)
	if err != nil {
		return
	}
	ev.SrcIP, _ = normalize.SplitAddress(socket)
	ev.SetAttr("remote_port", int(ap.Port()))
}
