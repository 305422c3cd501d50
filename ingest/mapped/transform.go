package mapped

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// A transform turns the text a field read into the text it stores. Transforms run in the order
// the mapping lists them; the time conversions (timeconv.go) can only come last, in the time
// field.

type transform interface {
	apply(s string) (string, error)
}

// bareTransforms are the transforms written as a bare name.
var bareTransforms = map[string]transform{
	"lowercase":        lowercase{},
	"uppercase":        uppercase{},
	"trim":             trim{},
	"percent_decode":   percentDecode{},
	"number":           toNumber{},
	"sha256":           tokenHandle{},
	"query_credential": queryCredential{},
	"epoch_s":          nil, // time conversions: compiled into the time field's conversion
	"epoch_ms":         nil,
	"epoch_us":         nil,
	"epoch_ns":         nil,
}

// knownTransforms lists every transform, for messages.
const knownTransforms = "lowercase, uppercase, trim, percent_decode, number, epoch_s, epoch_ms, epoch_us, epoch_ns, time, regex, map, sha256, query_credential"

type lowercase struct{}

func (lowercase) apply(s string) (string, error) { return strings.ToLower(s), nil }

type uppercase struct{}

func (uppercase) apply(s string) (string, error) { return strings.ToUpper(s), nil }

type trim struct{}

func (trim) apply(s string) (string, error) { return strings.TrimSpace(s), nil }

// percentDecode decodes the %XX escapes (RFC 3986) of a URL path, as ingest/accesslog does for
// the paths of text access logs, so that one request reads the same from either. '+' stays a
// plus (it is a space only in a form-encoded query), and a '%' not followed by two hex digits is
// kept as logged: servers log what the client sent, well-formed or not.
type percentDecode struct{}

func (percentDecode) apply(s string) (string, error) { return normalize.PercentDecode(s), nil }

// toNumber marks an attribute's text as a number: the attribute is stored as a JSON number when
// the text is a plain decimal ("200", "0.004", "-1"), so that a log that quotes its numbers
// ("status":"200") gives the same attribute as one that does not. Any other text ("-") is kept
// as logged, as text. It is only for attributes, last; build.go does the storing.
type toNumber struct{}

func (toNumber) apply(s string) (string, error) { return s, nil }

// isDecimal reports whether s is a JSON number without an exponent.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (len(whole) > 1 && whole[0] == '0') {
		return false
	}
	return !hasFrac || (frac != "" && allDigits(frac))
}

// tokenHandle replaces a raw credential by its sha256 handle, which the field's evaluation then
// turns into the case's keyed handle (fieldPlan.hashes), the only form breachline keeps. A
// value that is already a handle stays as it is; a placeholder (REDACTED, ****) becomes nothing,
// so that it is never mistaken for the hash of a real token.
type tokenHandle struct{}

func (tokenHandle) apply(s string) (string, error) {
	if h, ok := normalize.RedactValue(s); ok {
		return h, nil
	}
	if _, _, ok := normalize.SplitHandle(s); ok {
		return s, nil
	}
	return "", nil
}

// queryCredential reads its text as a request target or URL ("/a?access_token=…",
// "https://h/a?…") and gives the handle of the credential its query presented, found as the text
// access-log format finds it (normalize.QueryCredential): the same parameter names and token
// shapes, the same handle. A text without '?' has no query and gives nothing, so a token in the
// path is not taken for the request's credential. Like sha256 it must be last, and the field's
// evaluation turns its sha256 handle into the case's keyed one.
type queryCredential struct{}

func (queryCredential) apply(s string) (string, error) {
	return normalize.QueryCredential(nil, normalize.RequestQuery(s)), nil
}

// makesHandle reports whether t gives a handle (sha256, query_credential): it must be the last
// transform, and what it gives is keyed with the case's key.
func makesHandle(t transform) bool {
	switch t.(type) {
	case tokenHandle, queryCredential:
		return true
	}
	return false
}

// capture keeps the first capture group of the first match; no match leaves the field empty.
type capture struct{ re *regexp.Regexp }

func (c capture) apply(s string) (string, error) {
	m := c.re.FindStringSubmatchIndex(s)
	if m == nil || m[2] < 0 {
		return "", nil
	}
	return s[m[2]:m[3]], nil
}

// table looks the value up. A value that is not in the table takes the default; without one the
// record is rejected, naming the value: a category, say, is never guessed.
type table struct {
	m      map[string]string
	def    string
	hasDef bool
	where  string // file:line of the table, for the reject reason
}

func (t *table) apply(s string) (string, error) {
	if v, ok := t.m[s]; ok {
		return v, nil
	}
	if t.hasDef {
		return t.def, nil
	}
	return "", fmt.Errorf("value %s is not in the map at %s, which has no default", quoteValue(s), t.where)
}

// quoteValue quotes a value read from a record for a reject reason, cut to a readable length.
func quoteValue(s string) string {
	const max = 120
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
	}
	return fmt.Sprintf("%q", s)
}
