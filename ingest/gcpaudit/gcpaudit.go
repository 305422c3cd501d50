// Package gcpaudit ingests Google Cloud Logging exports: every LogEntry, as JSON lines (a log sink
// to Cloud Storage), a JSON array or pretty-printed entries (`gcloud logging read --format=json`),
// or the Logging API's {"entries":[…]} response. Audit entries, whose protoPayload is a
// google.cloud.audit.AuditLog (admin activity, data access, system event and policy denied logs),
// are the ones read closely: GKE's Kubernetes audit entries are classed with the k8s-audit rules
// (k8saudit.Categorize), and Google Workspace entries, which arrive in the same shell, by their
// method prefix. Request logs (httpRequest: load balancers, Cloud Run) are http_request events;
// the rest (application, container, node and Kubernetes event logs) are other events that keep
// the log, the monitored resource and a bounded message.
package gcpaudit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/ingest/internal/linerec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of Cloud Logging events. It says audit for history: events carry it and
// other tools read it, so it stays though every LogEntry is read now.
const Name = "gcp-audit"

// wrappers are the container keys of the exports: the Logging API's entries.list response.
var wrappers = []string{"entries"}

// metadata are the members of that response that are not records: its pagination token.
var metadata = []string{"nextPageToken"}

// Ingester reads Cloud Logging exports.
type Ingester struct{}

// New returns the Cloud Logging ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.3.0" }

// Detect implements ingest.Ingester. It looks at the first record only, so that a Kubernetes
// audit log that carries one GKE entry further down stays k8s-audit's. That record is an audit
// LogEntry (a protoPayload, of type AuditLog when the export kept @type) or any other LogEntry:
// a logName member naming a log (<parent>/<id>/logs/<log>) beside a payload, an httpRequest or a
// monitored resource. No other format has such a logName. Keys are compared case-insensitively
// because some exports lower-case them.
func (Ingester) Detect(head []byte) bool {
	r := jsonrec.FirstValue(head)
	if r == nil {
		return false
	}
	lower := bytes.ToLower(r)
	if valueOf(lower, "protopayload_auditlog") >= 0 && bytes.Contains(lower, []byte(`"methodname"`)) {
		// A BigQuery export's audit row.
		return true
	}
	if bytes.Contains(lower, []byte(`"protopayload"`)) {
		if bytes.Contains(lower, []byte(`google.cloud.audit.auditlog`)) {
			return true
		}
		// An export that dropped @type: an AuditLog still names its method.
		if !bytes.Contains(lower, []byte(`"@type"`)) && bytes.Contains(lower, []byte(`"methodname"`)) {
			return true
		}
	}
	if !namesLog(lower) {
		return false
	}
	for _, k := range []string{"protopayload", "jsonpayload", "textpayload", "httprequest", "resource"} {
		if valueOf(lower, k) >= 0 {
			return true
		}
	}
	return false
}

// logParents are the parents a logName starts with, lower-cased.
var logParents = []string{"projects/", "organizations/", "folders/", "billingaccounts/"}

// namesLog reports whether the lower-cased record r has a logName member whose value is a log's
// resource name: <parent>/<id>/logs/<log id>.
func namesLog(r []byte) bool {
	for rest := r; ; {
		i := valueOf(rest, "logname")
		if i < 0 {
			return false
		}
		rest = rest[i:]
		if len(rest) > 0 && rest[0] == '"' {
			v := rest[1:]
			if end := bytes.IndexByte(v, '"'); end >= 0 {
				v = v[:end]
			}
			for _, p := range logParents {
				if bytes.HasPrefix(v, []byte(p)) && bytes.Contains(v[len(p):], []byte("/logs/")) {
					return true
				}
			}
		}
	}
}

