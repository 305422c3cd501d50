package k8saudit

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/normalize"
)

// toEvent fills ev from the audit event a (the stage chosen for its request). assume is the
// examiner's --assume-tz, nil when none.
func (a *auditEvent) toEvent(env envelope, assume *time.Location, key *normalize.HandleKey, ev *normalize.Event) error {
	raw, field := a.RequestReceivedTimestamp, ""
	if raw == "" && len(a.Timestamp) > 0 && a.Timestamp[0] == '"' {
		// v1beta1's timestamp has the same meaning; it was replaced by requestReceivedTimestamp.
		if err := jsondec.Unmarshal(a.Timestamp, &raw); err != nil {
			raw = ""
		}
		field = "timestamp"
	}
	if raw == "" {
		return errors.New("audit event has no requestReceivedTimestamp")
	}
	t, basis, err := normalize.ParseRFC3339(raw, assume)
	if err != nil {
		return fmt.Errorf("requestReceivedTimestamp: %v", err)
	}
	ev.Time, ev.TimeRaw, ev.TZBasis = t, raw, basis
	ev.Attrs = make(map[string]any, 24)
	ev.SetAttr("time_field", field)
	ev.Action = a.Verb
	ev.RequestID = a.AuditID
	ev.UserAgent = a.UserAgent
	if len(a.SourceIPs) > 0 {
		// sourceIPs[0] is the client; the rest are the proxies it came through.
		ip, host := normalize.SplitAddress(a.SourceIPs[0])
		ev.SrcIP = ip
		ev.SetAttr(normalize.AttrSourceHost, host)
		if len(a.SourceIPs) > 1 {
			ev.SetAttr("source_ips", a.SourceIPs)
		}
	}
	ev.SetAttr("stage", a.Stage)
	ev.SetAttr("stage_timestamp", a.StageTimestamp)
	ev.SetAttr("level", a.Level)
	ev.SetAttr("audit_version", a.APIVersion)
	setRedacted(ev, key, "request_uri", a.RequestURI)
	a.identify(ev)
	a.annotate(ev)
	env.annotate(ev)

	ev.Outcome = normalize.Unknown
	if s := a.ResponseStatus; s != nil {
		switch {
		case s.Code >= 400 || (s.Code == 0 && s.Status == "Failure"):
			ev.Outcome = normalize.Failure
		case s.Code > 0 || s.Status == "Success":
			ev.Outcome = normalize.Success
		}
		if s.Code != 0 {
			ev.SetAttr("status_code", s.Code)
		}
		ev.SetAttr("status_reason", s.Reason)
		ev.SetAttr("status_message", s.Message)
	}
	if a.Stage == StagePanic {
		ev.Outcome = normalize.Failure
	}
	a.categorize(ev, key)
	return nil
}

// categorize applies Categorize and fills what each category needs.
func (a *auditEvent) categorize(ev *normalize.Event, key *normalize.HandleKey) {
	o := a.ObjectRef
	if o == nil {
		if a.RequestURI != "" {
			path, _, _ := strings.Cut(a.RequestURI, "?")
			ev.Resource = path
		}
		ev.Category = normalize.APICall
		if a.unauthenticated() {
			ev.Category = normalize.Auth
		}
		return
	}
	name := o.Name
	if name == "" && a.Verb == "create" {
		// A create names its object in the body; the response has the name a generateName gave.
		if r := a.ResponseObject; r != nil && r.Metadata.Name != "" {
			name = r.Metadata.Name
		} else if r := a.RequestObject; r != nil {
			name = r.Metadata.Name
		}
	}
	ev.Resource = ResourceName(o.APIGroup, o.APIVersion, o.Namespace, o.Resource, name, o.Subresource)
	ev.ResourceType = o.Resource
	if o.Subresource != "" {
		ev.ResourceType += "/" + o.Subresource
	}
	ev.SetAttr("namespace", o.Namespace)
	ev.Category, ev.SecretRef = Categorize(a.Verb, o.Resource, o.Subresource, o.Namespace, name)
	switch {
	case a.unauthenticated():
		// The API server refused the credential: nothing was read or written.
		ev.Category, ev.SecretRef = normalize.Auth, ""
	case ev.Category == normalize.Admin:
		cmd, container := execQuery(a.RequestURI)
		for i := range cmd {
			cmd[i] = redact(ev, key, cmd[i])
		}
		if len(cmd) > 0 {
			ev.SetAttr("command", cmd)
		}
		ev.SetAttr("container", container)
	case ev.Category == normalize.CredentialIssue:
		ev.SetAttr(normalize.AttrIssuedCredential, CredentialHandle(a.Annotations.IssuedCredID))
		if o.Namespace != "" && o.Name != "" {
			ev.SetAttr("issued_to", "system:serviceaccount:"+o.Namespace+":"+o.Name)
		}
	}
}

