package auditd

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// identity sets the principal. The login uid (auid) names the person behind a process even
// after su or sudo, so it comes first: its name from the enriched format, else uid:<auid>. When
// it is unset (a daemon, or sshd before the login), an authentication names the account it is
// about (acct); anything else falls back to the process's uid.
func (b *builder) identity(p *parts, ids *record, ev *normalize.Event) {
	if ids == nil {
		return
	}
	auid := ids.get("auid")
	if unsetID(auid) {
		if auid != "" {
			ev.SetAttr("auid", "unset")
		}
	} else {
		ev.SetAttr("auid", auid)
	}
	if ses := ids.get("ses"); !unsetID(ses) {
		ev.SetAttr("session", ses)
	}
	auidName, uidName := userName(ids.enrichedText("AUID")), userName(ids.enrichedText("UID"))
	ev.SetAttr("auid_name", auidName)
	ev.SetAttr("uid_name", uidName)
	acct := ""
	if p.headline != nil {
		acct = p.headline.text("acct")
	}
	ev.SetAttr("acct", acct)
	switch uid := ids.get("uid"); {
	case !unsetID(auid):
		ev.Principal, ev.PrincipalType = orID(auidName, auid), "login-user"
	case acct != "" && typeCategory[p.headline.typ] == normalize.Auth:
		ev.Principal, ev.PrincipalType = acct, "account"
	case !unsetID(uid):
		ev.Principal, ev.PrincipalType = orID(uidName, uid), "process-user"
	}
}

// userName is a name from the enriched format, or "" when it names no one ("unset", or
// "unknown(1234)" for an id the logging host could not resolve).
func userName(v string) string {
	if v == "" || v == "unset" || strings.HasPrefix(v, "unknown(") {
		return ""
	}
	return v
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return "uid:" + id
}
