package normalize

import "encoding/binary"

// IsCredentialName reports whether a field or parameter name says its value is a credential.
// Names are folded first (lowercase, without '-', '_' and '.'), so DB_PASSWORD, db-password and
// dbPassword are one name. The rule, in credentialFolded, is: the name contains a credential
// word (password, secret, token, apikey, …) and does not end in a suffix that makes it the
// name, id, type, age or size of a secret rather than the secret itself (secret_name, SecretId,
// token_type, password_last_changed, token_count, …).
func IsCredentialName(name string) bool {
	// Folded into a stack buffer: this runs for every attribute of every event.
	var buf [48]byte
	return credentialFolded(fold(&buf, name))
}

// fold returns name lowercased and without '-', '_' and '.', in buf when it fits.
func fold(buf *[48]byte, name string) []byte {
	if len(name) > len(buf) {
		return []byte(foldName(name))
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
	return buf[:n]
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

// credentialFolded is the name rule on a folded name: it must contain a credential word, must
// not start with "hashed" (a hash is what a log keeps instead of the secret) and must not end in
// a metadata suffix. A few exact names settle what the rule gets wrong, and a name ending in
// "authorization" is a header's.
func credentialFolded(f []byte) bool {
	if !hasCredentialWord(f) {
		// Only these and headers have no credential word: sig is a SAS signature, MYSQL_PWD,
		// SSHPASS and REDISCLI_AUTH are the environment variables those tools read a password from.
		switch string(f) {
		case "pwd", "sig", "signature", "xamzsignature", "xgoogsignature", "jwt", "auth",
			"mysqlpwd", "sshpass", "rediscliauth":
			return true
		}
		return hasSuffixBytes(f, "authorization")
	}
	switch string(f) {
	case "nexttoken", "paginationtoken", "continuationtoken", "pagetoken", "nextpagetoken",
		"starttoken", "resumetoken", "synctoken", "xamzcredential", "xgoogcredential",
		"googleapplicationcredentials", "tokenizer", "secretary":
		// Pagination cursors, the access key id of a SigV4 or GCS signed URL, the path to a key
		// file: a credential word, and no secret.
		return false
	}
	if hasPrefixBytes(f, "hashed") {
		return false
	}
	if hasSuffixBytes(f, "id") || hasSuffixBytes(f, "ip") {
		return false
	}
	for _, suffix := range suffixIndex[suffixKey(f)] {
		if hasSuffixBytes(f, suffix) {
			return false
		}
	}
	return true
}

// hasCredentialWord reports whether the folded name contains one of the words that name a
// credential value. Most names contain none, and letters make branches unpredictable, so each
// position costs a multiplicative hash of its next four bytes and one table load; only a
// position whose four bytes start a credential word is compared with the words.
func hasCredentialWord(f []byte) bool {
	for i := 0; i+5 <= len(f); i++ { // "token", the shortest word, has 5 bytes
		u := binary.LittleEndian.Uint32(f[i:])
		k := u * wordHashMul >> 27
		if wordStarts[k] != u {
			continue
		}
		for _, w := range wordsAt[k] {
			if hasAt(f, i, w) {
				return true
			}
		}
	}
	return false
}

// credentialWords are contained in the names of credential values.
var credentialWords = []string{
	"password", "passwd", "passphrase", "passcode", "privatekey", "secret", "sharedaccesskey",
	"token", "apikey", "accountkey", "authkey", "credential",
}

// wordHashMul hashes the first four bytes of each credential word to its own slot of wordStarts.
const wordHashMul = 0x2265b1f5

// wordStarts holds the first four bytes of the credential words at their hash, and wordsAt
// the words that start with them.
var wordStarts, wordsAt = func() (t [32]uint32, ws [32][]string) {
	for _, w := range credentialWords {
		u := binary.LittleEndian.Uint32([]byte(w))
		k := u * wordHashMul >> 27
		if t[k] != 0 && t[k] != u {
			panic("normalize: credential words collide in wordStarts: " + w)
		}
		t[k] = u
		ws[k] = append(ws[k], w)
	}
	return t, ws
}()

// metadataSuffixes end names that carry facts about a secret rather than its value: what it is
// called or where it lives (secret_ref, secret_name, SecretId, secret_arn, password_file,
// token_url), what kind or shape it is (token_type, password_length), when it changed or
// expires (password_last_changed, token_expires_in), whether it is there (password_set,
// token_present: boolean-ish), and counts (token_count, max_tokens).
var metadataSuffixes = []string{
	"ref", "refs", "reference", "name", "names", "id", "ids", "identifier", "arn", "arns",
	"path", "paths", "file", "files", "dir", "url", "urls", "uri", "endpoint", "location",
	"type", "types", "kind", "format", "version", "versions", "algorithm", "alg", "method",
	"hint", "length", "len", "size", "count", "tokens", "limit", "usage", "attempts", "failures",
	"set", "present", "provided", "exists", "enabled", "disabled", "required", "valid",
	"verified", "redacted", "masked", "seen",
	"changed", "lastused", "rotated", "rotation", "expires", "expiresin", "expiresat", "expiry",
	"expiration", "expired", "ttl", "lifetime", "age", "seconds", "issuedat", "createdat",
	"updatedat", "created", "time", "timestamp", "date",
	"policy", "policies", "prevention", "strength", "scope", "scopes", "status", "state",
	"source", "provider", "helper", "process", "manager", "store", "engine", "mount", "backend",
	"namespace", "project", "owner", "accessor", "issuer", "audience", "header", "field",
	"param", "prefix", "hash", "description", "label", "labels", "selector", "stdin", "prompt",
	"ip", "ipaddr", "ipaddress", "address", "error", "reason", "mode", "level",
}

// suffixIndex holds metadataSuffixes (all but id and ip, which credentialFolded tests itself)
// by a hash of their last three bytes, so a credential name is compared with one or two of them.
var suffixIndex = func() (idx [1024][]string) {
	for _, s := range metadataSuffixes {
		if len(s) >= 3 {
			k := suffixKey([]byte(s))
			idx[k] = append(idx[k], s)
		}
	}
	return idx
}()

func suffixKey(f []byte) int {
	if len(f) < 3 {
		return 0
	}
	n := len(f)
	return (int(f[n-3])*961 + int(f[n-2])*31 + int(f[n-1])) & 1023
}

func hasAt(f []byte, i int, w string) bool { return len(f)-i >= len(w) && string(f[i:i+len(w)]) == w }

func hasPrefixBytes(f []byte, p string) bool { return len(f) >= len(p) && string(f[:len(p)]) == p }

func hasSuffixBytes(f []byte, s string) bool {
	return len(f) >= len(s) && string(f[len(f)-len(s):]) == s
}
