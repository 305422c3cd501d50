package export

// The columns of each table, in the order every format writes them. Names are the JSON keys of
// the event model (normalize.Fields) and of the result tables' jsonl forms, so that a column
// means the same in every output.

// EventColumns are the event model's fields.
var EventColumns = []Column{
	{Name: "id", Kind: String},
	{Name: "time", Kind: Time},
	{Name: "time_raw", Kind: String, Nullable: true},
	{Name: "tz_basis", Kind: String, Dict: true, Nullable: true},
	{Name: "source", Kind: String, Dict: true},
	{Name: "parser", Kind: String, Dict: true},
	{Name: "category", Kind: String, Dict: true},
	{Name: "action", Kind: String, Dict: true, Nullable: true},
	{Name: "outcome", Kind: String, Dict: true},
	{Name: "principal", Kind: String, Nullable: true},
	{Name: "principal_type", Kind: String, Dict: true, Nullable: true},
	{Name: "src_ip", Kind: String, Nullable: true},
	{Name: "user_agent", Kind: String, Nullable: true},
	{Name: "credential", Kind: String, Nullable: true},
	{Name: "resource", Kind: String, Nullable: true},
	{Name: "resource_type", Kind: String, Dict: true, Nullable: true},
	{Name: "secret_ref", Kind: String, Nullable: true},
	{Name: "request_id", Kind: String, Nullable: true},
	{Name: "evidence_sha256", Kind: String, Dict: true},
	{Name: "evidence_path", Kind: String, Dict: true},
	{Name: "offset", Kind: Int64},
	{Name: "length", Kind: Int64},
	{Name: "line", Kind: Int64, Nullable: true},
	{Name: "record_index", Kind: Int64, Nullable: true},
	{Name: "raw_sha256", Kind: String},
	{Name: "attrs", Kind: JSON, Nullable: true},
}

// FindingColumns are a finding's keys (breachline findings --format jsonl).
var FindingColumns = []Column{
	{Name: "id", Kind: String},
	{Name: "rule", Kind: String, Dict: true},
	{Name: "severity", Kind: String, Dict: true},
	{Name: "time", Kind: Time},
	{Name: "summary", Kind: String},
	{Name: "credential", Kind: String, Nullable: true},
	{Name: "secret_ref", Kind: String, Nullable: true},
	{Name: "owner", Kind: String, Nullable: true},
	{Name: "src_ip", Kind: String, Nullable: true},
	{Name: "events", Kind: JSON},
}

// CredentialColumns are a credential summary's keys (breachline credentials --format jsonl).
var CredentialColumns = []Column{
	{Name: "credential", Kind: String},
	{Name: "display", Kind: String},
	{Name: "owner", Kind: String, Nullable: true},
	{Name: "secret_refs", Kind: JSON},
	{Name: "status", Kind: String, Dict: true},
	{Name: "first_exposure", Kind: Time, Nullable: true},
	{Name: "first_misuse", Kind: Time, Nullable: true},
	{Name: "last_misuse", Kind: Time, Nullable: true},
	{Name: "misuse_count", Kind: Int64},
	{Name: "novel_ips", Kind: JSON},
	{Name: "revoked_at", Kind: Time, Nullable: true},
	{Name: "derived", Kind: JSON},
}

// ExposureColumns are the rows of the exposures result table: each read of a secret and how the
// correlator classed it.
var ExposureColumns = []Column{
	{Name: "event_id", Kind: String},
	{Name: "time", Kind: Time},
	{Name: "secret_ref", Kind: String},
	{Name: "read_ref", Kind: String},
	{Name: "principal", Kind: String, Nullable: true},
	{Name: "src_ip", Kind: String, Nullable: true},
	{Name: "outcome", Kind: String, Dict: true},
	{Name: "in_window", Kind: Bool},
	{Name: "class", Kind: String, Dict: true},
	{Name: "proves", Kind: Bool},
	{Name: "reasons", Kind: JSON},
}

// UseColumns are the rows of the credential_uses result table: each use of an inventory
// credential, directly or through a derived one.
var UseColumns = []Column{
	{Name: "credential", Kind: String},
	{Name: "handle", Kind: String},
	{Name: "via", Kind: String, Nullable: true},
	{Name: "event_id", Kind: String},
	{Name: "time", Kind: Time},
	{Name: "source", Kind: String, Dict: true},
	{Name: "action", Kind: String, Dict: true, Nullable: true},
	{Name: "outcome", Kind: String, Dict: true},
	{Name: "principal", Kind: String, Nullable: true},
	{Name: "src_ip", Kind: String, Nullable: true},
	{Name: "user_agent", Kind: String, Nullable: true},
	{Name: "novel", Kind: Bool},
	{Name: "after_revocation", Kind: Bool},
	{Name: "reasons", Kind: JSON},
}

// RejectColumns are a reject's keys (breachline rejects --format jsonl).
var RejectColumns = []Column{
	{Name: "evidence_sha256", Kind: String, Dict: true},
	{Name: "evidence_path", Kind: String, Dict: true},
	{Name: "offset", Kind: Int64},
	{Name: "length", Kind: Int64},
	{Name: "line", Kind: Int64, Nullable: true},
	{Name: "reason", Kind: String},
	{Name: "snippet", Kind: String},
}
