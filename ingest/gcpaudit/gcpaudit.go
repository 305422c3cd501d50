// Package gcpaudit ingests Google Cloud Audit Logs: Cloud Logging LogEntries whose protoPayload is
// a google.cloud.audit.AuditLog (admin activity, data access, system event and policy denied
// logs), as JSON lines (a log sink to Cloud Storage), a JSON array or pretty-printed entries
// (`gcloud logging read --format=json`), or the Logging API's {"entries":[…]} response. GKE's
// Kubernetes audit entries are classed with the k8s-audit rules (k8saudit.Categorize), and Google
// Workspace entries, which arrive in the same shell, by their method prefix.
package gcpaudit

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/ingest/internal/linerec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of Cloud Audit Logs events.
const Name = "gcp-audit"

// wrappers are the container keys of the exports: the Logging API's entries.list response.
var wrappers = []string{"entries"}

// metadata are the members of that response that are not records: its pagination token.
var metadata = []string{"nextPageToken"}

// Ingester reads Cloud Audit Logs.
type Ingester struct{}

// New returns the Cloud Audit Logs ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.1.0" }

// Detect implements ingest.Ingester. It looks at the first record only: an audit LogEntry has a
// protoPayload (of type AuditLog when the export kept @type), so that a Kubernetes audit log that
// carries one GKE entry further down stays k8s-audit's. Keys are compared case-insensitively
// because some exports lower-case them.
func (Ingester) Detect(head []byte) bool {
	r := jsonrec.FirstValue(head)
	if r == nil {
		return false
	}
	lower := bytes.ToLower(r)
	if !bytes.Contains(lower, []byte(`"protopayload"`)) {
		return false
	}
	if bytes.Contains(lower, []byte(`google.cloud.audit.auditlog`)) {
		return true
	}
	// An export that dropped @type: an AuditLog still names its method.
	return !bytes.Contains(lower, []byte(`"@type"`)) && bytes.Contains(lower, []byte(`"methodname"`))
}

// Ingest implements ingest.Ingester.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	sc := jsonrec.New(src, src.MaxRecord, wrappers...).Metadata(metadata...)
	var ev normalize.Event
	for sc.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := sc.Record()
		if why := sc.Bad(); why != "" {
			emit.Reject(rec, why)
			continue
		}
		e, err := decode(rec.Raw)
		if err != nil {
			emit.Reject(rec, err.Error())
			continue
		}
		ev = normalize.Event{}
		if err := e.toEvent(src.AssumeTZ, &ev); err != nil {
			emit.Reject(rec, err.Error())
			continue
		}
		emit.Event(rec, &ev)
	}
	return sc.Err()
}

// SplitLines implements ingest.LineSplitter: an entry of a log sink's JSON lines depends on no
// other, so such a file may be cut before any line that is one whole entry (an array or a
// pretty-printed gcloud export is not cut).
func (Ingester) SplitLines(head []byte) func(line []byte) bool {
	return linerec.JSONLines(head, wrappers...)
}

// auditLogType is the protoPayload @type of an audit entry.
const auditLogType = "type.googleapis.com/google.cloud.audit.AuditLog"

// decode reads one record into the audit LogEntry it is.
func decode(raw []byte) (*logEntry, error) {
	var e logEntry
	if err := jsondec.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("not a Cloud Logging entry: %v", err)
	}
	p := e.ProtoPayload
	switch {
	case p == nil && (e.AuditID != "" || e.Stage != ""):
		return nil, errors.New("a Kubernetes audit event, not a Cloud Logging entry: ingest it with --format k8s-audit")
	case p == nil && (e.JSONPayload != nil || e.TextPayload != nil):
		return nil, errors.New("a Cloud Logging entry without an audit payload (jsonPayload or textPayload)")
	case p == nil:
		return nil, errors.New("not a Cloud Logging audit entry: no protoPayload")
	case p.Type != "" && p.Type != auditLogType:
		return nil, fmt.Errorf("protoPayload of type %q, not an AuditLog", p.Type)
	case p.MethodName == "" && p.ServiceName == "":
		return nil, errors.New("AuditLog without serviceName or methodName")
	}
	return &e, nil
}

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "Google Cloud Audit Logs (LogEntry/AuditLog): JSON lines, arrays, gcloud exports; Secret Manager, IAM keys, GKE, Workspace"
}
