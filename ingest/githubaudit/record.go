package githubaudit

import (
	"bytes"

	"github.com/breachline/breachline/ingest/internal/jsondec"
)

// record holds the audit log fields breachline reads. Names are GitHub's (see "Audit log events
// for your organization"); the JSON exports, the streaming format and the CSV export's header all
// use them. Everything else stays in the evidence file, reachable with `show`.
type record struct {
	Timestamp                text     `json:"@timestamp"`
	CreatedAt                text     `json:"created_at"`
	AtSignTimestamp          text     `json:"at_sign_timestamp"` // @timestamp renamed by Panther
	DocumentID               text     `json:"_document_id"`
	Action                   text     `json:"action"`
	Actor                    text     `json:"actor"`
	ActorID                  text     `json:"actor_id"`
	ActorIP                  text     `json:"actor_ip"`
	ActorIsBot               text     `json:"actor_is_bot"`
	ActorLocation            location `json:"actor_location"`
	Business                 text     `json:"business"`
	Org                      text     `json:"org"`
	Repo                     text     `json:"repo"`
	Repository               text     `json:"repository"`
	User                     text     `json:"user"`
	UserAgent                text     `json:"user_agent"`
	RequestID                text     `json:"request_id"`
	OperationType            text     `json:"operation_type"`
	HashedToken              text     `json:"hashed_token"`
	TokenID                  text     `json:"token_id"`
	TokenScopes              text     `json:"token_scopes"`
	ProgrammaticAccessType   text     `json:"programmatic_access_type"`
	Key                      text     `json:"key"`
	Integration              text     `json:"integration"`
	EnvironmentName          text     `json:"environment_name"`
	TransportProtocolName    text     `json:"transport_protocol_name"`
	ExternalIdentityNameID   text     `json:"external_identity_nameid"`
	ExternalIdentityUsername text     `json:"external_identity_username"`
}

// text is a value as GitHub wrote it. The same field is a string in one export and a number in
// another (actor_id, created_at, token_id), so strings are unquoted and numbers and booleans kept
// as written. An object or array where GitHub writes a scalar is not read (it stays in the
// evidence): its JSON text would pass for a name.
type text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 {
			*t = text(b[1 : len(b)-1])
			return nil
		}
		var s string
		if err := jsondec.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case b[0] == '{' || b[0] == '[':
		*t = ""
	default:
		*t = text(b)
	}
	return nil
}

// location is actor_location; in the CSV export it is the column actor_location.country_code.
type location struct {
	CountryCode text `json:"country_code"`
}

// UnmarshalJSON implements json.Unmarshaler; a value that is not an object locates nothing.
func (l *location) UnmarshalJSON(b []byte) error {
	*l = location{}
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	var v struct {
		CountryCode text `json:"country_code"`
	}
	if err := jsondec.Unmarshal(b, &v); err != nil {
		return err
	}
	l.CountryCode = v.CountryCode
	return nil
}

// csvColumns are the CSV export's header names breachline reads, in the order of field's ids;
// actor_location.country_code is the flattened form of actor_location.
var csvColumns = []string{
	"@timestamp", "created_at", "at_sign_timestamp", "_document_id", "action", "actor", "actor_id",
	"actor_ip", "actor_is_bot", "actor_location.country_code", "business", "org", "repo",
	"repository", "user", "user_agent", "request_id", "operation_type", "hashed_token", "token_id",
	"token_scopes", "programmatic_access_type", "key", "integration", "environment_name",
	"transport_protocol_name", "external_identity_nameid", "external_identity_username",
}

// columnID returns the id of a CSV header name for field, or -1 for a column breachline does not
// read. It runs once per header, so rows are filled by number.
func columnID(name string) int {
	for i, c := range csvColumns {
		if c == name {
			return i
		}
	}
	return -1
}

// field returns the record field for a column id.
func (r *record) field(id int) *text {
	switch id {
	case 0:
		return &r.Timestamp
	case 1:
		return &r.CreatedAt
	case 2:
		return &r.AtSignTimestamp
	case 3:
		return &r.DocumentID
	case 4:
		return &r.Action
	case 5:
		return &r.Actor
	case 6:
		return &r.ActorID
	case 7:
		return &r.ActorIP
	case 8:
		return &r.ActorIsBot
	case 9:
		return &r.ActorLocation.CountryCode
	case 10:
		return &r.Business
	case 11:
		return &r.Org
	case 12:
		return &r.Repo
	case 13:
		return &r.Repository
	case 14:
		return &r.User
	case 15:
		return &r.UserAgent
	case 16:
		return &r.RequestID
	case 17:
		return &r.OperationType
	case 18:
		return &r.HashedToken
	case 19:
		return &r.TokenID
	case 20:
		return &r.TokenScopes
	case 21:
		return &r.ProgrammaticAccessType
	case 22:
		return &r.Key
	case 23:
		return &r.Integration
	case 24:
		return &r.EnvironmentName
	case 25:
		return &r.TransportProtocolName
	case 26:
		return &r.ExternalIdentityNameID
	case 27:
		return &r.ExternalIdentityUsername
	}
	return nil
}
