package accesslog

import "strings"

// request is the logged first line of an HTTP request (%r, $request), "GET /a?b=c HTTP/1.1".
type request struct {
	method, target, protocol string
}

// splitRequest splits a decoded request line. The method is the text before the first space and
// must be an HTTP token; the protocol is the last word when it starts with "HTTP/"; the target is
// everything between, spaces included: a server logs the line it received, and nginx logs a
// target with a raw space as it came. A line that is not METHOD SP TARGET [SP PROTOCOL] (a TLS
// handshake sent to a plain-HTTP port, an SSH banner, "-" for a connection that sent nothing)
// gives ok=false; the caller keeps the line itself, not a guess at its parts.
func splitRequest(line string) (r request, ok bool) {
	sp := strings.IndexByte(line, ' ')
	if sp <= 0 || !isToken(line[:sp]) {
		return r, false
	}
	r.method = line[:sp]
	rest := strings.Trim(line[sp+1:], " ")
	if rest == "" {
		return request{}, false
	}
	if j := strings.LastIndexByte(rest, ' '); j > 0 && strings.HasPrefix(rest[j+1:], "HTTP/") {
		r.protocol = rest[j+1:]
		rest = strings.TrimRight(rest[:j], " ")
	}
	r.target = rest
	return r, true
}

// pathQuery splits a request target at the first '?', as normalize.RequestQuery does for the
// JSON access-log mappings.
func pathQuery(target string) (path, query string) {
	if i := strings.IndexByte(target, '?'); i >= 0 {
		return target[:i], target[i+1:]
	}
	return target, ""
}

// isToken reports whether s is an RFC 9110 token (the grammar of a method).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) {
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

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
