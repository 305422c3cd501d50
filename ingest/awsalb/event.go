package awsalb

import (
	"strconv"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Attribute keys of aws-alb events, documented in FORMAT.md.
const (
	attrType                   = "type"
	attrELB                    = "elb"
	attrClientPort             = "client_port"
	attrTarget                 = "target"
	attrTargetIP               = "target_ip"
	attrTargetPort             = "target_port"
	attrRequestProcessingTime  = "request_processing_time"
	attrTargetProcessingTime   = "target_processing_time"
	attrResponseProcessingTime = "response_processing_time"
	attrELBStatusCode          = "elb_status_code"
	attrTargetStatusCode       = "target_status_code"
	attrReceivedBytes          = "received_bytes"
	attrSentBytes              = "sent_bytes"
	attrRequest                = "request"
	attrScheme                 = "scheme"
	attrHost                   = "host"
	attrPort                   = "port"
	attrQuery                  = "query"
	attrProtocol               = "protocol"
	attrSSLCipher              = "ssl_cipher"
	attrSSLProtocol            = "ssl_protocol"
	attrTargetGroupARN         = "target_group_arn"
	attrTraceID                = "trace_id"
	attrDomainName             = "domain_name"
	attrChosenCertARN          = "chosen_cert_arn"
	attrMatchedRulePriority    = "matched_rule_priority"
	attrRequestCreationTime    = "request_creation_time"
	attrActionsExecuted        = "actions_executed"
	attrRedirectURL            = "redirect_url"
	attrErrorReason            = "error_reason"
	attrTargetList             = "target_list"
	attrTargetStatusCodeList   = "target_status_code_list"
	attrClassification         = "classification"
	attrClassificationReason   = "classification_reason"
	attrConnTraceID            = "conn_trace_id"
	attrExtra                  = "extra"
)

// toEvent fills ev from p.f; the reason is non-empty when the record cannot become an event.
func (p *parser) toEvent(ev *normalize.Event) (reason string) {
	f := p.f
	if !knownType(f[fType]) {
		return "unknown request type " + strconv.Quote(f[fType])
	}
	// ALB writes UTC with a Z; a time without a zone is refused, never assumed.
	t, basis, err := normalize.ParseRFC3339(f[fTime], nil)
	if err != nil {
		return "bad time " + strconv.Quote(f[fTime]) + ": not an RFC 3339 timestamp with a zone"
	}
	status := f[fELBStatusCode]
	if status != "-" && !isStatus(status) {
		return "bad elb_status_code " + strconv.Quote(status)
	}
	ev.Time, ev.TimeRaw, ev.TZBasis = t, f[fTime], basis
	ev.Category = normalize.HTTPRequest
	ev.Outcome = outcome(status)
	ev.SetAttr(attrType, f[fType])
	ev.SetAttr(attrELB, f[fELB])

	if ip, port, host := splitHostPort(f[fClient]); ip != "" || host != "" {
		ev.SrcIP = ip
		ev.SetAttr(normalize.AttrSourceHost, host)
		if port >= 0 {
			ev.SetAttr(attrClientPort, port)
		}
	}
	if v := f[fTarget]; v != "-" {
		ip, port, host := splitHostPort(v)
		if ip != "" {
			ev.SetAttr(attrTargetIP, ip)
			if port >= 0 {
				ev.SetAttr(attrTargetPort, port)
			}
		} else {
			ev.SetAttr(attrTarget, host) // a Lambda target or a shape not known: as logged
		}
	}
	for _, d := range [...]struct {
		i   int
		key string
	}{
		{fRequestProcessingTime, attrRequestProcessingTime},
		{fTargetProcessingTime, attrTargetProcessingTime},
		{fResponseProcessingTime, attrResponseProcessingTime},
	} {
		if why := p.seconds(ev, d.i, d.key); why != "" {
			return why
		}
	}
	if status != "-" {
		n, _ := strconv.Atoi(status)
		ev.SetAttr(attrELBStatusCode, n)
	}
	if v := f[fTargetStatusCode]; v != "-" {
		if !isStatus(v) {
			return "bad target_status_code " + strconv.Quote(v)
		}
		n, _ := strconv.Atoi(v)
		ev.SetAttr(attrTargetStatusCode, n)
	}
	for _, d := range [...]struct {
		i   int
		key string
	}{{fReceivedBytes, attrReceivedBytes}, {fSentBytes, attrSentBytes}} {
		if v := f[d.i]; v != "-" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return "bad " + fieldNames[d.i] + " " + strconv.Quote(v)
			}
			ev.SetAttr(d.key, n)
		}
	}
	p.request(ev, f[fRequest])
	if v := f[fUserAgent]; v != "-" {
		ev.UserAgent = v
	}
	p.text(ev, fSSLCipher, attrSSLCipher)
	p.text(ev, fSSLProtocol, attrSSLProtocol)
	p.text(ev, fTargetGroupARN, attrTargetGroupARN)
	p.text(ev, fTraceID, attrTraceID)
	p.text(ev, fDomainName, attrDomainName)
	p.text(ev, fChosenCertARN, attrChosenCertARN)
	if len(f) > fMatchedRulePriority {
		if v := f[fMatchedRulePriority]; v != "-" {
			if n, err := strconv.Atoi(v); err == nil {
				ev.SetAttr(attrMatchedRulePriority, n)
			} else {
				ev.SetAttr(attrMatchedRulePriority, v)
			}
		}
	}
	p.text(ev, fRequestCreationTime, attrRequestCreationTime)
	p.list(ev, fActionsExecuted, attrActionsExecuted, ",")
	p.text(ev, fRedirectURL, attrRedirectURL)
	p.text(ev, fErrorReason, attrErrorReason)
	p.list(ev, fTargetList, attrTargetList, " ")
	p.list(ev, fTargetStatusCodeList, attrTargetStatusCodeList, " ")
	p.text(ev, fClassification, attrClassification)
	p.text(ev, fClassificationReason, attrClassificationReason)
	p.text(ev, fConnTraceID, attrConnTraceID)
	if len(f) > nKnown {
		ev.SetAttr(attrExtra, append([]string(nil), f[nKnown:]...))
	}
	return ""
}

