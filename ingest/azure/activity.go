package azure

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// httpRequest is the activity log's account of the ARM request, camelCase from REST and
// PowerShell, snake_case from the Python SDK.
type httpRequest struct {
	ClientRequestID   flex `json:"clientRequestId"`
	ClientRequestIDPy flex `json:"client_request_id"`
	ClientIPAddress   flex `json:"clientIpAddress"`
	ClientIPAddressPy flex `json:"client_ip_address"`
	Method            flex `json:"method"`
}

// callerAddress returns the caller's address and, when it is not a field of the request itself,
// where it came from. The request's own fields come first: callerIpAddress (diagnostic settings,
// Log Analytics, PowerShell), then httpRequest.clientIpAddress (REST, SDK). Only a record with
// neither (the REST and portal exports of some operations) falls back to the token's ipaddr
// claim, which is the address the token was issued to: usually the caller's, but not the
// request's by definition, hence from = "claims.ipaddr" (attrs.src_ip_from).
func callerAddress(t *fields, req *httpRequest, c *claims) (addr, from string) {
	if a := first(flex(t.CallerIPAddress), req.ClientIPAddress, req.ClientIPAddressPy); a != "" {
		return a, ""
	}
	if c != nil && c.IPAddr != "" {
		return string(c.IPAddr), "claims.ipaddr"
	}
	return "", ""
}

// activity fills ev from an activity log record or, for kindResource, from the common schema
// every Azure resource log shares (time, operationName, category, resultType, callerIpAddress,
// identity); storage logs add their object and HTTP status.
func (r *record) activity(ev *normalize.Event, loc *time.Location, k kind) error {
	t := &r.top
	if err := setTime(ev, loc,
		stamp{"eventTimestamp", t.EventTimestamp}, stamp{"event_timestamp", t.EventTimestampPy},
		stamp{"time", t.Time}, stamp{"TimeGenerated", t.TimeGenerated}); err != nil {
		return err
	}
	// Log Analytics' AzureActivity puts the operation in OperationNameValue and a localized
	// title in OperationName; everywhere else operationName (or its .value) is the operation.
	ev.Action = first(t.OperationNameValue, t.OperationName, t.OperationNamePy)
	if ev.Action == "" {
		return errors.New("activity log record without operationName")
	}
	logCategory := first(t.Category, t.CategoryValue)
	ev.SetAttr("log_category", logCategory)
	ev.RequestID = first(t.CorrelationID, t.CorrelationIDPy)
	ev.Resource = r.resourceID()
	ev.ResourceType = first(t.ResourceType, t.ResourceTypePy)
	if ev.ResourceType == "" {
		ev.ResourceType = armType(ev.Resource)
	}

	// The caller field, where the envelope has one, names the principal (Azure fills it from the
	// UPN or the service principal's app id); the claims say what kind it is.
	ev.Principal = string(t.Caller)
	obj, name := readIdentity(t.Identity)
	c := readClaims(t.Claims)
	if c == nil {
		c = obj.Claims.unwrap()
	}
	c.identify(ev)
	ev.SetAttr("identity_name", name)

	var req httpRequest
	if !nested(t.HTTPRequest, &req) {
		nested(t.HTTPRequestPy, &req)
	}
	if addr, from := callerAddress(t, &req, c); addr != "" {
		setAddress(ev, addr)
		ev.SetAttr("src_ip_from", from)
	}
	ev.SetAttr("http_method", string(req.Method))
	ev.SetAttr("client_request_id", first(req.ClientRequestID, req.ClientRequestIDPy))

	status := first(t.ResultType, t.ActivityStatusValue, statusValue(t.Status))
	ev.Outcome = wordOutcome(status)
	ev.SetAttr("status", status)
	ev.SetAttr("sub_status", first(t.SubStatus, t.SubStatusPy, t.ActivitySubstatusValue))
	ev.SetAttr("result_signature", string(t.ResultSignature))
	ev.SetAttr("event_name", first(t.EventName, t.EventNamePy))
	ev.SetAttr("event_id", first(t.EventDataID, t.EventDataIDPy))
	ev.SetAttr("operation_id", first(t.OperationID, t.OperationIDPy))
	ev.SetAttr("subscription", first(t.SubscriptionID, t.SubscriptionIDPy))
	ev.SetAttr("resource_group", first(t.ResourceGroupName, t.ResourceGroupPy, t.ResourceGroup))
	ev.SetAttr("level", string(t.Level))
	r.setTenant(ev)

	if k == kindResource {
		r.resourceLog(ev, &obj)
		return nil
	}
	categorizeActivity(ev, logCategory)
	return nil
}

