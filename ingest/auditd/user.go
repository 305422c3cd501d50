package auditd

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// userFields copies what a user-space record (PAM, sshd, sudo, useradd, systemd…) says about the
// operation and the peer.
func (b *builder) userFields(hl *record, ev *normalize.Event) {
	ev.SetAttr("op", hl.text("op"))
	ev.SetAttr("terminal", hl.text("terminal"))
	ev.SetAttr("grantors", hl.text("grantors"))
	ev.SetAttr("unit", hl.text("unit"))
	ev.SetAttr("acct_id", hl.text("id")) // the uid of the account acted on (id=)
	if hl.typ == "USER_CMD" {
		ev.SetAttr("cmdline", hl.text("cmd"))
		ev.SetAttr("cwd", hl.text("cwd"))
	}
	addr, host := hl.text("addr"), hl.text("hostname")
	ip, name := normalize.SplitAddress(addr)
	if ip == "" {
		ip, name = normalize.SplitAddress(host)
	} else if hostIP, _ := normalize.SplitAddress(host); hostIP == "" && host != "" {
		name = host // a name beside the address
	}
	ev.SrcIP = ip
	ev.SetAttr(normalize.AttrSourceHost, name)
	if strings.HasPrefix(hl.body, "avc:") {
		avc(hl, ev)
	}
	if hl.get("apparmor") != "" {
		ev.SetAttr("apparmor", hl.text("apparmor"))
		ev.SetAttr("operation", hl.text("operation"))
		ev.SetAttr("profile", hl.text("profile"))
		ev.SetAttr("name", hl.text("name"))
	}
}

// avc reads an SELinux AVC: "avc:  denied  { read write } for pid=… tcontext=… tclass=…".
func avc(hl *record, ev *normalize.Event) {
	rest := strings.TrimSpace(strings.TrimPrefix(hl.body, "avc:"))
	verdict, rest, _ := strings.Cut(rest, " ")
	ev.SetAttr("avc", verdict)
	if open := strings.IndexByte(rest, '{'); open >= 0 {
		if end := strings.IndexByte(rest[open:], '}'); end > 0 {
			ev.SetAttr("permissions", strings.TrimSpace(rest[open+1:open+end]))
		}
	}
	ev.SetAttr("scontext", hl.text("scontext"))
	ev.SetAttr("tcontext", hl.text("tcontext"))
	ev.SetAttr("tclass", hl.text("tclass"))
	ev.SetAttr("name", hl.text("name"))
}
