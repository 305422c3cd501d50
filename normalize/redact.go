package normalize

import (
	"net/url"
	"strings"
)

// Redact replaces every credential value it recognises in s by its sha256 handle and returns the
// new text with the handles, in order of appearance. It is the guard that keeps raw secrets out
// of the case store: the ingest core runs it over every free-text field of every event and over
// reject snippets, and ingesters call it where they want the handle as the event's credential.
//
// It recognises: values of credential-named parameters (access_token=…, "password": "…",
// X-Amz-Security-Token=…), Authorization/Bearer/Basic schemes, user:password@ in URLs, JWTs, and
// tokens with a published vendor prefix (hf_, ghp_, github_pat_, glpat-, xoxb-, sk-, AIza, …).
// AWS access key ids (AKIA…/ASIA…) are identifiers, not secrets, and are left alone. Values that
// are already handles or are placeholders (****, REDACTED, HIDDEN_DUE_TO_SECURITY_REASONS) are
// left alone too, so redacted exports never gain an invented handle.
func Redact(s string) (string, []string) {
	var r redactor
	r.s = s
	r.run()
	if r.out == nil {
		return s, nil
	}
	r.out = append(r.out, s[r.copied:]...)
	return string(r.out), r.handles
}

// RedactValue returns the handle for a value known to be a credential (an attribute named
// "password", say), or the value unchanged when it is empty, a handle or a placeholder.
func RedactValue(v string) (string, bool) {
	if !redactable(v) {
		return v, false
	}
	return TokenHandle(v), true
}

// IsCredentialName reports whether a field or parameter name says its value is a credential.
// Names are compared case-insensitively and without '-', '_' and '.'.
func IsCredentialName(name string) bool {
	// Folded into a stack buffer: this runs for every attribute of every event.
	var buf [48]byte
	if len(name) > len(buf) {
		_, ok := credentialNames[foldName(name)]
		return ok
	}
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	_, ok := credentialNames[string(buf[:n])]
	return ok
}

// credentialNames are parameter and field names whose value is a credential wherever they appear.
var credentialNames = map[string]struct{}{
	"token": {}, "accesstoken": {}, "refreshtoken": {}, "idtoken": {}, "authtoken": {},
	"apitoken": {}, "apikey": {}, "xapikey": {}, "clientsecret": {}, "secretkey": {},
	"secretaccesskey": {}, "awssecretaccesskey": {}, "sessiontoken": {}, "awssessiontoken": {},
	"securitytoken": {}, "xamzsecuritytoken": {}, "xamzsignature": {}, "signature": {}, "sig": {},
	"password": {}, "passwd": {}, "pwd": {}, "privatetoken": {}, "xauthtoken": {},
	"authorization": {}, "proxyauthorization": {}, "privatekey": {}, "bearertoken": {},
	"jwt": {}, "hftoken": {}, "githubtoken": {}, "ghtoken": {}, "oauthtoken": {}, "secret": {},
}

// vendorPrefixes are published token prefixes; a match needs at least min body characters drawn
// from body, starting at a word boundary.
var vendorPrefixes = []struct {
	prefix string
	min    int
	body   string
}{
	{"github_pat_", 40, alnum + "_"},
	{"ghp_", 30, alnum}, {"gho_", 30, alnum}, {"ghu_", 30, alnum}, {"ghs_", 30, alnum}, {"ghr_", 30, alnum},
	{"hf_", 30, alnum},
	{"glpat-", 20, alnum + "_-"},
	{"xoxb-", 10, alnum + "-"}, {"xoxp-", 10, alnum + "-"}, {"xoxa-", 10, alnum + "-"},
	{"xoxr-", 10, alnum + "-"}, {"xoxs-", 10, alnum + "-"},
	{"sk_live_", 16, alnum}, {"rk_live_", 16, alnum}, {"sk_test_", 16, alnum},
	{"sk-", 32, alnum + "_-"},
	{"AIza", 35, alnum + "_-"},
	{"npm_", 36, alnum},
	{"pypi-", 50, alnum + "_-"},
	{"hvs.", 20, alnum + "_-"}, {"hvb.", 20, alnum + "_-"},
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

type redactor struct {
	s       string
	out     []byte // nil until the first replacement
	copied  int    // s[:copied] is already in out
	handles []string
}

// replace substitutes s[from:to] (a raw value) with the handle of value.
func (r *redactor) replace(from, to int, value string) {
	if !redactable(value) {
		return
	}
	if r.out == nil {
		r.out = make([]byte, 0, len(r.s)+64)
	}
	h := TokenHandle(value)
	r.out = append(r.out, r.s[r.copied:from]...)
	r.out = append(r.out, h...)
	r.copied = to
	r.handles = append(r.handles, h)
}

func (r *redactor) run() {
	s := r.s
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '=' || c == ':':
			if j := r.keyValue(i); j > i {
				i = j
				continue
			}
			if c == ':' && strings.HasPrefix(s[i:], "://") {
				if j := r.userinfo(i + 3); j > i {
					i = j
					continue
				}
			}
		case (c == 'B' || c == 'b') && wordStart(s, i):
			if j := r.scheme(i); j > i {
				i = j
				continue
			}
		case wordStart(s, i) && isTokenStartByte(c):
			if j := r.prefixed(i); j > i {
				i = j
				continue
			}
		}
		i++
	}
}

