package normalize

import "math/bits"

// keyValue handles a separator at i (= or :) after a credential-named key: key=value,
// key = value, key: value, key:value, "key": "value", and the escaped form \"key\": \"value\"
// that JSON text takes inside a JSON string (a log message that quotes a request body).
func (r *redactor) keyValue(i int) int {
	s := r.s
	sep := s[i]
	if sep == '=' && i+1 < len(s) && s[i+1] == '=' {
		return i // a comparison, not an assignment
	}
	end := i
	for end > 0 && isSpace(s[end-1]) {
		end--
	}
	quotedKey := end > 0 && (s[end-1] == '"' || s[end-1] == '\'')
	if quotedKey {
		end--
		for end > 0 && s[end-1] == '\\' {
			end--
		}
	}
	start := end
	for start > 0 && isKeyByte(s[start-1]) {
		start--
	}
	if start == end || quotedKey && (start == 0 || s[start-1] != '"' && s[start-1] != '\'') {
		return i
	}
	var buf [48]byte
	key := fold(&buf, s[start:end])
	if !credentialFolded(key) {
		return i
	}
	v := i + 1
	if sep == ':' && !quotedKey && (v >= len(s) || !isSpace(s[v])) && pathContext(s, start) {
		// arn:aws:secretsmanager:…:secret:name and image/sealed-secrets:0.24 name things.
		return i
	}
	for v < len(s) && isSpace(s[v]) {
		v++
	}
	if v < len(s) && s[v] == '[' { // Go's header dump: Authorization:[Bearer …]
		v++
	}
	if v >= len(s) || s[v] == '{' || s[v] == '[' {
		return i // a structure, whose own keys are looked at in turn
	}
	q, p, quoted := openQuote(s, v)
	if isAuthorizationKey(key) || !quoted && startsWithScheme(s, p) { // auth: Bearer x
		return r.authorization(v)
	}
	if !quoted {
		e := unquotedEnd(s, v)
		r.replace(v, e, unescapeValue(s[v:e]))
		return e
	}
	e := q.end(s, p)
	r.replace(p, e, q.decode(s[p:e]))
	return e
}

// unquotedEnd returns where an unquoted value starting at v ends: at a byte that ends values, an
// escaped quote or line break, or a ':' before a space, which starts the next "key: value"
// ("Auth: authorization: token x" is two of them).
func unquotedEnd(s string, v int) int {
	e := v
	for e < len(s) && !isValueEnd(s[e]) && !escapeEnd(s, e) && !(s[e] == ':' && (e+1 == len(s) || isSpace(s[e+1]))) {
		e++
	}
	return e
}

// pathContext reports whether the key starting at s[start] is a segment of a name (after ':' in
// an ARN, or after a '/' inside a word) rather than a key of its own.
func pathContext(s string, start int) bool {
	if start == 0 {
		return false
	}
	switch s[start-1] {
	case ':':
		return true
	case '/':
		return start >= 2 && !isSpace(s[start-2]) // but /password:x is a Windows-style option
	}
	return false
}

// isAuthorizationKey: Authorization, Proxy-Authorization, and the names proxies and CGI give
// them (X-Forwarded-Authorization, HTTP_AUTHORIZATION).
func isAuthorizationKey(folded []byte) bool { return hasSuffixBytes(folded, "authorization") }

// quoting is how a quoted value is delimited: its quote byte and the number of backslashes that
// escape the quote, 0 for "x" and 1 for \"x\" (a JSON string inside a JSON string).
type quoting struct {
	q  byte
	bs int
}

// openQuote reports whether a quoted value opens at s[v], and where its body starts.
func openQuote(s string, v int) (quoting, int, bool) {
	b := 0
	for v+b < len(s) && s[v+b] == '\\' {
		b++
	}
	if v+b >= len(s) {
		return quoting{}, v, false
	}
	switch c := s[v+b]; {
	case c == '"', c == '\'' && b == 0:
		return quoting{c, b}, v + b + 1, true
	}
	return quoting{}, v, false
}

// end returns the index of the closing quote sequence of the value whose body starts at p, or
// len(s) when it is not closed (the value then runs to the end, and is redacted all the same).
func (q quoting) end(s string, p int) int {
	e := p
	switch q.bs {
	case 0:
		for e < len(s) && s[e] != q.q {
			if s[e] == '\\' {
				e++
			}
			e++
		}
	case 1:
		// Decode the outer string a pair at a time: \" closes, \\ is the inner string's escape
		// character and protects the next decoded character, and a bare " ends the outer string.
		for e < len(s) {
			c := s[e]
			if c == q.q {
				return e
			}
			if c != '\\' {
				e++
				continue
			}
			if e+1 >= len(s) {
				return len(s)
			}
			switch s[e+1] {
			case q.q:
				return e
			case '\\':
				e += 2
				if e+1 < len(s) && s[e] == '\\' {
					e += 2
				} else if e < len(s) {
					e++
				}
			default:
				e += 2
			}
		}
	default:
		// Deeper nesting is rare: close at a quote escaped as deeply as the opening one.
		for e < len(s) {
			if s[e] == q.q {
				return e
			}
			if s[e] != '\\' {
				e++
				continue
			}
			n := 0
			for e+n < len(s) && s[e+n] == '\\' {
				n++
			}
			if e+n < len(s) && s[e+n] == q.q && n <= q.bs {
				return e
			}
			e += n + 1
		}
	}
	if e > len(s) {
		e = len(s)
	}
	return e
}

// decode returns the value a quoted body stands for, so that the handle is the same whether the
// secret was logged plainly, JSON-escaped, or JSON-escaped twice.
func (q quoting) decode(body string) string {
	if q.q != '"' {
		return unescapeValue(body)
	}
	for n := bits.Len(uint(q.bs)) + 1; n > 0; n-- {
		body = jsonUnescape(body)
	}
	return unescapeValue(body)
}
