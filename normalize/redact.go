package normalize

import (
	"encoding/json"
	"net/url"
	"strings"
)

// Redact replaces every credential value it recognises in s by its handle and returns the new
// text with the handles, in order of appearance. It is the guard that keeps raw secrets out of
// the case store: the ingest core runs it over every text field of every event and over reject
// snippets, and ingesters call it where they want the handle as the event's credential.
//
// Everything stored or printed is redacted with the case's key, HandleKey.Redact, whose handles
// are keyed (case-hmac:). This package-level form gives the unkeyed sha256: handles, an
// intermediate that nothing stores; the detectors are the same.
//
// It recognises:
//   - values of credential-named keys, by the rule of IsCredentialName: access_token=…,
//     DB_PASSWORD=…, password = …, "db_password": "…", Password:… (not inside an ARN), and the
//     same with escaped quotes as JSON shows inside a JSON string ({\"password\":\"…\"});
//   - Authorization and Proxy-Authorization values, whatever the scheme and however short the
//     credential, and free-standing "Bearer …"/"Basic …" tokens that look like tokens;
//   - the password of scheme://user:password@host, which may itself contain '@';
//   - command-line passwords: mysql -p…, curl -u user:…, sshpass -p …, --password …;
//   - PEM private key blocks, newlines real or escaped, replaced whole by the handle of the body;
//   - JWTs and tokens with a published vendor prefix (hf_, ghp_, github_pat_, glpat-, sk-, AIza, …).
//
// AWS access key ids (AKIA…/ASIA…) are identifiers, not secrets, and are left alone. Values that
// are already handles or are placeholders (****, REDACTED, HIDDEN_DUE_TO_SECURITY_REASONS) are
// left alone too, so redacted exports never gain an invented handle.
func Redact(s string) (string, []string) { return redactWith(nil, s) }

// redactWith is Redact with the handles of key (the unkeyed sha256 ones when key is nil).
func redactWith(key *HandleKey, s string) (string, []string) {
	var r redactor
	r.key = key
	if strings.Contains(s, pemBegin) {
		// Key blocks span lines and hold text every other detector would nibble at, so they go
		// first, and the rest of the scan sees their handles.
		r.s = s
		r.pemBlocks()
		if r.out != nil {
			s = string(append(r.out, s[r.copied:]...))
			r.out, r.copied = nil, 0
		}
	}
	pem := len(r.handles)
	r.s = s
	r.run()
	if r.out == nil {
		return s, r.handles
	}
	r.out = append(r.out, s[r.copied:]...)
	out := string(r.out)
	if pem > 0 && len(r.handles) > pem {
		// A key block's handle may have ended up inside a bigger value redacted whole.
		kept := r.handles[:0]
		for k, h := range r.handles {
			if k >= pem || strings.Contains(out, h) {
				kept = append(kept, h)
			}
		}
		r.handles = kept
	}
	return out, r.handles
}

// RedactValue returns the unkeyed handle for a value known to be a credential (an attribute named
// "password", say), or the value unchanged when it is empty, a handle or a placeholder. As with
// Redact, what is stored goes through HandleKey.RedactValue.
func RedactValue(v string) (string, bool) {
	if !redactable(v) {
		return v, false
	}
	return TokenHandle(v), true
}

type redactor struct {
	key     *HandleKey
	s       string
	out     []byte // nil until the first replacement
	copied  int    // s[:copied] is already in out
	handles []string
	tools   int // the tools named in the command line being scanned, see toolsBefore
	toolsAt int // s[:toolsAt] has been read for tool names
}

// replace substitutes s[from:to] (a raw value) with the handle of value.
func (r *redactor) replace(from, to int, value string) {
	if !redactable(value) {
		return
	}
	if r.out == nil {
		r.out = make([]byte, 0, len(r.s)+64)
	}
	h := r.handle(value)
	r.out = append(r.out, r.s[r.copied:from]...)
	r.out = append(r.out, h...)
	r.copied = to
	r.handles = append(r.handles, h)
}

