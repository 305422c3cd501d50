package vaultaudit

import (
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/normalize"
)

// record holds the fields of a Vault audit entry (request or response) that breachline reads.
// Names follow Vault's audit log entry schema; everything else stays in the evidence file,
// reachable with `show`. Fields whose type varies between Vault versions or exports are kept raw
// so that one odd value costs that value, not the record.
type record struct {
	Time          string    `json:"time"`
	Type          string    `json:"type"`
	Error         string    `json:"error"`
	ForwardedFrom string    `json:"forwarded_from"`
	Auth          *auth     `json:"auth"`
	Request       *request  `json:"request"`
	Response      *response `json:"response"`

	raw      []byte               // the entry's bytes, for decodePayloads
	key      *normalize.HandleKey // the case's, for token handles
	payloads *payloads            // decoded on first use
}

// auth is the authentication object: the token the request came with, or, in the response to a
// login, the token the login created.
type auth struct {
	ClientToken    string         `json:"client_token"`
	Accessor       string         `json:"accessor"`
	DisplayName    string         `json:"display_name"`
	Policies       []string       `json:"policies"`
	TokenPolicies  []string       `json:"token_policies"`
	EntityID       string         `json:"entity_id"`
	TokenType      string         `json:"token_type"`
	TokenIssueTime string         `json:"token_issue_time"`
	Metadata       map[string]any `json:"metadata"`
	PolicyResults  *struct {
		Allowed *bool `json:"allowed"`
	} `json:"policy_results"`
}

type request struct {
	ID                  string             `json:"id"`
	ClientID            string             `json:"client_id"`
	Operation           string             `json:"operation"`
	ClientToken         string             `json:"client_token"`
	ClientTokenAccessor string             `json:"client_token_accessor"`
	Path                string             `json:"path"`
	MountPoint          string             `json:"mount_point"`
	MountType           string             `json:"mount_type"`
	MountAccessor       string             `json:"mount_accessor"`
	RemoteAddress       string             `json:"remote_address"`
	RemotePort          jsondec.RawMessage `json:"remote_port"`
	Namespace           *struct {
		ID   string `json:"id"`
		Path string `json:"path"`
	} `json:"namespace"`
}

// response holds the response object's members breachline reads; response.data is decoded on
// demand, by payloads.
type response struct {
	Auth   *auth `json:"auth"` // the token a login or a token create returned
	Secret *struct {
		LeaseID string `json:"lease_id"`
	} `json:"secret"`
	WrapInfo *struct {
		Token           string `json:"token"`
		Accessor        string `json:"accessor"`
		CreationPath    string `json:"creation_path"`
		WrappedAccessor string `json:"wrapped_accessor"`
	} `json:"wrap_info"`
}

// dataFields are the members of request.data or response.data that name credentials: the token
// or accessor a revoke call targets, the lease a lease revoke targets, the AppRole secret ID a
// call creates or destroys. Values are HMACs unless the device logs raw; `any` keeps a value of
// an unexpected type from failing the decode.
type dataFields struct {
	Token            any `json:"token"`
	Accessor         any `json:"accessor"`
	LeaseID          any `json:"lease_id"`
	SecretID         any `json:"secret_id"`
	SecretIDAccessor any `json:"secret_id_accessor"`
}

// payloads are the data objects of an entry, decoded only for the few calls whose meaning is in
// them (revocations, AppRole secret IDs): most entries carry large data objects that breachline
// does not read.
type payloads struct {
	Request *struct {
		Data *dataFields `json:"data"`
	} `json:"request"`
	Response *struct {
		Data *dataFields `json:"data"`
	} `json:"response"`
}

// requestData returns the credential-naming members of request.data.
func (r *record) requestData() dataFields {
	if p := r.decodePayloads(); p.Request != nil && p.Request.Data != nil {
		return *p.Request.Data
	}
	return dataFields{}
}

// responseData returns the credential-naming members of response.data.
func (r *record) responseData() dataFields {
	if p := r.decodePayloads(); p.Response != nil && p.Response.Data != nil {
		return *p.Response.Data
	}
	return dataFields{}
}

// responseAuth returns response.auth, or nil.
func (r *record) responseAuth() *auth {
	if r.Response == nil {
		return nil
	}
	return r.Response.Auth
}

// decodePayloads decodes the entry a second time for its data objects, once.
func (r *record) decodePayloads() *payloads {
	if r.payloads == nil {
		r.payloads = &payloads{}
		_ = jsondec.Unmarshal(r.raw, r.payloads) // data of another shape names no credential
	}
	return r.payloads
}

// str returns v when it is a string: a data member of another type names no credential.
func str(v any) string {
	s, _ := v.(string)
	return s
}