// setRedacted sets attribute key to v with its credential values replaced by handles.
func setRedacted(ev *normalize.Event, key *normalize.HandleKey, attr, v string) {
	ev.SetAttr(attr, redact(ev, key, v))
}

// redact replaces the credential values in v (a token in an exec command, say) by handles before
// the core sees them, and lists the handles in attrs.credentials_in_request. The core would
// otherwise take the first of them for the event's credential, but the API server never accepts
// a credential in the request URI: such a token is something the request carried, not what it
// authenticated with.
func redact(ev *normalize.Event, key *normalize.HandleKey, v string) string {
	out, handles := key.Redact(v)
	if len(handles) == 0 {
		return v
	}
	seen, _ := ev.Attrs[attrCredentialsInRequest].([]string)
	for _, h := range handles {
		if !slices.Contains(seen, h) {
			seen = append(seen, h)
		}
	}
	ev.SetAttr(attrCredentialsInRequest, seen)
	return out
}

const attrCredentialsInRequest = "credentials_in_request"

// unauthenticated reports a request the API server answered 401: its credential was refused.
func (a *auditEvent) unauthenticated() bool {
	return a.ResponseStatus != nil && a.ResponseStatus.Code == 401
}

// annotate keeps the authorizer's decision and the annotations about credentials.
func (a *auditEvent) annotate(ev *normalize.Event) {
	an := &a.Annotations
	ev.SetAttr("authz_decision", an.Decision)
	ev.SetAttr("authz_reason", an.Reason)
	// The name of the secret holding a legacy service account token the request presented.
	ev.SetAttr("legacy_token_secret", an.LegacyToken)
	ev.SetAttr("stale_token", an.StaleToken)
}

// annotate records the envelope the event came in.
func (env envelope) annotate(ev *normalize.Event) {
	if env.kind == "" {
		return
	}
	ev.SetAttr("envelope", env.kind)
	ev.SetAttr("aks_category", env.category)
	ev.SetAttr("cluster", env.resourceID)
	ev.SetAttr("log_stream", env.logStream)
	ev.SetAttr("cloudwatch_event_id", env.eventID)
	ev.SetAttr("cloudwatch_timestamp", env.timestamp)
}

// ResourceName renders an API object the way GKE's audit entries name it in resourceName:
// <group>/<version>/namespaces/<namespace>/<resource>/<name>/<subresource>, with "core" for the
// core group, and the parts the request does not have left out (no namespace for cluster-scoped
// resources, no name for a collection). When the record gives no API version the group/version
// prefix is left out rather than guessed.
func ResourceName(group, version, namespace, resource, name, subresource string) string {
	var b strings.Builder
	b.Grow(64)
	if version != "" {
		if group == "" {
			group = "core"
		}
		b.WriteString(group)
		b.WriteByte('/')
		b.WriteString(version)
		b.WriteByte('/')
	}
	if namespace != "" && resource != "namespaces" {
		b.WriteString("namespaces/")
		b.WriteString(namespace)
		b.WriteByte('/')
	}
	b.WriteString(resource)
	if name != "" {
		b.WriteByte('/')
		b.WriteString(name)
		if subresource != "" {
			b.WriteByte('/')
			b.WriteString(subresource)
		}
	}
	return strings.TrimSuffix(b.String(), "/")
}
