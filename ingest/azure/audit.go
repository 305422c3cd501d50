package azure

import (
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// initiator is an Entra audit's initiatedBy: a user or an application.
type initiator struct {
	User *struct {
		ID                flex `json:"id"`
		DisplayName       flex `json:"displayName"`
		UserPrincipalName flex `json:"userPrincipalName"`
		IPAddress         flex `json:"ipAddress"`
	} `json:"user"`
	App *struct {
		AppID                flex `json:"appId"`
		DisplayName          flex `json:"displayName"`
		ServicePrincipalID   flex `json:"servicePrincipalId"`
		ServicePrincipalName flex `json:"servicePrincipalName"`
	} `json:"app"`
}

// target is one of an Entra audit's targetResources.
type target struct {
	ID                 flex `json:"id"`
	DisplayName        flex `json:"displayName"`
	Type               flex `json:"type"`
	UserPrincipalName  flex `json:"userPrincipalName"`
	ModifiedProperties []struct {
		DisplayName flex `json:"displayName"`
		OldValue    flex `json:"oldValue"`
		NewValue    flex `json:"newValue"`
	} `json:"modifiedProperties"`
}

// audit fills ev from an Entra ID audit record. Diagnostic settings keep the audit in properties
// (with the Entra category there; the envelope's category is AuditLogs); Graph and Log Analytics
// keep it at the top level, Log Analytics with initiatedBy and targetResources as JSON strings.
// The action is the activity's display name ("Add service principal credentials"); the principal
// is the initiating user's UPN or the initiating application; the resource is the first target.
func (r *record) audit(ev *normalize.Event, loc *time.Location) error {
	t, p := &r.top, &r.props
	pick := func(prop, top text) string { return first(prop, top) }
	if err := setTime(ev, loc,
		stamp{"properties.activityDateTime", p.ActivityDateTime}, stamp{"activityDateTime", t.ActivityDateTime},
		stamp{"time", t.Time}, stamp{"TimeGenerated", t.TimeGenerated}); err != nil {
		return err
	}
	ev.Category = normalize.Admin
	ev.Action = first(string(p.ActivityDisplayName), string(t.ActivityDisplayName), string(p.OperationName), string(t.OperationName))
	ev.RequestID = pick(p.CorrelationID, t.CorrelationID)

	var by initiator
	if !nested(p.InitiatedBy, &by) {
		nested(t.InitiatedBy, &by)
	}
	var ip string
	switch {
	case by.User != nil && first(by.User.UserPrincipalName, by.User.ID) != "":
		u := by.User
		ev.Principal, ev.PrincipalType = first(u.UserPrincipalName, u.ID), "user"
		ev.SetAttr("principal_id", string(u.ID))
		ip = string(u.IPAddress)
	case by.App != nil && first(by.App.AppID, by.App.ServicePrincipalID, by.App.DisplayName) != "":
		a := by.App
		ev.Principal, ev.PrincipalType = first(a.AppID, a.ServicePrincipalID, a.DisplayName), "service-principal"
		ev.SetAttr("principal_id", string(a.ServicePrincipalID))
		ev.SetAttr("principal_name", first(a.DisplayName, a.ServicePrincipalName))
	}
	setAddress(ev, first(text(ip), t.CallerIPAddress))
	var details []struct{ Key, Value text }
	if !nested(p.AdditionalDetails, &details) {
		nested(t.AdditionalDetails, &details)
	}
	for _, d := range details {
		switch string(d.Key) {
		case "User-Agent":
			ev.UserAgent = string(d.Value)
		case "AppId":
			ev.SetAttr("target_app_id", string(d.Value)) // the target application's, not the caller's
		}
	}
	if ev.UserAgent == "" {
		ev.UserAgent = pick(p.UserAgent, t.UserAgent)
	}

	var targets []target
	if !nested(p.TargetResources, &targets) {
		nested(t.TargetResources, &targets)
	}
	if len(targets) > 0 {
		tr := &targets[0]
		ev.Resource, ev.ResourceType = first(tr.ID, tr.UserPrincipalName, tr.DisplayName), string(tr.Type)
		ev.SetAttr("target_name", string(tr.DisplayName))
		ev.SetAttr("target_upn", string(tr.UserPrincipalName))
		if len(targets) > 1 {
			ev.SetAttr("target_count", len(targets))
		}
	}

	// result says how it ended: success, failure, timeout (not an outcome: unknown).
	result := first(p.Result, t.Result)
	if result != "" {
		ev.Outcome = wordOutcome(result)
	} else {
		ev.Outcome = wordOutcome(string(t.ResultType))
	}
	ev.SetAttr("result", result)
	ev.SetAttr("result_reason", pick(p.ResultReason, t.ResultReason))

	// The Entra audit category: in properties under diagnostic settings, at the top in Log
	// Analytics and Graph (where the envelope's own category, AuditLogs, is not there to mistake).
	auditCategory := string(p.Category)
	if auditCategory == "" && !strings.EqualFold(string(t.Category), "AuditLogs") {
		auditCategory = string(t.Category)
	}
	ev.SetAttr("audit_category", auditCategory)
	ev.SetAttr("logged_by_service", pick(p.LoggedByService, t.LoggedByService))
	ev.SetAttr("operation_type", first(p.OperationType, t.OperationType, t.AADOperationType))
	ev.SetAttr("audit_id", pick(p.ID, t.ID))
	r.setTenant(ev)
	if _, name := readIdentity(t.Identity); name != "" {
		ev.SetAttr("identity_name", name)
	}
	categorizeAudit(ev, targets)
	return nil
}

// categorizeAudit finds credentials added to or removed from an application or service principal.
// Entra logs a target's credentials as the KeyDescription property, old and new values each a
// list of "[KeyIdentifier=<guid>,KeyType=…,KeyUsage=…,DisplayName=…]": a key id in the new list
// only was added, in the old list only removed. Added keys make the event credential_issue with
// attrs.issued_credential azure-key-id:<guid>; only removed keys make it credential_revoke with
// attrs.revoked_credential. "Add service principal credentials" and "Remove service principal
// credentials" are credential_issue and credential_revoke even when the record lists no key id;
// the handle is then left out, never invented.
func categorizeAudit(ev *normalize.Event, targets []target) {
	var added, removed []keyDesc
	for i := range targets {
		for _, mp := range targets[i].ModifiedProperties {
			if !strings.EqualFold(string(mp.DisplayName), "KeyDescription") {
				continue
			}
			old, cur := keyDescriptions(string(mp.OldValue)), keyDescriptions(string(mp.NewValue))
			added = append(added, missing(cur, old)...)
			removed = append(removed, missing(old, cur)...)
		}
	}
	activity := strings.ToLower(strings.TrimSpace(ev.Action))
	switch {
	case len(added) > 0:
		ev.Category = normalize.CredentialIssue
	case len(removed) > 0:
		ev.Category = normalize.CredentialRevoke
	case activity == "add service principal credentials":
		ev.Category = normalize.CredentialIssue
	case activity == "remove service principal credentials":
		ev.Category = normalize.CredentialRevoke
	}
	setKeys(ev, normalize.AttrIssuedCredential, "issued", added)
	setKeys(ev, normalize.AttrRevokedCredential, "revoked", removed)
}

// setKeys records key handles: the first under key, all of them under key+"s" when there are
// several, and the first one's type and display name.
func setKeys(ev *normalize.Event, key, prefix string, keys []keyDesc) {
	if len(keys) == 0 {
		return
	}
	ev.SetAttr(key, normalize.Handle(normalize.SchemeAzureKeyID, keys[0].id))
	ev.SetAttr(prefix+"_key_type", keys[0].typ)
	ev.SetAttr(prefix+"_key_name", keys[0].name)
	if len(keys) > 1 {
		all := make([]string, len(keys))
		for i, k := range keys {
			all[i] = normalize.Handle(normalize.SchemeAzureKeyID, k.id)
		}
		ev.SetAttr(key+"s", all)
	}
}

// keyDesc is one credential in a KeyDescription value.
type keyDesc struct{ id, typ, name string }

// keyDescriptions reads every [KeyIdentifier=…,KeyType=…,KeyUsage=…,DisplayName=…] entry in v
// (whatever JSON quoting surrounds them). An entry whose KeyIdentifier is not a GUID is skipped:
// key ids are GUIDs, and anything else would not be a handle worth matching. Ids are lower-cased
// so that the same key compares equal to its id in a sign-in.
func keyDescriptions(v string) []keyDesc {
	var out []keyDesc
	const marker = "KeyIdentifier="
	for {
		i := strings.Index(v, marker)
		if i < 0 {
			return out
		}
		v = v[i+len(marker):]
		entry := v
		if j := strings.IndexByte(entry, ']'); j >= 0 {
			entry = entry[:j]
		}
		parts := strings.Split(entry, ",")
		k := keyDesc{id: strings.ToLower(strings.TrimSpace(parts[0]))}
		for n := 1; n < len(parts); n++ {
			name, val, _ := strings.Cut(parts[n], "=")
			switch name {
			case "KeyType":
				k.typ = val
			case "DisplayName": // last, and free text: it keeps any commas
				k.name = strings.TrimPrefix(strings.Join(parts[n:], ","), "DisplayName=")
				n = len(parts)
			}
		}
		if isGUID(k.id) {
			out = append(out, k)
		}
	}
}

// missing returns the keys of a whose id is not in b.
func missing(a, b []keyDesc) []keyDesc {
	var out []keyDesc
outer:
	for _, k := range a {
		for _, o := range b {
			if o.id == k.id {
				continue outer
			}
		}
		out = append(out, k)
	}
	return out
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