// resourceLog reads what the common schema leaves to each service: the requester of a storage
// log, the object it touched, the HTTP status.
func (r *record) resourceLog(ev *normalize.Event, id *identityObject) {
	t, p := &r.top, &r.props
	if ev.Principal == "" {
		if c := id.Claim.unwrap(); c != nil {
			c.identify(ev)
		}
	}
	if q := id.Requester; q != nil && ev.Principal == "" {
		switch {
		case q.UPN != "":
			ev.Principal, ev.PrincipalType = string(q.UPN), "user"
		case q.AppID != "":
			ev.Principal, ev.PrincipalType = string(q.AppID), "service-principal"
		default:
			ev.Principal = string(q.ObjectID)
		}
		ev.SetAttr("principal_id", string(q.ObjectID))
		ev.SetAttr("app_id", string(q.AppID))
	}
	ev.SetAttr("auth_type", string(id.Type))
	ev.SetAttr("token_hash", string(id.TokenHash))
	ev.UserAgent = first(p.UserAgentHeader, p.UserAgent, t.UserAgent)
	if key := first(p.ObjectKey, t.ObjectKey); key != "" {
		ev.SetAttr("resource_id", ev.Resource)
		ev.Resource, ev.ResourceType = key, ""
	}
	uri := first(t.URI, p.URI)
	ev.SetAttr("uri", uri)
	if ev.Credential == "" && string(id.Type) == "SAS" {
		// A SAS request presents the token in its URI: its signature is the credential.
		if _, hs := r.key.Redact(uri); len(hs) > 0 {
			ev.Credential = hs[0]
		}
	}
	code := first(t.StatusCode, p.StatusCode)
	ev.SetAttr("status_code", code)
	ev.SetAttr("status_text", first(t.StatusText, p.StatusText))
	if ev.Outcome == normalize.Unknown {
		ev.Outcome = httpOutcome(code)
	}
	ev.Category = normalize.Other
	if hasPrefixFold(first(t.Category, t.CategoryValue), "storage") || indexFold(r.resourceID(), "/providers/microsoft.storage/") >= 0 {
		ev.Category = normalize.DataAccess
	}
}

// statusValue reads the activity log's status: {"value": …} from REST, a string from PowerShell.
func statusValue(raw []byte) flex {
	var s flex
	if len(raw) > 0 && s.UnmarshalJSON(raw) != nil {
		return ""
	}
	return s
}

// wordOutcome maps the activity log's status words. Start, Started, Accepted and Active report an
// operation under way, not how it ended: unknown.
func wordOutcome(s string) normalize.Outcome {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "success", "succeeded":
		return normalize.Success
	case "failure", "failed":
		return normalize.Failure
	}
	return normalize.Unknown
}

// httpOutcome maps an HTTP status code: 1xx–3xx succeeded, 4xx–5xx failed, anything else unknown.
// Log Analytics writes numbers as doubles ("200.0").
func httpOutcome(code string) normalize.Outcome {
	f, err := strconv.ParseFloat(strings.TrimSpace(code), 64)
	switch {
	case err != nil:
		return normalize.Unknown
	case f >= 100 && f < 400:
		return normalize.Success
	case f >= 400 && f < 600:
		return normalize.Failure
	}
	return normalize.Unknown
}

// setAddress puts the caller's address in src_ip, or, when it is not an IP address, a host name
// in attrs.source_host and anything else (Key Vault's "<Redacted>") in attrs.caller_address.
func setAddress(ev *normalize.Event, v string) {
	ip, host := normalize.SplitAddress(v)
	ev.SrcIP = ip
	if ip != "" || host == "" {
		return
	}
	if hostName(host) {
		ev.SetAttr(normalize.AttrSourceHost, host)
	} else {
		ev.SetAttr("caller_address", host)
	}
}

func hostName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return strings.Contains(s, ".")
}

// armType returns the resource type an ARM id names, Provider.Namespace/type[/subtype…]
// ("/subscriptions/…/providers/Microsoft.Compute/disks/d1" → "Microsoft.Compute/disks"), or "".
// It is read from the id, as ARM defines it, not guessed.
func armType(id string) string {
	i := lastIndexFold(id, "/providers/")
	if i < 0 {
		return ""
	}
	segs := strings.Split(strings.Trim(id[i+len("/providers/"):], "/"), "/")
	if len(segs) < 3 {
		return ""
	}
	typ := segs[0]
	for j := 1; j < len(segs); j += 2 {
		typ += "/" + segs[j]
	}
	return typ
}
