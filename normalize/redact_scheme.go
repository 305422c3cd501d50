package normalize

import "strings"

// authorization handles the value of an Authorization or Proxy-Authorization header starting at
// v. What follows the scheme word is a credential whatever its length: "Bearer abc" is a
// three-character token, not prose. Without a scheme word the value itself is the credential
// (some APIs take a bare key). Schemes with parameters (Digest username="…", response="…";
// AWS4-HMAC-SHA256 Credential=…, Signature=…) lose the whole header value, and a word that is
// not a scheme is redacted along with what follows it.
//
// Words and tokens end on their own at a quote or a line break, so the end of the header is
// looked for only when the value runs to it: the scan stays linear in hostile input.
func (r *redactor) authorization(v int) int {
	s := r.s
	q, p, quoted := openQuote(s, v)
	if h := handleEnd(s, p); h > p {
		return h
	}
	w := p
	for {
		for w < len(s) && isSchemeByte(s[w]) {
			w++
		}
		n := schemeSep(s, w, len(s))
		if w > p && n == 0 && (w == len(s) || isValueEnd(s[w]) || escapeEnd(s, w)) && knownAuthScheme(s[p:w]) {
			return w // a scheme word and no credential ("Authorization: Basic" in a challenge)
		}
		if w == p || n == 0 {
			break
		}
		known := knownAuthScheme(s[p:w])
		if !known && quoted {
			break
		}
		c := w + n
		if h := handleEnd(s, c); h > c {
			return h
		}
		e := c
		for e < len(s) && (isTokenByte(s[e]) || s[e] == '%') {
			e++
		}
		if e == c {
			if known {
				return w
			}
			break
		}
		if known && knownAuthScheme(s[c:e]) && schemeSep(s, e, len(s)) > 0 {
			p, w = c, c // "Bearer Bearer x": the credential is after the last scheme word
			continue
		}
		if !known {
			// A bare key followed by more text, or a scheme we do not know: both words go.
			r.replace(p, w, s[p:w])
			if startsWithScheme(s, c) {
				p, w = c, c // "Authorization: x Bearer y"
				continue
			}
			if !isAlnum(s[c]) {
				return w // "password = x", "mysql -px": the scan goes on to their own detectors
			}
		}
		if authParam(s[c:e]) || strings.IndexByte(strings.TrimRight(s[c:e], "="), '=') >= 0 {
			e = trimEnd(s, c, headerEnd(s, c, q, quoted)) // parameters: all of them
		}
		r.replace(c, e, unescapeValue(s[c:e]))
		return e
	}
	// No scheme: the value is the credential, a quoted value whole, an unquoted one up to where
	// a value ends or a nested "Key: value" starts.
	if quoted {
		e := q.end(s, p)
		r.replace(p, e, q.decode(s[p:e]))
		return e
	}
	e := unquotedEnd(s, p)
	r.replace(p, e, unescapeValue(s[p:e]))
	return e
}

// startsWithScheme reports whether the value at p starts with an authentication scheme word and
// its separator, as the value of a credential-named key other than Authorization may.
func startsWithScheme(s string, p int) bool {
	w := p
	for w < len(s) && w-p <= 24 && isSchemeByte(s[w]) {
		w++
	}
	return w > p && schemeSep(s, w, len(s)) > 0 && knownAuthScheme(s[p:w])
}

// headerEnd returns where a header value starting at p ends: at its closing quote when quoted,
// else at the end of the line (a real line break or an escaped \r or \n), or at a quote that
// closes the string the header was logged in; the quotes of parameters (realm="x") pair up.
func headerEnd(s string, p int, q quoting, quoted bool) int {
	if quoted {
		return q.end(s, p)
	}
	inParam := false
	for e := p; e < len(s); e++ {
		c, at := s[e], e // at: where the quote token (" or \") starts
		if c == '\\' && e+1 < len(s) {
			switch s[e+1] {
			case 'r', 'n':
				return e
			case '"':
				c = '"'
				e++
			}
		}
		switch c {
		case '\r', '\n':
			return e
		case '"':
			switch {
			case inParam:
				inParam = false
			case at > p && s[at-1] == '=':
				inParam = true
			default:
				return at
			}
		case ']':
			if !inParam {
				return e // Go's header dump: Authorization:[Bearer …]
			}
		}
	}
	return len(s)
}

