package accesslog

import "strings"

// scanNginx splits an nginx log_format body into fields: $name or ${name}, the rest literal.
// The body is what nginx writes, without the quotes and line breaks of nginx.conf around it.
func scanNginx(format string) ([]rawField, error) {
	var out []rawField
	var lit strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '$' || i+1 >= len(format) {
			lit.WriteByte(c)
			continue
		}
		start := i
		var name string
		if format[i+1] == '{' {
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				return nil, &FormatError{Pos: start + 1, Directive: format[start:], Msg: "no closing '}'"}
			}
			name = format[i+2 : i+end]
			i += end
		} else {
			j := i + 1
			for j < len(format) && (isAlnum(format[j]) || format[j] == '_') {
				j++
			}
			name = format[i+1 : j]
			i = j - 1
		}
		directive := format[start : i+1]
		if name == "" {
			lit.WriteString(directive)
			continue
		}
		s, msg := nginxVariable(strings.ToLower(name))
		if msg != "" {
			return nil, &FormatError{Pos: start + 1, Directive: directive, Msg: msg}
		}
		s.directive = directive
		out = append(out, rawField{lit: lit.String(), step: s, pos: start + 1})
		lit.Reset()
	}
	return append(out, rawField{lit: lit.String()}), nil
}

// nginxVariable maps a variable to a field. Variables without a meaning of their own become
// attributes under their name ($request_time is attrs.request_time), request headers without
// the http_ prefix ($http_x_forwarded_for is attrs.x_forwarded_for, as Apache's
// %{X-Forwarded-For}i).
func nginxVariable(name string) (s step, msg string) {
	for _, c := range []byte(name) {
		if !isAlnum(c) && c != '_' {
			return s, "not a variable name"
		}
	}
	switch name {
	case "remote_addr":
		return step{role: roleClient}, ""
	case "remote_user":
		return step{role: roleUser}, ""
	case "time_local":
		return step{role: roleTime}, ""
	case "time_iso8601", "msec":
		return s, "only $time_local is supported as the time"
	case "request":
		return step{role: roleRequest}, ""
	case "status":
		return step{role: roleStatus}, ""
	case "body_bytes_sent":
		return step{role: roleBytes}, ""
	case "http_referer":
		return step{role: roleReferrer}, ""
	case "http_user_agent":
		return step{role: roleUserAgent}, ""
	case "host":
		return step{role: roleVhost}, ""
	case "server_port":
		return step{role: roleVhostPort, integer: true}, ""
	case "bytes_sent", "request_length", "connection", "connection_requests", "pid", "remote_port":
		if name == "remote_port" {
			return attrStep("", "client_port", true), ""
		}
		return attrStep("", name, true), ""
	}
	if h, ok := strings.CutPrefix(name, "http_"); ok && h != "" {
		return attrStep("", h, false), ""
	}
	return attrStep("", name, false), ""
}
