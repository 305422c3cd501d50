// Package azure ingests Microsoft Azure logs: the Azure Monitor activity log, Entra ID sign-in and
// audit logs, Key Vault AuditEvent logs, and any other resource log through the common schema
// they share. It reads them in every envelope they reach an examiner in: a diagnostic-settings
// export ({"records":[…]} blobs or JSON lines from storage or Event Hubs), an Azure REST or Graph
// API response ({"value":[…]}), a PowerShell or CLI JSON array, and Log Analytics / Sentinel
// table exports, whose field names are PascalCase and whose nested objects are JSON strings.
// The kind is decided per record, so a mixed export is read whole.
package azure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/normalize"
)

// Name is the source name of Azure events.
const Name = "azure"

// wrappers are the container keys: diagnostic settings' storage blobs ("records"), the REST and
// Graph APIs' pages ("value").
var wrappers = []string{"records", "value"}

// metadata are the members of an API page that are not records: OData annotations and the link
// to the next page.
var metadata = []string{"@odata.context", "@odata.count", "@odata.nextLink", "@odata.deltaLink", "nextLink"}

// Ingester reads Azure logs.
type Ingester struct{}

// New returns the Azure ingester.
func New() Ingester { return Ingester{} }

// Name implements ingest.Ingester.
func (Ingester) Name() string { return Name }

// Version implements ingest.Ingester.
func (Ingester) Version() string { return "1.2.0" }

// Ingest implements ingest.Ingester.
func (Ingester) Ingest(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	sc := jsonrec.New(src, src.MaxRecord, wrappers...).Metadata(metadata...)
	var (
		ev    normalize.Event
		r     record
		kube  int
		attrs = make(map[string]any, 32) // reused: the core copies what it keeps
	)
	for sc.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := sc.Record()
		if why := sc.Bad(); why != "" {
			emit.Reject(rec, why)
			continue
		}
		clear(attrs)
		ev = normalize.Event{Attrs: attrs}
		if err := r.read(rec.Raw, src.AssumeTZ, src.Key, &ev); err != nil {
			if errors.Is(err, errKubeAudit) {
				kube++
			}
			emit.Reject(rec, err.Error())
			continue
		}
		emit.Event(rec, &ev)
	}
	if kube > 0 {
		emit.Note(fmt.Sprintf("%d AKS kube-audit record(s) rejected: they hold Kubernetes audit events; ingest this file with the Kubernetes audit ingester too", kube))
	}
	return sc.Err()
}

// record is one decoded record: its top level and its properties object.
type record struct {
	top, props fields
	key        *normalize.HandleKey // the case's, for the handle of a SAS signature
}

// read decodes raw and fills ev according to the record's kind.
func (r *record) read(raw []byte, loc *time.Location, key *normalize.HandleKey, ev *normalize.Event) error {
	*r = record{key: key}
	if len(raw) == 0 || raw[0] != '{' {
		return errors.New("not an Azure log record: not a JSON object")
	}
	if err := r.decode(raw, jsondec.Unmarshal); err != nil {
		return fmt.Errorf("not an Azure log record: %v", err)
	}
	k, err := r.classify()
	if err != nil {
		return err
	}
	switch k {
	case kindSignIn:
		return r.signIn(ev, loc)
	case kindAudit:
		return r.audit(ev, loc)
	case kindKeyVault:
		return r.keyVault(ev, loc)
	case kindRisk:
		return r.risk(ev, loc)
	default:
		return r.activity(ev, loc, k)
	}
}

// setTenant records the directory the record belongs to. In a Log Analytics row (one with a
// Type, the table name) TenantId is the workspace's id, not the directory's: it is kept as
// workspace_id, and only AADTenantId names the directory.
func (r *record) setTenant(ev *normalize.Event) {
	if r.top.Type != "" {
		ev.SetAttr("workspace_id", string(r.top.TenantID))
		ev.SetAttr("tenant", string(r.top.AADTenantID))
		return
	}
	ev.SetAttr("tenant", first(r.top.TenantID, r.top.TenantIDPy, r.top.AADTenantID))
}

// Detect implements ingest.Ingester: Azure Monitor records (resource logs, the activity log in any
// envelope, Log Analytics rows) all carry operationName beside an ARM resourceId or a category;
// Graph API sign-ins and audits have their own pairs of names. Names are compared without case,
// as the exports vary it. A file whose records are all AKS kube-audit is left to the Kubernetes
// audit ingester.
func (Ingester) Detect(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(head) == 0 || (head[0] != '{' && head[0] != '[') {
		return false
	}
	low := bytes.ToLower(head)
	has := func(s string) bool { return bytes.Contains(low, []byte(s)) }
	azure := false
	switch {
	case has(`"operationname"`) && has(`"resourceid"`),
		has(`"operationname"`) && has(`"category"`) && (has(`"correlationid"`) || has(`"tenantid"`) || has(`"calleripaddress"`)),
		has(`"eventtimestamp"`) && (has(`"operationname"`) || has(`"caller"`)),
		has(`"operation_name"`) && has(`"event_timestamp"`),
		has(`"createddatetime"`) && has(`"userprincipalname"`) && has(`"appid"`),
		has(`"activitydatetime"`) && has(`"activitydisplayname"`),
		has(`"riskeventtype"`) && has(`"detecteddatetime"`):
		azure = true
	}
	return azure && !onlyKubeAudit(low)
}

// onlyKubeAudit reports whether every "category" value in low (a lower-cased head) is an AKS
// kube-audit category.
func onlyKubeAudit(low []byte) bool {
	kube, other := 0, 0
	key := []byte(`"category"`)
	for rest := low; ; {
		i := bytes.Index(rest, key)
		if i < 0 {
			break
		}
		rest = bytes.TrimLeft(rest[i+len(key):], " \t\r\n")
		if len(rest) == 0 || rest[0] != ':' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if bytes.HasPrefix(rest, []byte(`"kube-audit`)) {
			kube++
		} else if len(rest) > 0 {
			other++
		}
	}
	return kube > 0 && other == 0
}

// Describe implements ingest.Ingester.
func (Ingester) Describe() string {
	return "Azure activity log, Entra ID sign-ins and audits, Key Vault; diagnostic, REST, PowerShell and Log Analytics exports"
}
