package accesslog

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// Attribute keys of access-log events, documented in docs/formats.md (section access-log).
const (
	attrVhost     = "vhost"
	attrVhostPort = "vhost_port"
	attrIdent     = "ident"
	attrQuery     = "query"
	attrProtocol  = "protocol"
	attrStatus    = "status"
	attrBytes     = "bytes"
	attrReferrer  = "referrer"
	attrRequest   = "request"
	// attrUnescapedQuotes says the request held quotes the server did not escape: its end was
	// found from the line's structure (line.go, unescapedRequest).
	attrUnescapedQuotes = "unescaped_quotes"
	// attrUnescapedQuotesIn lists the fields that held them: request, referrer, user_agent (or
	// a --log-format field's attribute name).
	attrUnescapedQuotesIn = "unescaped_quotes_in"
	attrForwardedFor      = "forwarded_for" // "(addresses)" after the client
	attrPreRequest        = "pre_request"   // a quoted word before the request
	attrExtra             = "extra"
)

// principalType says what kind of name the principal is: the user name of HTTP authentication,
// which the client supplied (Apache logs it once an auth module read it, verified or not; nginx
// logs whatever the Authorization: Basic header named).
const principalType = "http-user"

// toEvent fills ev from p.f; the reason is non-empty when the record cannot become an event.
func (p *parser) toEvent(ev *normalize.Event, assume *time.Location) (reason string) {
	f := &p.f
	t, basis, reason := f.stamp.resolve(assume)
	if reason != "" {
		return reason
	}
	ev.Time, ev.TimeRaw, ev.TZBasis = t, f.timeRaw, basis
	ev.Category = normalize.HTTPRequest
	ev.Outcome = outcome(f.status)

	ip, host := clientAddress(f.client)
	ev.SrcIP = ip
	ev.SetAttr(normalize.AttrSourceHost, host)
	if f.vhost != "" {
		host, port := splitVhost(f.vhost)
		ev.SetAttr(attrVhost, host)
		if port >= 0 {
			ev.SetAttr(attrVhostPort, boxInt(port))
		}
	}
	if f.ident != "-" {
		ev.SetAttr(attrIdent, unescape(f.ident))
	}
	// Apache writes "" for an empty user name; that names nobody.
	if f.user != "-" && f.user != `""` {
		ev.Principal, ev.PrincipalType = unescape(f.user), principalType
	}

	if r, ok := splitRequest(f.request); ok {
		ev.Action = r.method
		path, query := pathQuery(r.target)
		ev.Resource, ev.ResourceType = normalize.PercentDecode(path), "url"
		if query != "" {
			// The query is kept as logged: the core replaces its credentials by handles and marks
			// attrs.query redacted. The first handle is the credential the request presented.
			ev.SetAttr(attrQuery, query)
			ev.Credential = normalize.QueryCredential(p.key, query)
		}
		if r.protocol != "" {
			ev.SetAttr(attrProtocol, boxProtocol(r.protocol))
		}
	} else if f.request != "-" {
		ev.SetAttr(attrRequest, f.request)
	}
	if len(f.unescapedQuotes) > 0 {
		ev.SetAttr(attrUnescapedQuotes, true)
		ev.SetAttr(attrUnescapedQuotesIn, f.unescapedQuotes)
	}
	if f.forwardedFor != "-" {
		ev.SetAttr(attrForwardedFor, f.forwardedFor)
	}
	if f.preRequest != "-" {
		ev.SetAttr(attrPreRequest, f.preRequest)
	}

	if f.status != "-" {
		code, _ := strconv.Atoi(f.status)
		ev.SetAttr(attrStatus, boxInt(code))
	}
	if f.size != "-" {
		n, _ := strconv.ParseInt(f.size, 10, 64)
		if n < int64(len(boxedInts)) {
			ev.SetAttr(attrBytes, boxInt(int(n)))
		} else {
			ev.SetAttr(attrBytes, n)
		}
	}
	if f.combined {
		if f.referrer != "-" {
			ev.SetAttr(attrReferrer, f.referrer)
		}
		if f.userAgent != "-" {
			ev.UserAgent = f.userAgent
		}
	}
	if len(f.trailing) > 0 {
		ev.SetAttr(attrExtra, f.trailing)
	}
	return ""
}

// outcome maps the status code: 1xx-3xx success, 4xx-5xx failure, anything else (000, "-") or
// nothing unknown. This is the convention of Elastic's ECS (event.outcome failure from 400 on):
// the request as the server answered it, so a 404 is a failed request even when the credential it
// carried was valid, and a 401 or 403 is a refused one.
func outcome(status string) normalize.Outcome {
	if len(status) != 3 {
		return normalize.Unknown
	}
	switch status[0] {
	case '1', '2', '3':
		return normalize.Success
	case '4', '5':
		return normalize.Failure
	}
	return normalize.Unknown
}

// clientAddress is normalize.SplitAddress with a fast path for the common case: an address
// already logged in canonical form (dotted IPv4, compressed lowercase IPv6) is returned as the
// logged text instead of a new string. TestClientAddress holds it to SplitAddress's answers.
func clientAddress(s string) (ip, host string) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" && !a.Is4In6() {
		if a.Is4() {
			return s, "" // netip refuses leading zeros, so what it accepts is canonical
		}
		var buf [64]byte
		if string(a.AppendTo(buf[:0])) == s {
			return s, ""
		}
	}
	return normalize.SplitAddress(s)
}

// splitVhost splits "host:port" (Apache's %v:%p) into its parts; port is -1 when there is none.
// A bare IPv6 address is a host, not host:port; a bracketed one may carry a port.
func splitVhost(v string) (host string, port int) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 || !allDigits(v[i+1:]) || len(v)-i-1 > 5 {
		return v, -1
	}
	h := v[:i]
	if strings.IndexByte(h, ':') >= 0 && !(h[0] == '[' && h[len(h)-1] == ']') {
		return v, -1
	}
	p, _ := strconv.Atoi(v[i+1:])
	if p > 65535 {
		return v, -1
	}
	return h, p
}

// boxedInts holds 0-999 as interface values: storing a status code or a common port in attrs
// then costs no allocation (Go boxes only 0-255 for free).
var boxedInts = func() (b [1000]any) {
	for i := range b {
		b[i] = i
	}
	return b
}()

func boxInt(n int) any {
	if n >= 0 && n < len(boxedInts) {
		return boxedInts[n]
	}
	return n
}

// boxProtocol returns the common protocol names as constants, which box without allocating.
func boxProtocol(p string) any {
	switch p {
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/1.0":
		return "HTTP/1.0"
	case "HTTP/2.0":
		return "HTTP/2.0"
	case "HTTP/2":
		return "HTTP/2"
	case "HTTP/3":
		return "HTTP/3"
	}
	return p
}
