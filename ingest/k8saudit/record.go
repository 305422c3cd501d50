package k8saudit

import "github.com/breachline/breachline/ingest/internal/jsondec"

// auditEvent holds the fields of an audit.k8s.io Event (v1 and v1beta1) that breachline reads,
// plus the keys of the envelopes it arrives in (AKS diagnostic records, CloudWatch Logs events,
// container-log lines). Field names follow k8s.io/apiserver/pkg/apis/audit; request and response
// bodies are read only for metadata.name, so secret data in them is never decoded.
type auditEvent struct {
	Kind                     string             `json:"kind"`
	APIVersion               string             `json:"apiVersion"`
	Level                    string             `json:"level"`
	AuditID                  string             `json:"auditID"`
	Stage                    string             `json:"stage"`
	RequestURI               string             `json:"requestURI"`
	Verb                     string             `json:"verb"`
	User                     userInfo           `json:"user"`
	ImpersonatedUser         *userInfo          `json:"impersonatedUser"`
	SourceIPs                []string           `json:"sourceIPs"`
	UserAgent                string             `json:"userAgent"`
	ObjectRef                *objectRef         `json:"objectRef"`
	ResponseStatus           *status            `json:"responseStatus"`
	RequestObject            *object            `json:"requestObject"`
	ResponseObject           *object            `json:"responseObject"`
	RequestReceivedTimestamp string             `json:"requestReceivedTimestamp"`
	StageTimestamp           string             `json:"stageTimestamp"`
	Annotations              annotations        `json:"annotations"`
	Timestamp                jsondec.RawMessage `json:"timestamp"` // v1beta1: a string; CloudWatch: epoch ms

	// EventList (the webhook backend's batch) holds events in items.
	Items []struct{} `json:"items"`

	// AKS diagnostic record: {"category":"kube-audit","properties":{"log":…},"resourceId":…}.
	Category   string      `json:"category"`
	ResourceID string      `json:"resourceId"`
	Properties *properties `json:"properties"`

	// CloudWatch Logs event ({"timestamp":…,"message":"<event>"}) and Logs Insights row
	// ({"@timestamp":…,"@message":"<event>"}); container-log line ({"log":"<event>"}).
	Message       *string `json:"message"`
	AtMessage     *string `json:"@message"`
	Log           *string `json:"log"`
	LogStreamName string  `json:"logStreamName"`
	LogStream     string  `json:"@logStream"`
	EventID       string  `json:"eventId"`
	ID            string  `json:"id"` // a subscription delivery's log event id

	// CloudWatch Logs subscription delivery (several events in one record).
	LogEvents []struct{} `json:"logEvents"`
	// Cloud Logging LogEntry: a GKE record, which belongs to gcp-audit.
	ProtoPayload *struct{} `json:"protoPayload"`
}

type userInfo struct {
	Username string              `json:"username"`
	UID      string              `json:"uid"`
	Groups   []string            `json:"groups"`
	Extra    map[string][]string `json:"extra"`
}

type objectRef struct {
	Resource    string `json:"resource"`
	Namespace   string `json:"namespace"`
	Name        string `json:"name"`
	APIGroup    string `json:"apiGroup"`
	APIVersion  string `json:"apiVersion"`
	Subresource string `json:"subresource"`
}

// status is the metav1.Status of the response.
type status struct {
	Code    int    `json:"code"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// object is a request or response body, read only for its name.
type object struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// annotations are the audit annotations breachline reads. The rest (admission webhooks, latency
// traces, pod security) stay in the evidence: decoding every key costs more than the record's
// other fields together.
type annotations struct {
	Decision       string `json:"authorization.k8s.io/decision"`
	Reason         string `json:"authorization.k8s.io/reason"`
	IssuedCredID   string `json:"authentication.kubernetes.io/issued-credential-id"`
	LegacyToken    string `json:"authentication.k8s.io/legacy-token"`
	StaleToken     string `json:"authentication.k8s.io/stale-token"`
	ImpersonatedBy string `json:"authentication.k8s.io/impersonated-by"`
}

type properties struct {
	Log jsondec.RawMessage `json:"log"`
}

// The audit stages, in the order the API server logs them.
const (
	StageRequestReceived  = "RequestReceived"
	StageResponseStarted  = "ResponseStarted"
	StageResponseComplete = "ResponseComplete"
	StagePanic            = "Panic"
)

// final reports whether a ends its request: nothing more is logged under its auditID. Besides
// ResponseComplete and Panic, that is the ResponseStarted record of a failed authentication
// (code 401), the only record the API server writes for it.
func (a *auditEvent) final() bool {
	switch a.Stage {
	case StageResponseComplete, StagePanic:
		return true
	case StageResponseStarted:
		return a.unauthenticated()
	}
	return stageRank(a.Stage) == 0
}

// stageRank orders stages so that a later one is preferred when a request has no final stage.
func stageRank(stage string) int {
	switch stage {
	case StageRequestReceived:
		return 1
	case StageResponseStarted:
		return 2
	case StageResponseComplete, StagePanic:
		return 3
	}
	return 0
}