// keyValue handles a separator at i: key=value, key: value, "key": "value".
func (r *redactor) keyValue(i int) int {
	s := r.s
	quotedKey := i > 0 && s[i-1] == '"'
	end := i
	if quotedKey {
		end = i - 1
	}
	start := end
	for start > 0 && isKeyByte(s[start-1]) {
		start--
	}
	if start == end || (quotedKey && (start == 0 || s[start-1] != '"')) {
		return i
	}
	key := foldName(s[start:end])
	if _, ok := credentialNames[key]; !ok {
		return i
	}
	v := i + 1
	if s[i] == ':' {
		// "secret:name" inside an ARN is a name, not a credential: require "key": or key: value.
		if !quotedKey && (v >= len(s) || (s[v] != ' ' && s[v] != '\t')) {
			return i
		}
	}
	for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
		v++
	}
	if v >= len(s) {
		return i
	}
	if key == "authorization" || key == "proxyauthorization" {
		if j := r.scheme(v); j > v {
			return j
		}
	}
	if s[v] == '"' || s[v] == '\'' {
		q := s[v]
		e := v + 1
		for e < len(s) && s[e] != q {
			if s[e] == '\\' {
				e++
			}
			e++
		}
		if e > len(s) {
			e = len(s)
		}
		r.replace(v+1, e, unescapeValue(s[v+1:e]))
		return e
	}
	e := v
	for e < len(s) && !isValueEnd(s[e]) {
		e++
	}
	r.replace(v, e, unescapeValue(s[v:e]))
	return e
}

// scheme handles "Bearer <token>" and "Basic <blob>" starting at i.
func (r *redactor) scheme(i int) int {
	s := r.s
	var n int
	switch {
	case hasFoldPrefix(s[i:], "bearer "):
		n = len("bearer ")
	case hasFoldPrefix(s[i:], "basic "):
		n = len("basic ")
	case strings.HasPrefix(s[i:], "token "):
		n = len("token ")
	default:
		return i
	}
	v := i + n
	for v < len(s) && s[v] == ' ' {
		v++
	}
	e := v
	for e < len(s) && isTokenByte(s[e]) {
		e++
	}
	if e < len(s) && s[e] == ':' { // "Bearer sha256:…" is already redacted: keep it, and the scheme word
		h := e + 1
		for h < len(s) && isTokenByte(s[h]) {
			h++
		}
		if _, _, ok := SplitHandle(s[v:h]); ok {
			return h
		}
	}
	if e-v < 8 { // "Basic realm" and prose are not credentials
		return i
	}
	r.replace(v, e, s[v:e])
	return e
}

// userinfo handles the password of scheme://user:password@host, i at the start of user.
func (r *redactor) userinfo(i int) int {
	s := r.s
	colon := -1
	for j := i; j < len(s); j++ {
		switch s[j] {
		case ':':
			if colon < 0 {
				colon = j
			}
		case '@':
			if colon < 0 || j == colon+1 {
				return i
			}
			r.replace(colon+1, j, unescapeValue(s[colon+1:j]))
			return j
		case '/', '?', '#', ' ', '"', '\'', '\n':
			return i
		}
	}
	return i
}

// prefixed handles vendor-prefixed tokens and JWTs starting at i.
func (r *redactor) prefixed(i int) int {
	s := r.s
	if strings.HasPrefix(s[i:], "eyJ") {
		if e := jwtEnd(s, i); e > i {
			r.replace(i, e, s[i:e])
			return e
		}
		return i
	}
	for _, p := range vendorPrefixes {
		if !strings.HasPrefix(s[i:], p.prefix) {
			continue
		}
		e := i + len(p.prefix)
		for e < len(s) && strings.IndexByte(p.body, s[e]) >= 0 {
			e++
		}
		if e-i-len(p.prefix) >= p.min && (e == len(s) || !isWordByte(s[e])) {
			r.replace(i, e, s[i:e])
			return e
		}
	}
	return i
}

// jwtEnd returns the end of a JWT (three base64url parts, the signature possibly empty) at i.
func jwtEnd(s string, i int) int {
	e := i
	for part := 0; part < 3; part++ {
		start := e
		for e < len(s) && (isAlnum(s[e]) || s[e] == '-' || s[e] == '_') {
			e++
		}
		if part < 2 && e-start < 10 {
			return i
		}
		if part < 2 {
			if e >= len(s) || s[e] != '.' {
				return i
			}
			e++
		}
	}
	return e
}

// redactable reports whether v is a real value rather than nothing, a handle or a placeholder.
func redactable(v string) bool {
	if v == "" || v == "-" {
		return false
	}
	if _, _, ok := SplitHandle(v); ok {
		return false
	}
	switch strings.ToLower(v) {
	case "null", "none", "redacted", "[redacted]", "<redacted>", "(redacted)", "hidden",
		"hidden_due_to_security_reasons", "true", "false", "undefined", "[filtered]":
		return false
	}
	return strings.Trim(v, "*xX•.") != ""
}

// unescapeValue decodes percent-encoding so the handle is that of the token the user holds.
func unescapeValue(v string) string {
	if strings.IndexByte(v, '%') < 0 {
		return v
	}
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

func foldName(name string) string {
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.':
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func hasFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func wordStart(s string, i int) bool { return i == 0 || !isWordByte(s[i-1]) }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

func isKeyByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// isTokenStartByte is a cheap filter: the first bytes of every vendor prefix and of "eyJ".
func isTokenStartByte(c byte) bool {
	switch c {
	case 'g', 'h', 'x', 's', 'r', 'A', 'n', 'p', 'e':
		return true
	}
	return false
}

func isTokenByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-._~+/=", c) >= 0
}

func isValueEnd(c byte) bool {
	switch c {
	case '&', ' ', '\t', '\r', '\n', '"', '\'', ',', ';', '#', '<', '>', '}', ']', ')':
		return true
	}
	return false
}
