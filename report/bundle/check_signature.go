package bundle

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
)

// checkSignature is check 2: the detached Ed25519 signature over the tag manifest, against the
// key given or, with a warning, the one included in the bag.
func checkSignature(b *bag, given ed25519.PublicKey) *Check {
	c := &Check{Number: "2", Name: "signature", Status: StatusFail}
	tm, err := b.read(TagManifestTxt)
	if err != nil {
		c.Detail = TagManifestTxt + ": missing"
		return c
	}
	sig, err := b.read(SignatureFile)
	if err != nil {
		c.Detail = SignatureFile + ": missing (the bag is not signed)"
		return c
	}
	var included ed25519.PublicKey
	if pemBytes, err := b.read(PublicKeyFile); err == nil {
		if included, err = ParsePublicKey(pemBytes); err != nil {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %v", PublicKeyFile, err))
		}
	}
	key, which := given, "the key given with --pubkey"
	if key == nil {
		if included == nil {
			c.Detail = PublicKeyFile + ": missing or unreadable, and no --pubkey given"
			return c
		}
		key, which = included, "the key included in the bag"
		c.Warnings = append(c.Warnings, fmt.Sprintf("only the key included in the bag (%s) was used: that shows the bag is unchanged since it was signed with it, not who signed it; pass --pubkey with the examiner's key obtained apart from the bag", Fingerprint(included)))
	} else if included != nil && !included.Equal(given) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the key included in the bag (%s) is not the one given", Fingerprint(included)))
	}
	if len(sig) != ed25519.SignatureSize {
		c.Detail = fmt.Sprintf("%s: expected a %d-byte Ed25519 signature, found %d bytes", SignatureFile, ed25519.SignatureSize, len(sig))
		return c
	}
	sum := sha256.Sum256(tm)
	if !ed25519.Verify(key, tm, sig) {
		c.Detail = fmt.Sprintf("%s: does not verify over %s (sha256 %x) with %s %s", SignatureFile, TagManifestTxt, sum, which, Fingerprint(key))
		return c
	}
	c.Status = StatusOK
	c.Detail = fmt.Sprintf("Ed25519 over %s (sha256 %x) verifies with %s %s", TagManifestTxt, sum, which, Fingerprint(key))
	return c
}

// checkTimestamp checks an RFC 3161 response added with `bundle stamp`: granted, and its
// message imprint the sha256 of the tag manifest.
func checkTimestamp(b *bag) *Check {
	c := &Check{Number: "2b", Name: "timestamp", Status: StatusFail}
	tm, err := b.read(TagManifestTxt)
	if err != nil {
		c.Detail = TagManifestTxt + ": missing"
		return c
	}
	der, err := b.read(ResponseFile)
	if err != nil {
		c.Detail = fmt.Sprintf("%s: %v", ResponseFile, err)
		return c
	}
	ts, err := ParseTimestampResponse(der)
	if err != nil {
		c.Detail = fmt.Sprintf("%s: %v", ResponseFile, err)
		return c
	}
	sum := sha256.Sum256(tm)
	if !ts.Matches(sum[:]) {
		c.Detail = fmt.Sprintf("%s: message imprint expected %x (sha256 of %s), found %x", ResponseFile, sum, TagManifestTxt, ts.Imprint)
		return c
	}
	c.Status = StatusOK
	c.Detail = fmt.Sprintf("%s stamped at %s over %s", ResponseFile, ts.GenTime.UTC().Format("2006-01-02T15:04:05Z"), TagManifestTxt)
	c.Warnings = append(c.Warnings, "only the message imprint was checked; the authority's signature is checked with openssl ts -verify and its certificate chain")
	return c
}
