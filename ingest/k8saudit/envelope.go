package k8saudit

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/breachline/breachline/ingest/internal/jsondec"
)

// envelope says what an audit event arrived in, for the event's attrs.
type envelope struct {
	kind       string // "aks", "cloudwatch", "container-log" or "" for a bare event
	category   string // AKS diagnostic category
	resourceID string // AKS cluster resource id
	logStream  string // CloudWatch log stream
	eventID    string // CloudWatch event id
	timestamp  string // CloudWatch epoch milliseconds, as logged
}

// errGKE marks a Cloud Logging entry: GKE audit logs are LogEntries, read by gcp-audit.
var errGKE = errors.New("a Google Cloud Logging entry (protoPayload), not a Kubernetes audit event: ingest it with --format gcp-audit")

// decode reads one record into the audit event it holds, unwrapping the envelopes.
func decode(raw []byte) (*auditEvent, envelope, error) {
	var env envelope
	var a auditEvent
	if err := jsondec.Unmarshal(raw, &a); err != nil {
		return nil, env, fmt.Errorf("not a Kubernetes audit event: %v", err)
	}
	if isEvent(&a) {
		return &a, env, nil
	}
	var inner []byte
	switch {
	case a.ProtoPayload != nil:
		return nil, env, errGKE
	case a.Properties != nil && len(a.Properties.Log) > 0:
		env = envelope{kind: "aks", category: a.Category, resourceID: a.ResourceID}
		if !strings.HasPrefix(a.Category, "kube-audit") {
			return nil, env, fmt.Errorf("AKS diagnostic record of category %q, not kube-audit", a.Category)
		}
		inner = a.Properties.Log
		if inner[0] == '"' {
			var s string
			if err := jsondec.Unmarshal(inner, &s); err != nil {
				return nil, env, fmt.Errorf("AKS properties.log: %v", err)
			}
			inner = []byte(s)
		}
	case a.Message != nil || a.AtMessage != nil:
		env = envelope{kind: "cloudwatch", logStream: first(a.LogStreamName, a.LogStream), eventID: first(a.EventID, a.ID)}
		if len(a.Timestamp) > 0 && a.Timestamp[0] != '"' {
			env.timestamp = string(a.Timestamp)
		}
		if a.Message != nil {
			inner = []byte(*a.Message)
		} else {
			inner = []byte(*a.AtMessage)
		}
	case a.Log != nil:
		env = envelope{kind: "container-log"}
		inner = []byte(*a.Log)
	case len(a.LogEvents) > 0:
		return nil, env, fmt.Errorf("CloudWatch Logs subscription delivery holding %d log events in one record: split it into one event per record (jq -c '.logEvents[]')", len(a.LogEvents))
	case a.Kind == "EventList":
		return nil, env, fmt.Errorf("audit EventList holding %d events in one record: split it into one event per record (jq -c '.items[]')", len(a.Items))
	case a.Kind != "" && a.Kind != "Event":
		return nil, env, fmt.Errorf("kind %q is not an audit Event", a.Kind)
	default:
		return nil, env, errors.New("not a Kubernetes audit event: no auditID, verb, requestURI or stage")
	}
	inner = bytes.TrimSpace(inner)
	if bytes.HasPrefix(inner, []byte("CWL CONTROL MESSAGE")) {
		return nil, env, errors.New("CloudWatch Logs control message (a destination health check), not an event")
	}
	if len(inner) == 0 || inner[0] != '{' {
		return nil, env, fmt.Errorf("%s envelope does not hold a JSON audit event", env.kind)
	}
	var in auditEvent
	if err := jsondec.Unmarshal(inner, &in); err != nil {
		return nil, env, fmt.Errorf("%s envelope: not a Kubernetes audit event: %v", env.kind, err)
	}
	if !isEvent(&in) {
		return nil, env, fmt.Errorf("%s envelope does not hold a Kubernetes audit event", env.kind)
	}
	return &in, env, nil
}

// isEvent reports whether a is an audit Event rather than an envelope or something else. Shippers
// and test fixtures drop fields, so any of the request's identifying fields will do.
func isEvent(a *auditEvent) bool {
	if a.Kind != "" && a.Kind != "Event" {
		return false
	}
	if a.ProtoPayload != nil {
		return false
	}
	return a.AuditID != "" || a.Verb != "" || a.RequestURI != "" || a.Stage != "" ||
		strings.HasPrefix(a.APIVersion, "audit.k8s.io/")
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
