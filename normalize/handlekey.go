package normalize

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// SchemeKeyed is the scheme of the handles breachline stores for raw credential values: a keyed
// hash, so that a handle in a case shared with the other side cannot be reversed by hashing a
// dictionary of likely passwords. See HandleKey.
const SchemeKeyed = "case-hmac"

// HandleKeySize is the length of a case's handle key in bytes.
const HandleKeySize = 32

// HandleKey is a case's secret for turning raw credential values into handles. The handle of a
// raw value v is case-hmac:hex(HMAC-SHA256(key, SHA-256(v))). Keying the SHA-256 rather than v
// itself means the handle can also be derived from a plain sha256 of the value: a platform's
// inventory that lists tokens by sha256, the truth file of a test, or a case written before
// handles were keyed all map onto the same handle (FromSHA256) without the raw value.
//
// The key lives in the case (case_meta); two cases that must compare handles share it
// (`breachline init --handle-key FILE`). A nil *HandleKey is not usable: every path that stores
// or prints a credential has the case's key.
type HandleKey struct {
	key []byte
}

// NewHandleKey returns the key for the given bytes.
func NewHandleKey(key []byte) (*HandleKey, error) {
	if len(key) != HandleKeySize {
		return nil, fmt.Errorf("handle key must be %d bytes, got %d", HandleKeySize, len(key))
	}
	return &HandleKey{key: append([]byte(nil), key...)}, nil
}

// ParseHandleKey reads a key written by HandleKey.String (hex; surrounding space ignored).
func ParseHandleKey(s string) (*HandleKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("handle key is not hex: %w", err)
	}
	return NewHandleKey(b)
}

// GenerateHandleKey makes a new random key, for a new case.
func GenerateHandleKey() (*HandleKey, error) {
	b := make([]byte, HandleKeySize)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return NewHandleKey(b)
}

// String returns the key in hex. It is a secret of the case: print it only when asked.
func (k *HandleKey) String() string { return hex.EncodeToString(k.key) }

// ID returns a short public fingerprint of the key, so two cases can tell whether their handles
// are comparable without revealing the key.
func (k *HandleKey) ID() string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("breachline handle key id"))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// Token returns the handle of a raw credential value.
func (k *HandleKey) Token(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return k.fromSum(sum[:])
}

// FromSHA256 returns the handle of the value whose lowercase hex sha256 is hexSum, or ok=false
// when hexSum is not 64 hex digits.
func (k *HandleKey) FromSHA256(hexSum string) (string, bool) {
	if len(hexSum) != 64 {
		return "", false
	}
	sum, err := hex.DecodeString(hexSum)
	if err != nil {
		return "", false
	}
	return k.fromSum(sum), true
}

// Keyed turns a handle of the unkeyed sha256 scheme into the keyed one and returns any other
// handle unchanged: handles that arrive as sha256 (from an inventory, or from a log that records
// token hashes) then compare equal with the ones breachline computes from raw values.
func (k *HandleKey) Keyed(h string) string {
	v, ok := strings.CutPrefix(h, SchemeSHA256+":")
	if !ok {
		return h
	}
	if out, ok := k.FromSHA256(v); ok {
		return out
	}
	return h
}

func (k *HandleKey) fromSum(sum []byte) string {
	m := hmac.New(sha256.New, k.key)
	m.Write(sum)
	var buf [len(SchemeKeyed) + 1 + 64]byte
	n := copy(buf[:], SchemeKeyed+":")
	hex.Encode(buf[n:], m.Sum(nil))
	return string(buf[:])
}

// Redact is the package's Redact with this key's handles.
func (k *HandleKey) Redact(s string) (string, []string) { return redactWith(k, s) }

// RedactValue is the package's RedactValue with this key's handles. A value that starts with an
// authorization scheme word ("Bearer x", as an attribute named authorization holds it) keeps the
// word and gets the handle of what follows, the same handle the header gets in free text.
func (k *HandleKey) RedactValue(v string) (string, bool) {
	if !redactable(v) {
		return v, false
	}
	for _, scheme := range []string{"bearer ", "basic ", "token ", "digest "} {
		if len(v) > len(scheme) && strings.EqualFold(v[:len(scheme)], scheme) {
			rest := strings.TrimLeft(v[len(scheme):], " ")
			if !redactable(rest) {
				return v, false
			}
			return v[:len(scheme)] + k.Token(rest), true
		}
	}
	return k.Token(v), true
}

// RawHandles returns every handle under which a raw credential value can appear in a log: the
// keyed handle (the primary one, first) and, for GitHub tokens, GitHub's hashed_token form. The
// hashed_token form is an unkeyed sha256 that GitHub publishes in its audit log; it is derived
// only for values with a GitHub token prefix, so no other secret gets a reversible handle. Vault
// HMACs need the audit device's key and cannot be derived; an inventory gives those as
// vault-hmac handles.
func (k *HandleKey) RawHandles(raw string) []string {
	hs := []string{k.Token(raw)}
	for _, p := range githubTokenPrefixes {
		if strings.HasPrefix(raw, p) {
			hs = append(hs, GitHubHashedTokenHandle(raw))
			break
		}
	}
	return hs
}

// githubTokenPrefixes are the prefixes of the tokens GitHub's audit log records as hashed_token.
var githubTokenPrefixes = []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"}
