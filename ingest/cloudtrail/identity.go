package cloudtrail

import "github.com/breachline/breachline/normalize"

// identify sets the principal from userIdentity. The principal is the most specific stable name
// the record gives for the acting identity: its ARN where there is one (IAM users, assumed-role
// sessions, federated users, root), the invoking service for AWS services, the account for
// cross-account and anonymous calls, the Identity Center user id. principal_type names the
// userIdentity type in lower-kebab form.
func (r *record) identify(ev *normalize.Event) {
	id := r.UserIdentity
	if id == nil {
		return
	}
	ev.Credential = normalize.AWSKeyHandle(id.AccessKeyID)
	ev.SetAttr("account", id.AccountID)
	ev.SetAttr("principal_id", id.PrincipalID)
	ev.SetAttr("invoked_by", id.InvokedBy)
	if sc := id.SessionContext; sc != nil {
		if si := sc.SessionIssuer; si != nil {
			ev.SetAttr("session_issuer", si.ARN)
		}
		if a := sc.Attributes; a != nil {
			ev.SetAttr("mfa_authenticated", a.MFAAuthenticated)
			ev.SetAttr("session_created", a.CreationDate)
		}
		ev.SetAttr("source_identity", sc.SourceIdentity)
	}
	first := func(vs ...string) string {
		for _, v := range vs {
			if v != "" {
				return v
			}
		}
		return ""
	}
	switch id.Type {
	case "Root":
		ev.PrincipalType = "root"
		ev.Principal = first(id.ARN, "arn:aws:iam::"+id.AccountID+":root")
	case "IAMUser":
		ev.PrincipalType = "iam-user"
		ev.Principal = first(id.ARN, id.UserName, id.PrincipalID)
	case "AssumedRole":
		ev.PrincipalType = "assumed-role"
		ev.Principal = first(id.ARN, id.PrincipalID)
	case "FederatedUser":
		ev.PrincipalType = "federated-user"
		ev.Principal = first(id.ARN, id.PrincipalID)
	case "AWSService":
		ev.PrincipalType = "aws-service"
		ev.Principal = first(id.InvokedBy, id.PrincipalID)
	case "AWSAccount":
		ev.PrincipalType = "aws-account"
		ev.Principal = first(id.AccountID, id.PrincipalID)
		if id.PrincipalID == "" && id.AccountID == "" {
			ev.PrincipalType = "anonymous"
		}
	case "IdentityCenterUser":
		ev.PrincipalType = "identity-center-user"
		if o := id.OnBehalfOf; o != nil {
			ev.Principal = o.UserID
			ev.SetAttr("identity_store", o.IdentityStoreARN)
		}
	case "SAMLUser", "WebIdentityUser":
		ev.PrincipalType = map[string]string{"SAMLUser": "saml-user", "WebIdentityUser": "web-identity-user"}[id.Type]
		ev.Principal = first(id.UserName, id.PrincipalID)
		ev.SetAttr("identity_provider", id.IdentityProvider)
	case "Unknown", "":
		ev.PrincipalType = "unknown"
		ev.Principal = first(id.UserName, id.ARN, id.PrincipalID)
		if id.Type == "" && ev.Principal == "" {
			ev.PrincipalType = ""
		}
	default:
		ev.PrincipalType = id.Type
		ev.Principal = first(id.ARN, id.UserName, id.PrincipalID)
	}
	if ev.Principal == "Anonymous" || id.PrincipalID == "Anonymous" {
		ev.PrincipalType = "anonymous"
	}
}