// request maps the quoted request line, "GET https://host:443/path?q HTTP/1.1": the method is
// the action, the path and query as logged the resource. ALB writes "- - - " for a request it
// could not read, which is kept as logged with no action.
func (p *parser) request(ev *normalize.Event, line string) {
	method, rest, ok := strings.Cut(line, " ")
	if !ok || method == "-" || !isToken(method) {
		if line != "-" {
			ev.SetAttr(attrRequest, line)
		}
		return
	}
	rest = strings.Trim(rest, " ")
	if j := strings.LastIndexByte(rest, ' '); j > 0 && strings.HasPrefix(rest[j+1:], "HTTP/") {
		ev.SetAttr(attrProtocol, rest[j+1:])
		rest = strings.TrimRight(rest[:j], " ")
	}
	if rest == "" || rest == "-" {
		ev.SetAttr(attrRequest, line)
		return
	}
	ev.Action = method
	target := rest
	if scheme, after, ok := strings.Cut(rest, "://"); ok && isToken(scheme) {
		ev.SetAttr(attrScheme, scheme)
		authority := after
		target = "/"
		if k := strings.IndexAny(after, "/?"); k >= 0 {
			authority, target = after[:k], after[k:]
			if target[0] == '?' {
				target = "/" + target
			}
		}
		host, port := authority, -1
		if k := strings.LastIndexByte(authority, ':'); k >= 0 && !strings.HasSuffix(authority, "]") {
			if n, err := strconv.Atoi(authority[k+1:]); err == nil && n >= 0 && n <= 65535 {
				host, port = authority[:k], n
			}
		}
		ev.SetAttr(attrHost, strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if port >= 0 {
			ev.SetAttr(attrPort, port)
		}
	}
	ev.Resource, ev.ResourceType = target, "url"
	if _, query, ok := strings.Cut(target, "?"); ok && query != "" {
		// The query is kept as logged: the core replaces its credentials by handles. The first
		// handle is the credential the request presented, as access-log takes it.
		ev.SetAttr(attrQuery, query)
		if _, handles := p.key.Redact(query); len(handles) > 0 {
			ev.Credential = handles[0]
		}
	}
}

// seconds stores a processing time; -1 (ALB could not dispatch, or the target closed the
// connection) is kept, as it says so.
func (p *parser) seconds(ev *normalize.Event, i int, key string) string {
	v := p.f[i]
	if v == "-" {
		return ""
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return "bad " + fieldNames[i] + " " + strconv.Quote(v)
	}
	ev.SetAttr(key, n)
	return ""
}

// text stores field i, when the line has it and it is not "-".
func (p *parser) text(ev *normalize.Event, i int, key string) {
	if i < len(p.f) && p.f[i] != "-" {
		ev.SetAttr(key, p.f[i])
	}
}

// list stores field i split at sep.
func (p *parser) list(ev *normalize.Event, i int, key, sep string) {
	if i < len(p.f) && p.f[i] != "-" && p.f[i] != "" {
		ev.SetAttr(key, strings.Split(p.f[i], sep))
	}
}

// splitHostPort reads ALB's ip:port. ALB writes IPv6 addresses without brackets and always
// with a port, so the port is after the last ':'.
func splitHostPort(v string) (ip string, port int, host string) {
	if v == "-" || v == "" {
		return "", -1, ""
	}
	if k := strings.LastIndexByte(v, ':'); k > 0 && !strings.HasSuffix(v, "]") {
		if n, err := strconv.Atoi(v[k+1:]); err == nil && n >= 0 && n <= 65535 && allDigits(v[k+1:]) {
			if ip, host := normalize.SplitAddress(v[:k]); ip != "" {
				return ip, n, ""
			} else if host != "" && !strings.Contains(host, ":") {
				return "", n, host
			}
		}
	}
	ip, host = normalize.SplitAddress(v)
	return ip, -1, host
}

// outcome maps the status code as access-log does: 1xx-3xx success, 4xx-5xx failure, "-" (no
// response was sent) or anything else unknown.
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

func isStatus(s string) bool { return len(s) == 3 && allDigits(s) }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isToken reports whether s is an RFC 9110 token (the grammar of a method and a scheme).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		switch c {
		case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
			continue
		}
		return false
	}
	return true
}
