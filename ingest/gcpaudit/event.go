package gcpaudit

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/breachline/breachline/ingest/k8saudit"
	"github.com/breachline/breachline/normalize"
)

// toEvent fills ev from the audit entry e. assume is the examiner's --assume-tz, nil when none.
func (e *logEntry) toEvent(assume *time.Location, ev *normalize.Event) error {
	ev.Attrs = make(map[string]any, 24)
	if err := e.stamp(assume, ev); err != nil {
		return err
	}
	p := e.ProtoPayload
	ev.Action = p.MethodName
	ev.Resource = p.ResourceName
	ev.SetAttr("service", p.ServiceName)
	e.envelope(ev)
	if len(e.Labels) > 0 {
		gke := isGKE(p)
		labels := make(map[string]any, len(e.Labels))
		for k, v := range e.Labels {
			if !gke || !promoted(k) {
				labels[k] = v
			}
		}
		if len(labels) > 0 {
			ev.SetAttr("labels", labels)
		}
	}
	if m := p.RequestMetadata; m != nil {
		ip, host := normalize.SplitAddress(m.CallerIP)
		// "private" and "gce-internal-ip" stand in for an address Google does not disclose.
		ev.SrcIP = ip
		ev.SetAttr(normalize.AttrSourceHost, host)
		ev.UserAgent = m.CallerSuppliedUserAgent
		ev.SetAttr("caller_network", m.CallerNetwork)
	}
	identify(p.AuthenticationInfo, ev)
	if len(p.AuthorizationInfo) > 0 {
		authz := make([]any, 0, len(p.AuthorizationInfo))
		for _, a := range p.AuthorizationInfo {
			m := map[string]any{"permission": a.Permission}
			if a.Resource != "" {
				m["resource"] = a.Resource
			}
			if a.Granted != nil {
				m["granted"] = *a.Granted
			}
			authz = append(authz, m)
		}
		ev.SetAttr("authorization", authz)
	}
	ev.Outcome = normalize.Unknown
	if s := p.Status; s != nil {
		// status {} (code 0, OK) is success; any other google.rpc.Code is a failure.
		ev.Outcome = normalize.Success
		if s.Code != 0 {
			ev.Outcome = normalize.Failure
			ev.SetAttr("status_code", s.Code)
		}
		ev.SetAttr("status_message", s.Message)
	}
	categorize(e, ev)
	return nil
}

// stamp sets the event's time from timestamp, when the entry was written, or, when an export
// left it out, from receiveTimestamp, when Cloud Logging received it (attrs.time_field says so).
// A timestamp that is there but unreadable is refused, not replaced by the other.
func (e *logEntry) stamp(assume *time.Location, ev *normalize.Event) error {
	raw, field := e.Timestamp, "timestamp"
	if raw == "" {
		raw, field = e.ReceiveTimestamp, "receiveTimestamp"
	}
	if raw == "" {
		return errors.New("LogEntry has no timestamp or receiveTimestamp")
	}
	t, basis, err := parseTime(raw, assume)
	if err != nil {
		return fmt.Errorf("%s: %v", field, err)
	}
	ev.Time, ev.TimeRaw, ev.TZBasis = t, raw, basis
	if field != "timestamp" {
		ev.SetAttr("time_field", field)
	}
	return nil
}

// envelope sets what every LogEntry has whatever its payload: where it was logged, the monitored
// resource, and the operation it belongs to. Labels are left to the caller.
func (e *logEntry) envelope(ev *normalize.Event) {
	ev.SetAttr("receive_timestamp", e.ReceiveTimestamp)
	ev.SetAttr("export", e.export)
	ev.SetAttr("insert_id", e.InsertID)
	ev.SetAttr("severity", e.Severity)
	ev.SetAttr("log_name", e.LogName)
	parent, kind := logKind(e.LogName)
	ev.SetAttr("log_parent", parent)
	ev.SetAttr("log_kind", kind)
	if r := e.Resource; r != nil {
		ev.ResourceType = r.Type
		ev.SetAttr("project_id", r.Labels["project_id"])
		if len(r.Labels) > 0 {
			ev.SetAttr("resource_labels", stringMap(r.Labels))
		}
	}
	if o := e.Operation; o != nil {
		// A long-running operation logs a first and a last entry under one id; GKE uses the
		// Kubernetes auditID.
		ev.RequestID = o.ID
		ev.SetAttr("operation_producer", o.Producer)
		if o.First {
			ev.SetAttr("operation_first", true)
		}
		if o.Last {
			ev.SetAttr("operation_last", true)
		}
	}
}

