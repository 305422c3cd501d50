// Package bundle writes a case as a legal evidence package, a signed BagIt 1.0 bag (RFC 8493)
// holding the original evidence, a consistent copy of the case, the canonical timeline and
// findings, the custody log and the method needed to rebuild them, and verifies such a bag: its
// manifests, its Ed25519 signature, its custody chain and the reproduction of its timeline and
// findings from the originals (docs/evidence.md).
package bundle
