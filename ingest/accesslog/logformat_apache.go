package accesslog

import "strings"

// scanApache splits an Apache LogFormat string into fields. The string may be pasted as it
// stands in httpd.conf, with \" for a quote, \\ for a backslash and \t, \n as mod_log_config
// reads them; %% is a literal percent sign.
func scanApache(format string) ([]rawField, error) {
	var out []rawField
	var lit strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '\\' && i+1 < len(format) {
			switch format[i+1] {
			case '"', '\\':
				lit.WriteByte(format[i+1])
				i++
				continue
			case 't':
				lit.WriteByte('\t')
				i++
				continue
			case 'n':
				lit.WriteByte('\n')
				i++
				continue
			}
		}
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		start := i
		i++
		if i < len(format) && format[i] == '%' {
			lit.WriteByte('%')
			continue
		}
		mod := ""
		if i < len(format) && (format[i] == '>' || format[i] == '<') {
			mod = format[i : i+1]
			i++
		}
		arg := ""
		if i < len(format) && format[i] == '{' {
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				return nil, &FormatError{Pos: start + 1, Directive: format[start:], Msg: "no closing '}'"}
			}
			arg = format[i+1 : i+end]
			i += end + 1
		}
		if i >= len(format) {
			return nil, &FormatError{Pos: start + 1, Directive: format[start:], Msg: "the format ends inside a directive"}
		}
		directive := format[start : i+1]
		s, msg := apacheDirective(format[i], mod, arg)
		if msg != "" {
			return nil, &FormatError{Pos: start + 1, Directive: directive, Msg: msg}
		}
		s.directive = directive
		if s.role == roleTime {
			// %t writes its own brackets: they are literal text around the time.
			lit.WriteByte('[')
			out = append(out, rawField{lit: lit.String(), step: s, pos: start + 1})
			lit.Reset()
			lit.WriteByte(']')
			continue
		}
		out = append(out, rawField{lit: lit.String(), step: s, pos: start + 1})
		lit.Reset()
	}
	return append(out, rawField{lit: lit.String()}), nil
}

// apacheDirective maps one directive (its letter, < or > modifier and {argument}) to a field;
// msg says why it cannot be read.
func apacheDirective(letter byte, mod, arg string) (s step, msg string) {
	if mod != "" && letter != 's' {
		return s, "the < and > modifiers are supported on %s only"
	}
	switch letter {
	case 'h':
		return noArg(step{role: roleClient}, arg)
	case 'a':
		switch arg {
		case "":
			return step{role: roleClientIP}, ""
		case "c":
			return attrStep("", "peer_ip", false), ""
		}
	case 'A':
		return noArg(attrStep("", "local_ip", false), arg)
	case 'b', 'B':
		return noArg(step{role: roleBytes}, arg)
	case 'C':
		if arg != "" {
			return attrStep("", "cookie_"+snake(arg), false), ""
		}
	case 'D':
		return noArg(attrStep("", "duration_us", true), arg)
	case 'e':
		if arg != "" {
			return attrStep("", "env_"+snake(arg), false), ""
		}
	case 'f':
		return noArg(attrStep("", "filename", false), arg)
	case 'H':
		return noArg(attrStep("", "request_protocol", false), arg)
	case 'i':
		switch snake(arg) {
		case "":
		case "referer", "referrer":
			return step{role: roleReferrer}, ""
		case "user_agent":
			return step{role: roleUserAgent}, ""
		default:
			return attrStep("", snake(arg), false), ""
		}
	case 'I':
		return noArg(attrStep("", "bytes_received", true), arg)
	case 'k':
		return noArg(attrStep("", "keepalive_requests", true), arg)
	case 'l':
		return noArg(step{role: roleIdent}, arg)
	case 'L':
		return noArg(attrStep("", "log_id", false), arg)
	case 'm':
		return noArg(attrStep("", "method", false), arg)
	case 'n':
		if arg != "" {
			return attrStep("", "note_"+snake(arg), false), ""
		}
	case 'o':
		if arg != "" {
			return attrStep("", "sent_http_"+snake(arg), false), ""
		}
	case 'O':
		return noArg(attrStep("", "bytes_sent", true), arg)
	case 'p':
		switch arg {
		case "", "canonical":
			return step{role: roleVhostPort, integer: true}, ""
		case "local":
			return attrStep("", "local_port", true), ""
		case "remote":
			return attrStep("", "client_port", true), ""
		}
	case 'P':
		switch arg {
		case "", "pid":
			return attrStep("", "pid", true), ""
		case "tid":
			return attrStep("", "tid", true), ""
		}
	case 'q':
		return noArg(attrStep("", "query_string", false), arg)
	case 'r':
		return noArg(step{role: roleRequest}, arg)
	case 'R':
		return noArg(attrStep("", "handler", false), arg)
	case 's':
		return noArg(step{role: roleStatus}, arg)
	case 'S':
		return noArg(attrStep("", "bytes_transferred", true), arg)
	case 't':
		if arg != "" {
			return s, "only %t is supported: a strftime %{…}t time cannot be read"
		}
		return step{role: roleTime}, ""
	case 'T':
		switch arg {
		case "", "s":
			return attrStep("", "duration_s", true), ""
		case "ms":
			return attrStep("", "duration_ms", true), ""
		case "us":
			return attrStep("", "duration_us", true), ""
		}
	case 'u':
		return noArg(step{role: roleUser}, arg)
	case 'U':
		return noArg(attrStep("", "url_path", false), arg)
	case 'v':
		return noArg(step{role: roleVhost}, arg)
	case 'V':
		return noArg(attrStep("", "server_name", false), arg)
	case 'X':
		return noArg(attrStep("", "connection_status", false), arg)
	default:
		return s, "unknown or unsupported directive"
	}
	if arg == "" {
		return s, "needs an {argument}"
	}
	return s, "unsupported argument {" + arg + "}"
}

func noArg(s step, arg string) (step, string) {
	if arg != "" {
		return step{}, "takes no {argument}"
	}
	return s, ""
}
