package vaultaudit

import "github.com/breachline/breachline/normalize"

// identify sets the principal from the auth object. Vault names the caller differently per auth
// method, so the principal is the most specific name the method records, in this order:
//
//   - metadata.email (OIDC/JWT with an email claim mapping)          → principal_type "user"
//   - metadata.username (userpass, LDAP, GitHub, Okta, RADIUS)       → "user"
//   - metadata.client_arn, canonical_arn (AWS IAM auth: the ARN
//     CloudTrail shows for the same caller)                         → "aws-iam"
//   - metadata.service_account_namespace + service_account_name
//     (Kubernetes auth: rendered system:serviceaccount:<ns>:<name>,
//     the name the Kubernetes audit log uses)                       → "kubernetes-service-account"
//   - metadata.role_name (AppRole)                                   → "approle"
//   - display_name (token, root, and methods without metadata)       → "token"
//   - entity_id                                                      → "entity"
//
// display_name, entity_id and the whole metadata map are kept in attrs.
func identify(a *auth, ev *normalize.Event) {
	if a == nil {
		return
	}
	ev.SetAttr("display_name", a.DisplayName)
	ev.SetAttr("entity_id", a.EntityID)
	ev.SetAttr("token_type", a.TokenType)
	ev.SetAttr("token_issue_time", a.TokenIssueTime)
	if len(a.TokenPolicies) > 0 {
		ev.SetAttr("token_policies", a.TokenPolicies)
	}
	if len(a.Policies) > 0 {
		ev.SetAttr("policies", a.Policies)
	}
	if pr := a.PolicyResults; pr != nil && pr.Allowed != nil {
		ev.SetAttr("policy_allowed", *pr.Allowed)
	}
	md := a.Metadata
	if len(md) > 0 {
		ev.SetAttr("auth_metadata", md)
	}
	get := func(k string) string { s, _ := md[k].(string); return s }
	switch {
	case get("email") != "":
		ev.Principal, ev.PrincipalType = get("email"), "user"
	case get("username") != "":
		ev.Principal, ev.PrincipalType = get("username"), "user"
	case get("client_arn") != "":
		ev.Principal, ev.PrincipalType = get("client_arn"), "aws-iam"
	case get("canonical_arn") != "":
		ev.Principal, ev.PrincipalType = get("canonical_arn"), "aws-iam"
	case get("service_account_name") != "" && get("service_account_namespace") != "":
		ev.Principal = "system:serviceaccount:" + get("service_account_namespace") + ":" + get("service_account_name")
		ev.PrincipalType = "kubernetes-service-account"
	case get("role_name") != "":
		ev.Principal, ev.PrincipalType = get("role_name"), "approle"
	case a.DisplayName != "":
		ev.Principal, ev.PrincipalType = a.DisplayName, "token"
	case a.EntityID != "":
		ev.Principal, ev.PrincipalType = a.EntityID, "entity"
	}
}