// identify sets the principal and the credential it used. principalEmail names the caller;
// third-party identities (workforce and workload identity federation) have only principalSubject.
// A service account key the caller authenticated with is the credential.
func identify(a *authInfo, ev *normalize.Event) {
	if a == nil {
		return
	}
	ev.Principal = a.PrincipalEmail
	if ev.Principal == "" {
		ev.Principal = a.PrincipalSubject
	}
	ev.PrincipalType = principalType(a.PrincipalEmail, a.PrincipalSubject)
	ev.SetAttr("principal_subject", a.PrincipalSubject)
	ev.SetAttr("authority_selector", a.AuthoritySelector)
	if o := a.OAuthInfo; o != nil {
		ev.SetAttr("oauth_client_id", o.ClientID)
	}
	if k := keyHandle(a.ServiceAccountKeyName); k != "" {
		ev.Credential = k
	}
	if len(a.Delegation) > 0 {
		// The chain of service accounts the caller impersonated, first the original caller.
		chain := make([]string, 0, len(a.Delegation))
		for _, d := range a.Delegation {
			switch {
			case d.FirstPartyPrincipal != nil && d.FirstPartyPrincipal.PrincipalEmail != "":
				chain = append(chain, d.FirstPartyPrincipal.PrincipalEmail)
			case d.PrincipalSubject != "":
				chain = append(chain, d.PrincipalSubject)
			}
		}
		if len(chain) > 0 {
			ev.SetAttr("delegation_chain", chain)
		}
	}
}

// principalType classes a caller: a Kubernetes identity (GKE) as k8s-audit does, a service
// account by its gserviceaccount.com address, a user by an e-mail address, a federated identity
// by its principal:// subject. Anything else is left empty rather than guessed.
func principalType(email, subject string) string {
	switch {
	case email == "system@google.com":
		// Google's own systems, in system event logs.
		return "google"
	case strings.HasPrefix(email, "system:"):
		return k8saudit.PrincipalType(email)
	case strings.HasSuffix(email, ".gserviceaccount.com"):
		return "serviceaccount"
	case strings.Contains(email, "@"):
		return "user"
	case strings.HasPrefix(subject, "principal://"), strings.HasPrefix(subject, "principalSet://"):
		return "federated"
	}
	return ""
}

// keyHandle returns the gcp-key handle of a service account key name. The full resource name
// form (//iam.googleapis.com/projects/…) and the relative one (projects/…) name the same key, so
// the handle holds the relative one.
func keyHandle(name string) string {
	name = strings.TrimPrefix(name, "//iam.googleapis.com/")
	if name == "" {
		return ""
	}
	return normalize.Handle(normalize.SchemeGCPKey, name)
}

// logKind splits a logName (projects/<p>/logs/cloudaudit.googleapis.com%2Factivity) into its
// parent (projects/<p>, organizations/<o>, folders/<f>, billingAccounts/<b>) and, for an audit
// log, its kind: activity, data_access, system_event, policy, access_transparency.
func logKind(logName string) (parent, kind string) {
	parent, id := logID(logName)
	for _, p := range []string{"cloudaudit.googleapis.com/", "externalaudit.googleapis.com/"} {
		if k, ok := strings.CutPrefix(id, p); ok {
			return parent, k
		}
	}
	return parent, ""
}

// logID splits a logName into its parent and its log id, percent-decoded: stdout,
// cloudaudit.googleapis.com/activity, requests.
func logID(logName string) (parent, id string) {
	parent, id, ok := strings.Cut(logName, "/logs/")
	if !ok {
		return "", ""
	}
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	return parent, id
}

// stringMap copies m into the attrs' map type, which the core's redaction walks.
func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
