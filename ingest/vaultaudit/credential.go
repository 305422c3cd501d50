package vaultaudit

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// hmacPrefix marks a value the audit device replaced by its salted HMAC.
const hmacPrefix = "hmac-sha256:"

// tokenHandle returns the handle of a token-valued field as Vault logged it: an HMAC becomes
// vault-hmac:<hex>, the same token under the same audit salt giving the same handle; a raw token
// (a device with log_raw) becomes the sha256 handle of the value, so the token itself is never
// stored. A placeholder (****, "redacted") yields no handle and redacted=true: a redacted export
// must not gain an invented credential.
func tokenHandle(key *normalize.HandleKey, v string) (h string, redacted bool) {
	if v == "" {
		return "", false
	}
	if hex, ok := strings.CutPrefix(v, hmacPrefix); ok {
		if isHMACHex(hex) {
			return normalize.Handle(normalize.SchemeVaultHMAC, hex), false
		}
		return "", true // a cut or altered HMAC identifies nothing
	}
	if h, ok := key.RedactValue(v); ok {
		return h, false
	}
	return "", true
}

// accessorValue returns what an accessor field can be kept as. An HMAC becomes a vault-hmac
// handle like a token; a plain accessor (a device with hmac_accessor=false) is an identifier
// that cannot authenticate, so it is kept as logged; a placeholder is dropped.
func accessorValue(v string) string {
	if v == "" {
		return ""
	}
	if hex, ok := strings.CutPrefix(v, hmacPrefix); ok {
		if isHMACHex(hex) {
			return normalize.Handle(normalize.SchemeVaultHMAC, hex)
		}
		return ""
	}
	if strings.Trim(v, "*") == "" || strings.EqualFold(v, "redacted") {
		return ""
	}
	return v
}

// isHMACHex reports whether s is the hex form of an HMAC-SHA256 as Vault writes it: 64 lowercase
// hex digits.
func isHMACHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
