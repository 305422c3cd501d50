// Package k8saudit ingests Kubernetes API server audit logs (audit.k8s.io/v1 and v1beta1 Event
// records) as the log backend writes them (JSON lines), in arrays or pretty-printed, and in the
// envelopes managed clusters export them in: AKS diagnostic records ({"records":[…]} with the
// event in properties.log, as an object or a JSON string), CloudWatch Logs events of EKS clusters
// ({"events":[…]} from filter-log-events or get-log-events, subscription deliveries to Firehose
// or S3 with {"logEvents":[…]}, or one {"timestamp","message"} per line, the event a JSON string
// in message), Logs Insights rows (@message) and container-log lines ({"log":"<event>"}); and the
// webhook backend's EventList batches ({"items":[…]}). The stage records of one request are folded into one event (see folder).
// GKE audit logs are Cloud Logging entries and belong to gcp-audit, which classes them with
// Categorize.
package k8saudit

import (
	"bytes"
	"context"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
)

// Name is the source name of Kubernetes audit events.
const Name = "k8s-audit"

// wrappers are the container keys of the exports: AKS storage blobs ("records"), CloudWatch Logs
// output ("events") and subscription deliveries ("logEvents"), the webhook backend's EventList
// ("items").
var wrappers = []string{"records", "events", "logEvents", "items"}

// metadata are the members of those containers that are not records: the EventList's type and
// list metadata, CloudWatch Logs' pagination tokens and searched streams, a subscription
// delivery's envelope.
var metadata = []string{
	"kind", "apiVersion", "metadata",
	"nextToken", "nextForwardToken", "nextBackwardToken", "searchedLogStreams",
	"messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "policyLevel",
}

// Ingester reads Kubernetes audit logs.
type Ingester struct{}

// New returns the Kubernetes audit ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.1.0" }

// Detect implements ingest.Ingester. It looks at the first record only, so that a file that
// starts with Cloud Logging entries (GKE, for gcp-audit) is not taken for this format because a
// later record is an audit event: an audit event names audit.k8s.io (also inside an envelope's
// JSON string), or, with a shipper that dropped apiVersion, has auditID and stage or verb and
// objectRef; an AKS record has category kube-audit. A CloudWatch Logs subscription delivery is
// looked at whole, as its first object may be a control message.
func (Ingester) Detect(head []byte) bool {
	r := jsonrec.FirstValue(head)
	if r == nil || bytes.Contains(r, []byte(`"protoPayload"`)) {
		return false
	}
	if bytes.Contains(r, []byte(`"messageType"`)) {
		// A CloudWatch Logs subscription delivery may open with a control message.
		r = head
	}
	return bytes.Contains(r, []byte(`audit.k8s.io/`)) ||
		bytes.Contains(r, []byte(`"kube-audit`)) ||
		(bytes.Contains(r, []byte(`"auditID"`)) && bytes.Contains(r, []byte(`"stage"`))) ||
		(bytes.Contains(r, []byte(`"verb"`)) && bytes.Contains(r, []byte(`"objectRef"`)))
}

// Ingest implements ingest.Ingester.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	return ingestWith(ctx, src, emit, defaultLimits)
}

func ingestWith(ctx context.Context, src *ingest.Source, emit ingest.Emitter, lim limits) error {
	sc := jsonrec.New(src, src.MaxRecord, wrappers...).Metadata(metadata...)
	f := newFolder(emit, src.AssumeTZ, src.Key, lim)
	for sc.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := sc.Record()
		if why := sc.Bad(); why != "" {
			f.reject(rec, why)
			continue
		}
		a, env, err := decode(rec.Raw)
		if err != nil {
			f.reject(rec, err.Error())
			continue
		}
		f.record(rec, a, env)
	}
	f.finish()
	return sc.Err()
}

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "Kubernetes API server audit log (audit.k8s.io v1/v1beta1), AKS and EKS envelopes; stages folded per request"
}
