package gcpaudit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/ingest/k8saudit"
	"github.com/breachline/breachline/normalize"
)

// Cloud Logging entries routed to BigQuery and exported from there as JSON (`bq extract
// --destination_format NEWLINE_DELIMITED_JSON`, the console's JSON download) have the
// LogEntry's columns under the LogEntry's names, with three differences this file reads: the
// audit payload is the column protopayload_auditlog, whose request, response and metadata are JSON
// text (requestJson, responseJson, metadataJson); times are BigQuery TIMESTAMPs
// ("2024-05-31 10:00:00.123456 UTC"); and integers may be strings, durations records.

// exportBigQuery is attrs.export of the entries read from a BigQuery export.
const exportBigQuery = "bigquery"

// bqAuditLog is protopayload_auditlog, the AuditLog as BigQuery stores it.
type bqAuditLog struct {
	ServiceName        string           `json:"serviceName"`
	MethodName         string           `json:"methodName"`
	ResourceName       string           `json:"resourceName"`
	Status             *bqStatus        `json:"status"`
	AuthenticationInfo *authInfo        `json:"authenticationInfo"`
	AuthorizationInfo  []authorization  `json:"authorizationInfo"`
	RequestMetadata    *requestMetadata `json:"requestMetadata"`
	RequestJSON        *string          `json:"requestJson"`
	ResponseJSON       *string          `json:"responseJson"`
}

// bqStatus is a google.rpc.Status whose code, an INT64 column, a JSON extract may write as a
// string.
type bqStatus struct {
	Code    number `json:"code"`
	Message string `json:"message"`
}

// auditLog returns b as the AuditLog the LogEntry shape carries, so that both shapes are read by
// the same code into the same events.
func (b *bqAuditLog) auditLog() (*auditLog, error) {
	p := &auditLog{
		Type:               auditLogType,
		ServiceName:        b.ServiceName,
		MethodName:         b.MethodName,
		ResourceName:       b.ResourceName,
		AuthenticationInfo: b.AuthenticationInfo,
		AuthorizationInfo:  b.AuthorizationInfo,
		RequestMetadata:    b.RequestMetadata,
	}
	if s := b.Status; s != nil {
		p.Status = &status{Message: s.Message}
		if s.Code != "" {
			code, ok := s.Code.int()
			if !ok {
				return nil, fmt.Errorf("protopayload_auditlog.status.code %q is not an integer", string(s.Code))
			}
			p.Status.Code = int(code)
		}
	}
	var err error
	if p.Request, err = jsonText(b.RequestJSON, "requestJson"); err != nil {
		return nil, err
	}
	if p.Response, err = jsonText(b.ResponseJSON, "responseJson"); err != nil {
		return nil, err
	}
	return p, nil
}

// jsonText returns the JSON a text column holds; nil when the column is absent, null or empty.
func jsonText(s *string, column string) (jsondec.RawMessage, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil, nil
	}
	var v jsondec.RawMessage
	if err := jsondec.Unmarshal([]byte(*s), &v); err != nil {
		return nil, fmt.Errorf("protopayload_auditlog.%s is not JSON: %v", column, err)
	}
	return v, nil
}

// bqTimestampLayout is a BigQuery TIMESTAMP as a JSON extract writes it, less its " UTC".
const bqTimestampLayout = "2006-01-02 15:04:05.999999999"

// parseTime reads a LogEntry time: RFC 3339 as the Logging API writes it, or a BigQuery
// TIMESTAMP ("2024-05-31 10:00:00.123456 UTC"), whose zone the text states. A zoneless time is
// read only in the examiner's --assume-tz (normalize.ParseRFC3339).
func parseTime(raw string, assume *time.Location) (time.Time, string, error) {
	if s, ok := strings.CutSuffix(raw, " UTC"); ok {
		t, err := time.Parse(bqTimestampLayout, s)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%q is not a BigQuery TIMESTAMP (yyyy-mm-dd hh:mm:ss[.ffffff] UTC)", raw)
		}
		return t, normalize.TZExplicit, nil
	}
	return normalize.ParseRFC3339(raw, assume)
}

// duration is a google.protobuf.Duration: text ("0.012s") in the LogEntry's JSON, a record of
// seconds and nanos in BigQuery. It is kept as the text form.
type duration string

// UnmarshalJSON implements json.Unmarshaler.
func (d *duration) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := jsondec.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = duration(s)
		return nil
	}
	var r struct {
		Seconds number `json:"seconds"`
		Nanos   number `json:"nanos"`
	}
	if err := jsondec.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s is not a duration", b)
	}
	sec, okS := r.Seconds.int()
	ns, okN := r.Nanos.int()
	if (!okS && r.Seconds != "") || (!okN && r.Nanos != "") || ns < 0 || ns > 999999999 {
		return fmt.Errorf("%s is not a duration", b)
	}
	*d = duration(durationText(sec, ns))
	return nil
}

// durationText writes seconds and nanos as the proto3 JSON mapping does: "1.500s", "0.000012s".
func durationText(sec, ns int64) string {
	s := strconv.FormatInt(sec, 10)
	switch {
	case ns == 0:
	case ns%1e6 == 0:
		s += fmt.Sprintf(".%03d", ns/1e6)
	case ns%1e3 == 0:
		s += fmt.Sprintf(".%06d", ns/1e3)
	default:
		s += fmt.Sprintf(".%09d", ns)
	}
	return s + "s"
}

// bqTimestamp reports whether an entry's times are BigQuery TIMESTAMPs: a row of a BigQuery
// export that has no audit payload (a request or an application log) is known by them.
func bqTimestamp(ts ...string) bool {
	for _, t := range ts {
		if t != "" {
			return strings.HasSuffix(t, " UTC")
		}
	}
	return false
}

// bqPayload finds the payload column of a BigQuery row whose payload had an @type: Cloud Logging
// names the column after the type (jsonpayload_type_loadbalancerlogentry,
// protopayload_requestlog…) instead of jsonPayload or protoPayload. It returns the column's
// name and value; "" when the row has none. The AuditLog's column is read by bqAuditLog.
func bqPayload(raw []byte) (column string, value jsondec.RawMessage) {
	var cols map[string]jsondec.RawMessage
	if jsondec.Unmarshal(raw, &cols) != nil {
		return "", nil
	}
	for k, v := range cols {
		l := strings.ToLower(k)
		if l == "protopayload_auditlog" || !present(v) ||
			!(strings.HasPrefix(l, "jsonpayload_") || strings.HasPrefix(l, "protopayload_")) {
			continue
		}
		if column == "" || k < column { // the same column whatever the map's order
			column, value = k, v
		}
	}
	return column, value
}

// bqLabelNames maps the names BigQuery gives the labels GKE entries carry (every character
// that is not a letter or digit becomes '_') back to the labels' own names, so that a GKE entry
// exported from BigQuery promotes the same labels.
var bqLabelNames = func() map[string]string {
	m := map[string]string{}
	for _, l := range []string{labelDecision, labelReason, k8saudit.AnnotationIssuedCredentialID} {
		m[bqColumnName(l)] = l
	}
	return m
}()

// bqColumnName is name as BigQuery writes a field name: letters and digits kept, anything else
// '_'.
func bqColumnName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// bqLabels renames the labels of a BigQuery row that bqLabelNames knows.
func bqLabels(labels map[string]string) {
	for k, v := range labels {
		if name, ok := bqLabelNames[k]; ok {
			delete(labels, k)
			labels[name] = v
		}
	}
}