// handle returns the handle of a raw value under the redactor's key.
func (r *redactor) handle(value string) string {
	if r.key == nil {
		return TokenHandle(value)
	}
	return r.key.Token(value)
}

// run scans s once. Each detector is tried only at the bytes that can start or separate its
// shape, so text without credentials costs a pass of cheap byte tests; a detector returns where
// the scan resumes (past what it consumed), or i when its shape is not there.
func (r *redactor) run() {
	s := r.s
	for i := 0; i < len(s); {
		c := s[i]
		j := i
		switch {
		case c == '=' || c == ':':
			j = r.keyValue(i)
			if j == i && c == ':' && strings.HasPrefix(s[i:], "://") {
				j = r.userinfo(i + 3)
			}
		case c == '-':
			j = r.option(i)
		case wordStart(s, i):
			if c == 'B' || c == 'b' {
				j = r.scheme(i)
			}
			if j == i && isTokenStartByte(c) {
				j = r.prefixed(i)
			}
		}
		if j > i {
			i = j
		} else {
			i++
		}
	}
}

// redactable reports whether v is a real value rather than nothing, a handle or a placeholder.
func redactable(v string) bool {
	if v == "" || v == "-" {
		return false
	}
	if handleEnd(v, 0) == len(v) || isVaultHMAC(v) {
		return false
	}
	switch strings.ToLower(v) {
	case "null", "none", "redacted", "[redacted]", "<redacted>", "(redacted)", "hidden",
		"hidden_due_to_security_reasons", "true", "false", "undefined", "[filtered]":
		return false
	}
	return strings.Trim(v, "*xX•.") != ""
}

// isVaultHMAC reports whether v is a value Vault's audit device already replaced by its HMAC
// (hmac-sha256:<hex>): not a secret, and the vault-hmac handle an inventory can match.
func isVaultHMAC(v string) bool {
	h, ok := strings.CutPrefix(v, "hmac-sha256:")
	return ok && len(h) == 64 && isLowerHex(h)
}

// handleEnd returns the end of the credential handle that starts at s[i], or i when there is
// none. A sha256 or keyed handle is exactly 64 hex digits, so one followed by more text (a
// handle a detector wrote into a longer token) still ends where the handle does.
func handleEnd(s string, i int) int {
	j := i
	for j < len(s) && j-i < 32 && (isAlnum(s[j]) || s[j] == '-') {
		j++
	}
	if j == i || j >= len(s) || s[j] != ':' {
		return i
	}
	e := j + 1
	for e < len(s) && isHandleByte(s[e]) {
		e++
	}
	if e == j+1 {
		return i
	}
	if CheckHandle(s[i:e]) == nil {
		return e
	}
	if e-(j+1) > 64 && CheckHandle(s[i:j+65]) == nil {
		return j + 65
	}
	return i
}

// isHandleByte: handle values are hex, base64, ids and resource names, never spaces or quotes.
func isHandleByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	return strings.IndexByte("\"'\\,;&<>{}[]()#", c) < 0
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

// jsonUnescape decodes the escapes of a JSON string body, or returns it as it is when it is not
// one; the handle of "p\"w" is that of p"w, the value the user typed.
func jsonUnescape(v string) string {
	if strings.IndexByte(v, '\\') < 0 {
		return v
	}
	var out string
	if json.Unmarshal([]byte(`"`+v+`"`), &out) != nil {
		return v
	}
	return out
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

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

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

// escapeEnd reports whether s[i] starts an escaped quote or line break (\" \n \r \t), which ends
// an unquoted value in text that is itself the inside of a JSON string.
func escapeEnd(s string, i int) bool {
	if s[i] != '\\' || i+1 >= len(s) {
		return false
	}
	switch s[i+1] {
	case '"', 'n', 'r', 't':
		return true
	}
	return false
}