// schemeSep returns the length of the separator after a scheme word at s[w]: spaces, or the
// URL-encoded %20 or + of a header that travelled in a query string; 0 when there is none.
func schemeSep(s string, w, end int) int {
	switch {
	case w < end && s[w] == ' ':
		n := 1
		for w+n < end && s[w+n] == ' ' {
			n++
		}
		return n
	case w+3 <= end && s[w:w+3] == "%20":
		return 3
	case w+1 < end && s[w] == '+' && isAlnum(s[w+1]):
		return 1
	}
	return 0
}

func trimEnd(s string, from, to int) int {
	for to > from && (s[to-1] == ' ' || s[to-1] == '\t') {
		to--
	}
	return to
}

func isSchemeByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// knownAuthScheme reports whether w names an HTTP authentication scheme (IANA's registry and
// the common vendor ones), compared case-insensitively.
func knownAuthScheme(w string) bool {
	var buf [24]byte
	if len(w) > len(buf) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	_, ok := authSchemes[string(buf[:len(w)])]
	return ok
}

var authSchemes = map[string]struct{}{
	"bearer": {}, "basic": {}, "token": {}, "digest": {}, "negotiate": {}, "ntlm": {},
	"kerberos": {}, "hoba": {}, "mutual": {}, "oauth": {}, "dpop": {}, "mac": {}, "hmac": {},
	"signature": {}, "aws4-hmac-sha256": {}, "goog4-rsa-sha256": {}, "goog4-hmac-sha256": {},
	"scram-sha-1": {}, "scram-sha-256": {}, "vapid": {}, "apikey": {}, "api-key": {}, "key": {},
	"sso-key": {}, "ssws": {}, "splunk": {}, "geniekey": {}, "bot": {}, "jwt": {}, "session": {},
	"privatetoken": {}, "concealed": {},
}

// scheme handles a free-standing "Bearer <token>" or "Basic <blob>" starting at i, in prose or
// a header we did not see the name of. Outside an Authorization header the word is often just a
// word ("Bearer authentication failed", Basic realm="x"), so the token must look like one.
func (r *redactor) scheme(i int) int {
	s := r.s
	var n int
	switch {
	case hasFoldPrefix(s[i:], "bearer "):
		n = len("bearer ")
	case hasFoldPrefix(s[i:], "basic "):
		n = len("basic ")
	default:
		return i
	}
	v := i + n
	for v < len(s) && s[v] == ' ' {
		v++
	}
	if h := handleEnd(s, v); h > v {
		return h
	}
	e := v
	for e < len(s) && isTokenByte(s[e]) {
		e++
	}
	for e > v && (s[e-1] == '.' || s[e-1] == ',') { // the end of a sentence
		e--
	}
	if authParam(s[v:e]) || !looksLikeToken(s[v:e]) {
		return i
	}
	if k := strings.LastIndexByte(s[v:e], '='); k >= 0 && handleEnd(s, v+k+1) > v+k+1 {
		return i // key=<handle>, redacted already: the token run stopped at the handle's ':'
	}
	r.replace(v, e, s[v:e])
	return e
}

// authParam reports whether t starts like a challenge parameter (realm=, error=, scope=): a
// lowercase name and '='. A token's base64 padding (dXNlcg==) does not.
func authParam(t string) bool {
	for k := 0; k < len(t); k++ {
		c := t[k]
		switch {
		case c == '=':
			return k > 0 && (k+1 == len(t) || t[k+1] != '=')
		case c >= 'a' && c <= 'z', c == '_':
		default:
			return false
		}
	}
	return false
}

// looksLikeToken: at least 8 characters with a digit, a base64 symbol or three inner capitals,
// which a random token has and a word or an identifier (secret_name, OAuthToken) does not.
func looksLikeToken(t string) bool {
	if len(t) < 8 {
		return false
	}
	caps := 0
	for k := 0; k < len(t); k++ {
		switch c := t[k]; {
		case c >= '0' && c <= '9', c == '+', c == '/', c == '=', c == '~':
			return true
		case k > 0 && c >= 'A' && c <= 'Z':
			caps++
		}
	}
	return caps >= 3
}
