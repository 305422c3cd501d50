package normalize

// Attribute keys with a meaning shared across formats. Format-specific extras use their own
// names; these are the ones the correlator and the exporters read, so every ingester that has the
// information writes it under the same key.
const (
	// AttrIssuedCredential is the handle of the credential a credential_issue event created
	// (an ASIA… key from AssumeRole, a token from a token-create call). The event's own
	// Credential is the one that minted it, which is how lineage is followed.
	AttrIssuedCredential = "issued_credential"
	// AttrRevokedCredential is the handle of the credential a credential_revoke event disabled
	// or deleted, when the record names it.
	AttrRevokedCredential = "revoked_credential"
	// AttrSecretRefs lists every secret a record read or wrote when there are several (a batch
	// read); SecretRef holds the first. One record stays one event, so accounting holds.
	AttrSecretRefs = "secret_refs"
	// AttrSourceHost is the peer when the record names a host instead of an IP address
	// (an AWS service endpoint, say); SrcIP is then empty.
	AttrSourceHost = "source_host"
	// AttrRedacted lists the fields ("resource", "attrs.referrer") whose credential values the
	// core replaced by handles. Set by the ingest core.
	AttrRedacted = "redacted"
	// AttrCredentialsSeen lists every distinct handle the core redacted from the record's text,
	// in field order. Set by the ingest core; the event's credential is set only by the ingester.
	AttrCredentialsSeen = "credentials_seen"
)
