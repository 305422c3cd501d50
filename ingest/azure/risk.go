package azure

import (
	"strings"
	"time"

	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/normalize"
)

// riskAction is the action of a risk detection that names no riskEventType.
const riskAction = "Risk detection"

// risk fills ev from an Entra ID Protection risk detection: a Graph riskDetection, or a
// UserRiskEvents / ServicePrincipalRiskEvents record (in properties under diagnostic settings, at
// the top in Log Analytics' AADUserRiskEvents). It reports what Entra saw of a sign-in or a
// token, not the sign-in itself: the time is the risky activity's, the action the detection's
// type, the outcome unknown.
func (r *record) risk(ev *normalize.Event, loc *time.Location) error {
	t, p := &r.top, &r.props
	pick := func(prop, top text) string { return first(prop, top) }
	if err := setTime(ev, loc,
		stamp{"properties.activityDateTime", p.ActivityDateTime}, stamp{"activityDateTime", t.ActivityDateTime},
		stamp{"properties.detectedDateTime", p.DetectedDateTime}, stamp{"detectedDateTime", t.DetectedDateTime},
		stamp{"time", t.Time}, stamp{"TimeGenerated", t.TimeGenerated}); err != nil {
		return err
	}
	ev.Category = normalize.Other
	ev.Action = first(string(p.RiskEventType), string(t.RiskEventType), string(t.OperationName), string(p.OperationName), riskAction)
	ev.SetAttr("log_category", first(string(t.Category), string(t.Type)))
	ev.RequestID = pick(p.CorrelationID, t.CorrelationID)

	upn, userID := pick(p.UserPrincipalName, t.UserPrincipalName), pick(p.UserID, t.UserID)
	appID, spID := pick(p.AppID, t.AppID), pick(p.ServicePrincipalID, t.ServicePrincipalID)
	switch {
	case upn != "" || userID != "":
		ev.Principal, ev.PrincipalType = first(upn, userID), "user"
	case appID != "" || spID != "":
		ev.Principal, ev.PrincipalType = first(appID, spID), "service-principal"
	}
	setAddress(ev, first(p.IPAddress, t.IPAddress, t.CallerIPAddress))
	ua, bad := additionalInfo(firstRaw(p.AdditionalInfo, t.AdditionalInfo))
	ev.UserAgent = ua
	ev.SetAttr("additional_info_unread", bad)

	ev.SetAttr("detection_id", pick(p.ID, t.ID))
	ev.SetAttr("signin_id", pick(p.RequestID, t.RequestID)) // the sign-in's id, its requestId
	ev.SetAttr("detected_time", pick(p.DetectedDateTime, t.DetectedDateTime))
	ev.SetAttr("risk_level", first(p.RiskLevel, t.RiskLevel))
	ev.SetAttr("risk_state", first(p.RiskState, t.RiskState))
	ev.SetAttr("risk_detail", first(p.RiskDetail, t.RiskDetail))
	ev.SetAttr("risk_source", first(p.Source, t.Source))
	ev.SetAttr("detection_timing", first(p.DetectionTimingType, t.DetectionTimingType))
	ev.SetAttr("risk_activity", first(p.Activity, t.Activity))
	ev.SetAttr("token_issuer_type", first(p.TokenIssuerType, t.TokenIssuerType))
	ev.SetAttr("user_id", userID)
	ev.SetAttr("user_name", pick(p.UserDisplayName, t.UserDisplayName))
	ev.SetAttr("app_id", appID)
	ev.SetAttr("service_principal_id", spID)
	r.setTenant(ev)
	return nil
}

// firstRaw returns the first raw value that is present and not null.
func firstRaw(vs ...jsondec.RawMessage) jsondec.RawMessage {
	for _, v := range vs {
		if len(v) > 0 && string(v) != "null" {
			return v
		}
	}
	return nil
}

// additionalInfo reads a risk detection's additionalInfo: Graph writes it as a JSON string
// holding an array of {"Key","Value"} pairs, Log Analytics as the array itself. It returns the
// userAgent pair's value and, when the value is there but cannot be read, why (the record is kept
// whole all the same: the pairs are extras, and the evidence holds them).
func additionalInfo(raw jsondec.RawMessage) (userAgent, unread string) {
	b := unwrapJSON(raw)
	if len(b) == 0 || string(b) == "null" {
		return "", ""
	}
	var items []jsondec.RawMessage
	if b[0] != '[' || jsondec.Unmarshal(b, &items) != nil {
		return "", "not a JSON array of Key/Value pairs"
	}
	for _, item := range items {
		var kv struct{ Key, Value flex }
		if len(item) == 0 || item[0] != '{' || jsondec.Unmarshal(item, &kv) != nil {
			unread = "an element is not a Key/Value object"
			continue
		}
		if strings.EqualFold(string(kv.Key), "userAgent") && userAgent == "" {
			userAgent = string(kv.Value)
		}
	}
	return userAgent, unread
}