// valueOf returns the index in r of the value of the first member named key ("key" then a
// colon), or -1.
func valueOf(r []byte, key string) int {
	q := []byte(`"` + key + `"`)
	for off := 0; ; {
		i := bytes.Index(r[off:], q)
		if i < 0 {
			return -1
		}
		off += i + len(q)
		j := off
		for j < len(r) && (r[j] == ' ' || r[j] == '\t' || r[j] == '\r' || r[j] == '\n') {
			j++
		}
		if j < len(r) && r[j] == ':' {
			j++
			for j < len(r) && (r[j] == ' ' || r[j] == '\t' || r[j] == '\r' || r[j] == '\n') {
				j++
			}
			return j
		}
	}
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
		toEvent := e.toEvent
		if e.ProtoPayload == nil {
			toEvent = e.toEntryEvent
		}
		if err := toEvent(src.AssumeTZ, &ev); err != nil {
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

// decode reads one record into the LogEntry it is: an audit entry (ProtoPayload set) or another
// entry (ProtoPayload nil). An entry that claims to be an AuditLog is held to the AuditLog's
// shape, as before there were other entries; only a payload of another @type may differ.
func decode(raw []byte) (*logEntry, error) {
	var e logEntry
	if err := jsondec.Unmarshal(raw, &e); err != nil {
		o, ok := otherProto(raw)
		if !ok {
			return nil, fmt.Errorf("not a Cloud Logging entry: %v", err)
		}
		e = *o
	}
	if e.ProtoPayload == nil && e.BQAudit != nil {
		p, err := e.BQAudit.auditLog()
		if err != nil {
			return nil, err
		}
		e.ProtoPayload, e.export = p, exportBigQuery
		bqLabels(e.Labels)
	}
	if e.ProtoPayload == nil && e.BQAudit == nil {
		if bqTimestamp(e.Timestamp, e.ReceiveTimestamp) {
			e.export = exportBigQuery
		}
		if !present(e.JSONPayload) && e.TextPayload == nil && !present(e.proto) {
			if col, v := bqPayload(raw); col != "" {
				e.export, e.payloadColumn = exportBigQuery, col
				if strings.HasPrefix(strings.ToLower(col), "jsonpayload_") {
					e.JSONPayload = v
				} else {
					e.proto = v
				}
			}
		}
	}
	if p := e.ProtoPayload; p != nil && p.Type != "" && p.Type != auditLogType {
		o, ok := otherProto(raw)
		if !ok {
			return nil, fmt.Errorf("protoPayload of type %q, not an AuditLog", p.Type)
		}
		e = *o
	}
	p := e.ProtoPayload
	switch {
	case p != nil && p.MethodName == "" && p.ServiceName == "":
		return nil, errors.New("AuditLog without serviceName or methodName")
	case p != nil:
		return &e, nil
	case e.LogName == "" && !present(e.proto) && !present(e.JSONPayload) && e.TextPayload == nil && e.HTTPRequest == nil:
		if e.AuditID != "" || e.Stage != "" {
			return nil, errors.New("a Kubernetes audit event, not a Cloud Logging entry: ingest it with --format k8s-audit")
		}
		return nil, errors.New("not a Cloud Logging entry: no logName, payload or httpRequest")
	}
	return &e, nil
}

// otherProto reads raw as an entry whose protoPayload is not an AuditLog, keeping the payload
// raw. It reports false when the record does not read that way either, or when its payload says
// it is an AuditLog (or says nothing): an audit entry that does not fit is rejected, not
// demoted to an other event.
func otherProto(raw []byte) (*logEntry, bool) {
	var o otherEntry
	if jsondec.Unmarshal(raw, &o) != nil || !present(o.ProtoPayload) {
		return nil, false
	}
	var t struct {
		Type string `json:"@type"`
	}
	if jsondec.Unmarshal(o.ProtoPayload, &t) != nil || t.Type == "" || t.Type == auditLogType {
		return nil, false
	}
	e := o.logEntry
	e.ProtoPayload, e.proto = nil, o.ProtoPayload
	return &e, true
}

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "Google Cloud Logging entries (Cloud Audit Logs in detail; request, application and GKE logs): JSON lines, arrays, gcloud exports; Secret Manager, IAM keys, GKE, Workspace"
}
