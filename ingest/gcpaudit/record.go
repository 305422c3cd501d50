package gcpaudit

import "github.com/breachline/breachline/ingest/internal/jsondec"

// logEntry holds the Cloud Logging LogEntry fields breachline reads. Names follow the LogEntry and
// google.cloud.audit.AuditLog references; the rest stays in the evidence, reachable with `show`.
// Keys match case-insensitively, as with encoding/json, so exports that lower-cased them still read.
type logEntry struct {
	LogName          string            `json:"logName"`
	InsertID         string            `json:"insertId"`
	Timestamp        string            `json:"timestamp"`
	ReceiveTimestamp string            `json:"receiveTimestamp"`
	Severity         string            `json:"severity"`
	Resource         *monitoredRes     `json:"resource"`
	Labels           map[string]string `json:"labels"`
	Operation        *operation        `json:"operation"`
	ProtoPayload     *auditLog         `json:"protoPayload"`

	// Other payloads: the entry is not an audit log.
	JSONPayload *struct{} `json:"jsonPayload"`
	TextPayload *string   `json:"textPayload"`
	// A Kubernetes audit event (k8s-audit's) in the same file.
	AuditID string `json:"auditID"`
	Stage   string `json:"stage"`
}

type monitoredRes struct {
	Type   string            `json:"type"`
	Labels map[string]string `json:"labels"`
}

type operation struct {
	ID       string `json:"id"`
	Producer string `json:"producer"`
	First    bool   `json:"first"`
	Last     bool   `json:"last"`
}

// auditLog is the protoPayload of an audit entry. Request and response bodies differ by method
// and are decoded only for the methods whose category needs them.
type auditLog struct {
	Type               string             `json:"@type"`
	ServiceName        string             `json:"serviceName"`
	MethodName         string             `json:"methodName"`
	ResourceName       string             `json:"resourceName"`
	Status             *status            `json:"status"`
	AuthenticationInfo *authInfo          `json:"authenticationInfo"`
	AuthorizationInfo  []authorization    `json:"authorizationInfo"`
	RequestMetadata    *requestMetadata   `json:"requestMetadata"`
	Request            jsondec.RawMessage `json:"request"`
	Response           jsondec.RawMessage `json:"response"`
}

// status is a google.rpc.Status: {} or code 0 is success.
type status struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type authInfo struct {
	PrincipalEmail        string       `json:"principalEmail"`
	PrincipalSubject      string       `json:"principalSubject"`
	AuthoritySelector     string       `json:"authoritySelector"`
	ServiceAccountKeyName string       `json:"serviceAccountKeyName"`
	Delegation            []delegation `json:"serviceAccountDelegationInfo"`
	OAuthInfo             *oauthInfo   `json:"oauthInfo"`
}

type oauthInfo struct {
	ClientID string `json:"oauthClientId"`
}

type delegation struct {
	FirstPartyPrincipal *struct {
		PrincipalEmail string `json:"principalEmail"`
	} `json:"firstPartyPrincipal"`
	PrincipalSubject string `json:"principalSubject"`
}

type authorization struct {
	Resource   string `json:"resource"`
	Permission string `json:"permission"`
	Granted    *bool  `json:"granted"`
}

type requestMetadata struct {
	CallerIP                string `json:"callerIp"`
	CallerSuppliedUserAgent string `json:"callerSuppliedUserAgent"`
	CallerNetwork           string `json:"callerNetwork"`
}

// body holds the request and response fields the categories read: resource names.
type body struct {
	Name     string `json:"name"`
	Parent   string `json:"parent"`
	SecretID string `json:"secretId"`
}
