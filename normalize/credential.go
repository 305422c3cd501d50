package normalize

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Scheme is a kind of credential handle. A handle is "scheme:value": a value that identifies a
// credential without being usable as one, so it can be stored, printed and compared across
// sources. This list is the one place that says which schemes exist.
type Scheme struct {
	Name string
	// About says what the value is, for `breachline formats` and the documentation.
	About string
}

// The credential handle schemes.
const (
	SchemeAWSKeyID          = "aws-key-id"
	SchemeSHA256            = "sha256"
	SchemeGitHubHashedToken = "github-hashed-token"
	SchemeVaultHMAC         = "vault-hmac"
	SchemeGCPKey            = "gcp-key"
	SchemeK8sCredentialID   = "k8s-credential-id"
	SchemeAzureKeyID        = "azure-key-id"
)

// Schemes lists every handle scheme breachline writes.
var Schemes = []Scheme{
	{SchemeAWSKeyID, "AWS access key id (AKIA… long-term, ASIA… temporary); an identifier, kept as logged"},
	{SchemeKeyed, "keyed hash of a raw token value seen in a log or an inventory: hex HMAC-SHA256 under the case's handle key of the value's sha256"},
	{SchemeSHA256, "lowercase hex sha256 of a raw token value; accepted from inventories and logs, stored as the keyed " + SchemeKeyed + " handle"},
	{SchemeGitHubHashedToken, "GitHub audit log hashed_token: base64 of the sha256 of the token"},
	{SchemeVaultHMAC, "Vault audit HMAC of a client token or accessor (hex, without the hmac-sha256: prefix)"},
	{SchemeGCPKey, "GCP service account key name (projects/…/serviceAccounts/…/keys/…)"},
	{SchemeK8sCredentialID, "Kubernetes authentication.kubernetes.io/credential-id (e.g. JTI=…, X509SHA256=…)"},
	{SchemeAzureKeyID, "Entra ID service principal credential key id"},
}

// Handle joins a scheme and a value into a handle.
func Handle(scheme, value string) string { return scheme + ":" + value }

// SplitHandle returns the scheme and value of h, or ok=false when h has no known scheme.
func SplitHandle(h string) (scheme, value string, ok bool) {
	scheme, value, found := strings.Cut(h, ":")
	if !found || value == "" || !knownScheme(scheme) {
		return "", "", false
	}
	return scheme, value, true
}

func knownScheme(name string) bool {
	for _, s := range Schemes {
		if s.Name == name {
			return true
		}
	}
	return false
}

// CheckHandle reports why h is not a well-formed handle, or nil.
func CheckHandle(h string) error {
	scheme, value, ok := SplitHandle(h)
	if !ok {
		// Never quote h: if it is not a handle it may be the raw secret itself.
		return fmt.Errorf("credential is not a handle of a known scheme (%d bytes)", len(h))
	}
	if (scheme == SchemeSHA256 || scheme == SchemeKeyed) && (len(value) != 64 || !isLowerHex(value)) {
		return fmt.Errorf("credential: a %s handle is 64 lowercase hex digits", scheme)
	}
	return nil
}

// TokenHandle returns the unkeyed sha256 handle of a raw credential value. Nothing stores it:
// an ingester may use it as an intermediate form (a mapping's sha256 transform), which the case's
// HandleKey.Keyed turns into the stored handle. Everything else uses HandleKey.Token.
func TokenHandle(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return SchemeSHA256 + ":" + hex.EncodeToString(sum[:])
}

// GitHubHashedTokenHandle returns the handle GitHub's audit log would show for a raw token:
// base64 (standard, padded) of its sha256.
func GitHubHashedTokenHandle(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return SchemeGitHubHashedToken + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// AWSKeyHandle returns the handle of an AWS access key id, or "" when id is empty.
func AWSKeyHandle(id string) string {
	if id == "" {
		return ""
	}
	return Handle(SchemeAWSKeyID, id)
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Mask returns a display form of a raw credential that identifies its kind without revealing
// any of it: the published vendor prefix, if the value has one (hf_, ghp_, sk-, AKIA…), and an
// ellipsis, such as hf_…. Nothing of the value's own characters is shown: even four of them
// narrow a dictionary search over a handle. Values without a vendor prefix show only "…".
func Mask(raw string) string {
	for _, p := range maskPrefixes {
		if strings.HasPrefix(raw, p) && len(p) < len(raw) {
			return p + "…"
		}
	}
	return "…"
}

// maskPrefixes are the vendor prefixes shown in masked displays, longest first.
var maskPrefixes = func() []string {
	ps := []string{"AKIA", "ASIA"}
	for _, v := range vendorPrefixes {
		ps = append(ps, v.prefix)
	}
	slices.SortStableFunc(ps, func(a, b string) int { return len(b) - len(a) })
	return ps
}()
