package azure

import (
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// signInStatus is a sign-in's status: an object in diagnostic settings and Graph, a JSON string
// in Log Analytics.
type signInStatus struct {
	ErrorCode         flex `json:"errorCode"`
	FailureReason     flex `json:"failureReason"`
	AdditionalDetails flex `json:"additionalDetails"`
}

// signInAction is the operationName Entra gives every sign-in record; Graph API sign-ins, which
// have no operationName, are given the same.
const signInAction = "Sign-in activity"

// signIn fills ev from an Entra ID sign-in. Diagnostic settings keep the sign-in in properties
// under an envelope (time, category, resultType, callerIpAddress); Graph and Log Analytics keep
// it at the top level. Users sign in as their UPN; service principals and managed identities as
// their application (client) id, the id their tokens carry as appid. A service principal's
// servicePrincipalCredentialKeyId is the credential it presented.
func (r *record) signIn(ev *normalize.Event, loc *time.Location) error {
	t, p := &r.top, &r.props
	pick := func(prop, top text) string { return first(prop, top) }
	if err := setTime(ev, loc,
		stamp{"properties.createdDateTime", p.CreatedDateTime}, stamp{"createdDateTime", t.CreatedDateTime},
		stamp{"time", t.Time}, stamp{"TimeGenerated", t.TimeGenerated}); err != nil {
		return err
	}
	ev.Category = normalize.Auth
	ev.Action = first(t.OperationName, p.OperationName)
	if ev.Action == "" {
		ev.Action = signInAction
	}
	logCategory := first(string(t.Category), string(t.Type))
	ev.SetAttr("log_category", logCategory)
	ev.RequestID = pick(p.CorrelationID, t.CorrelationID)
	ev.UserAgent = pick(p.UserAgent, t.UserAgent)
	setAddress(ev, first(p.IPAddress, t.IPAddress, t.CallerIPAddress))

	appID := pick(p.AppID, t.AppID)
	spID := pick(p.ServicePrincipalID, t.ServicePrincipalID)
	upn := pick(p.UserPrincipalName, t.UserPrincipalName)
	cat := strings.ToLower(logCategory)
	switch {
	case strings.Contains(cat, "managedidentity"):
		ev.Principal, ev.PrincipalType = first(text(appID), text(spID)), "managed-identity"
	case strings.Contains(cat, "serviceprincipal"), upn == "" && spID != "" && pick(p.UserID, t.UserID) == "":
		ev.Principal, ev.PrincipalType = first(text(appID), text(spID)), "service-principal"
	default:
		ev.Principal, ev.PrincipalType = first(text(upn), p.UserID, t.UserID), "user"
		if ev.Principal == "" {
			ev.PrincipalType = ""
		}
	}
	if key := pick(p.ServicePrincipalCredentialKeyID, t.ServicePrincipalCredentialKeyID); key != "" {
		ev.Credential = normalize.Handle(normalize.SchemeAzureKeyID, strings.ToLower(key))
	}

	// The resource signed in to. resourceId means the resource's app id inside a sign-in, but an
	// ARM-style path (/tenants/…/providers/Microsoft.aadiam) at the top of an envelope; Log
	// Analytics calls the app id ResourceIdentity.
	resource := first(p.ResourceID, t.ResourceIdentity)
	if resource == "" && !strings.HasPrefix(string(t.ResourceID), "/") {
		resource = string(t.ResourceID)
	}
	ev.Resource = resource
	ev.SetAttr("resource_name", pick(p.ResourceDisplayName, t.ResourceDisplayName))

	r.signInOutcome(ev)

	ev.SetAttr("signin_id", pick(p.ID, t.ID))
	ev.SetAttr("app_id", appID)
	ev.SetAttr("app_name", pick(p.AppDisplayName, t.AppDisplayName))
	ev.SetAttr("user_id", pick(p.UserID, t.UserID))
	ev.SetAttr("user_name", pick(p.UserDisplayName, t.UserDisplayName))
	ev.SetAttr("service_principal_id", spID)
	ev.SetAttr("service_principal_name", pick(p.ServicePrincipalName, t.ServicePrincipalName))
	ev.SetAttr("credential_thumbprint", pick(p.ServicePrincipalCredentialThumbprint, t.ServicePrincipalCredentialThumbprint))
	ev.SetAttr("federated_credential_id", pick(p.FederatedCredentialID, t.FederatedCredentialID))
	ev.SetAttr("client_app", pick(p.ClientAppUsed, t.ClientAppUsed))
	ev.SetAttr("auth_protocol", pick(p.AuthenticationProtocol, t.AuthenticationProtocol))
	ev.SetAttr("auth_requirement", pick(p.AuthenticationRequirement, t.AuthenticationRequirement))
	ev.SetAttr("conditional_access", pick(p.ConditionalAccessStatus, t.ConditionalAccessStatus))
	ev.SetAttr("interactive", boolAttr(first(p.IsInteractive, t.IsInteractive)))
	ev.SetAttr("unique_token_identifier", pick(p.UniqueTokenIdentifier, t.UniqueTokenIdentifier))
	ev.SetAttr("incoming_token_type", pick(p.IncomingTokenType, t.IncomingTokenType))
	r.setTenant(ev)
	if _, name := readIdentity(t.Identity); name != "" {
		ev.SetAttr("identity_name", name)
	}
	return nil
}

// signInOutcome reads how a sign-in ended. status.errorCode is Entra's answer: 0 is success,
// anything else a failure (interrupts such as 50074, MFA required, included: the sign-in did not
// complete), with the code in attrs.error_code. Without a status the envelope's resultType carries
// the same code as a string ("0", "50126"); some shippers write Success or Failure there instead.
func (r *record) signInOutcome(ev *normalize.Event) {
	t, p := &r.top, &r.props
	var st signInStatus
	if !nested(p.Status, &st) {
		nested(t.Status, &st)
	}
	code := strings.TrimSpace(first(st.ErrorCode, p.ResultType, t.ResultType))
	switch {
	case code == "0":
		ev.Outcome = normalize.Success
	case digits(code):
		ev.Outcome = normalize.Failure
		ev.SetAttr("error_code", code)
	default:
		ev.Outcome = wordOutcome(code)
		ev.SetAttr("result_type", code)
	}
	if ev.Outcome == normalize.Failure {
		ev.SetAttr("failure_reason", first(st.FailureReason, flex(p.ResultDescription), flex(t.ResultDescription)))
		ev.SetAttr("failure_details", string(st.AdditionalDetails))
	}
}
