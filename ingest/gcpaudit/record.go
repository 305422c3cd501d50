package gcpaudit

import (
	"fmt"
	"strconv"

	"github.com/breachline/breachline/ingest/internal/jsondec"
)

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
	HTTPRequest      *httpRequest      `json:"httpRequest"`
	Trace            string            `json:"trace"`
	SpanID           string            `json:"spanId"`
	ProtoPayload     *auditLog         `json:"protoPayload"`
	// The audit payload of a BigQuery export (bigquery.go); decode makes it the ProtoPayload.
	BQAudit *bqAuditLog `json:"protopayload_auditlog"`

	// Other payloads: the entry is not an audit log.
	JSONPayload jsondec.RawMessage `json:"jsonPayload"`
	TextPayload *string            `json:"textPayload"`
	// A Kubernetes audit event (k8s-audit's) in the same file.
	AuditID string `json:"auditID"`
	Stage   string `json:"stage"`

	// export names the shape the entry came in when it is not the LogEntry's own: "bigquery".
	export string
	// payloadColumn is the BigQuery column the payload was read from when it is not jsonPayload
	// or textPayload (bqPayload).
	payloadColumn string

	// proto is the protoPayload of an entry whose payload is not an AuditLog (decode's second
	// try, see otherEntry); ProtoPayload is then nil.
	proto jsondec.RawMessage
}

// otherEntry reads a LogEntry whose protoPayload does not fit auditLog (an App Engine
// RequestLog's status is a number, say): the payload is kept raw. Its ProtoPayload hides the
// embedded one, as encoding/json's rules for embedded fields say.
type otherEntry struct {
	logEntry
	ProtoPayload jsondec.RawMessage `json:"protoPayload"`
}

// httpRequest is a LogEntry's HttpRequest: a load balancer's, a serverless platform's or an
// application's record of one HTTP request. The int64 sizes are strings in the proto3 JSON
// mapping, and BigQuery exports write status as a string too, so both forms are read (number).
type httpRequest struct {
	RequestMethod string   `json:"requestMethod"`
	RequestURL    string   `json:"requestUrl"`
	RequestSize   number   `json:"requestSize"`
	Status        number   `json:"status"`
	ResponseSize  number   `json:"responseSize"`
	UserAgent     string   `json:"userAgent"`
	RemoteIP      string   `json:"remoteIp"`
	ServerIP      string   `json:"serverIp"`
	Referer       string   `json:"referer"`
	Latency       duration `json:"latency"`
	Protocol      string   `json:"protocol"`
	CacheHit      bool     `json:"cacheHit"`
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

// number is a JSON number or a string holding one, kept as its text; empty when absent or null.
type number string

// UnmarshalJSON implements json.Unmarshaler.
func (n *number) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := jsondec.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = number(s)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*n = number(b)
	default:
		return fmt.Errorf("%s is not a number", b)
	}
	return nil
}

// int reads n as an integer: ok is false when n is empty or not an integer.
func (n number) int() (int64, bool) {
	v, err := strconv.ParseInt(string(n), 10, 64)
	return v, err == nil
}
