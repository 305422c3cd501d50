package githubaudit

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// exact are actions whose category is not their prefix's.
var exact = map[string]normalize.Category{
	// Reads of repository contents.
	"git.clone":         normalize.DataAccess,
	"git.fetch":         normalize.DataAccess,
	"repo.download_zip": normalize.DataAccess,
	// Sign-ins.
	"user.login":               normalize.Auth,
	"user.failed_login":        normalize.Auth,
	"org.sso_response":         normalize.Auth,
	"business.sso_response":    normalize.Auth,
	"org.recovery_code_used":   normalize.Auth,
	"org.recovery_code_failed": normalize.Auth,
	// Application client secrets.
	"oauth_application.reset_secret":     normalize.CredentialIssue,
	"integration.generate_client_secret": normalize.CredentialIssue,
}

// credentialPrefixes are the categories of actions on credentials: tokens, OAuth grants, SSH
// and deploy keys, SSO authorizations of a credential. An action whose operation makes the
// credential work (created, granted) is a credential_issue, one that makes it stop working is a
// credential_revoke, anything else about it is admin.
var credentialPrefixes = map[string]bool{
	"personal_access_token": true, "oauth_access": true, "oauth_authorization": true,
	"deploy_key": true, "public_key": true, "org_credential_authorization": true,
}

var issueOps = map[string]bool{
	"create": true, "generate": true, "regenerate": true, "access_granted": true, "grant": true,
}

var revokeOps = map[string]bool{
	"destroy": true, "delete": true, "remove": true, "revoke": true, "access_revoked": true,
	"deauthorize": true,
}

// adminPrefixes are categories that change the configuration of an account, an organization,
// an enterprise or a repository; families are matched by prefix (org_…, business_…).
var adminPrefixes = map[string]bool{
	"org": true, "business": true, "enterprise": true, "team": true, "repo": true,
	"protected_branch": true, "repository_ruleset": true, "hook": true, "integration": true,
	"integration_installation": true, "oauth_application": true, "ip_allow_list": true,
	"ip_allow_list_entry": true, "role": true, "environment": true, "members_can_create_pages": true,
}

var adminFamilies = []string{
	"org_", "business_", "enterprise_", "repository_", "dependabot_", "secret_scanning",
	"advanced_security", "organization_", "custom_property", "members_can_",
}

// categorize sets the category, the outcome and, for secret events, the secret reference.
// GitHub records no result field: an entry describes an action that took place, so the outcome
// is left unknown except for actions whose name reports a failure.
func categorize(r *record, ev *normalize.Event) {
	action := string(r.Action)
	prefix, op, _ := strings.Cut(action, ".")
	switch {
	case exact[action] != "":
		ev.Category = exact[action]
	case isSecretOp(prefix, op):
		ev.Category = normalize.SecretWrite
		ev.SecretRef = secretRef(r, prefix, op)
		ev.SetAttr("secret_name", string(r.Key))
	case credentialPrefixes[prefix]:
		switch {
		case issueOps[op]:
			ev.Category = normalize.CredentialIssue
		case revokeOps[op]:
			ev.Category = normalize.CredentialRevoke
		default:
			ev.Category = normalize.Admin
		}
	case strings.HasSuffix(prefix, "_alert"):
		// secret_scanning_alert, code_scanning_alert, repository_vulnerability_alert, …:
		// GitHub's findings and their triage, not changes to anything.
		ev.Category = normalize.Other
	case isAdmin(prefix):
		ev.Category = normalize.Admin
	default:
		ev.Category = normalize.APICall
	}
	if op == "failed_login" || strings.HasSuffix(op, "_failure") || strings.HasSuffix(op, "_failed") {
		ev.Outcome = normalize.Failure
	}
}

func isAdmin(prefix string) bool {
	if adminPrefixes[prefix] {
		return true
	}
	for _, f := range adminFamilies {
		if strings.HasPrefix(prefix, f) {
			return true
		}
	}
	return false
}

// isSecretOp reports whether an action creates, updates or removes an Actions, Dependabot or
// Codespaces secret: repo.create_actions_secret, org.update_integration_secret,
// environment.remove_actions_secret, codespaces.create_an_org_secret, …. Secret scanning is
// about finding leaked secrets, not storing them, and is not one.
func isSecretOp(prefix, op string) bool {
	if strings.Contains(prefix, "secret_scanning") {
		return false
	}
	verb, rest, ok := strings.Cut(op, "_")
	if !ok || (rest != "secret" && !strings.HasSuffix(rest, "_secret")) {
		return false
	}
	switch verb {
	case "create", "update", "remove", "delete", "destroy":
		return true
	}
	return false
}

// secretRef names the secret an action touched:
//
//	github:<org>/<store>/<NAME>                                   organization secret
//	github:<owner>/<repo>/<store>/<NAME>                          repository secret
//	github:<owner>/<repo>/environments/<env>/<store>/<NAME>       environment secret
//
// where <store> is actions, dependabot or codespaces: the three keep separate secrets under the
// same name. NAME is the key field. When a part is not in the record (an integration secret
// without its integration, an environment secret without environment_name) the reference is left
// empty rather than guessed; secret_name still shows the name.
func secretRef(r *record, prefix, op string) string {
	key := string(r.Key)
	store := ""
	switch _, rest, _ := strings.Cut(op, "_"); {
	case strings.HasPrefix(rest, "actions_"):
		store = "actions"
	case strings.HasPrefix(rest, "dependabot_"):
		store = "dependabot"
	case strings.HasPrefix(rest, "codespaces_") || prefix == "codespaces":
		store = "codespaces"
	case strings.HasPrefix(rest, "integration_"):
		store = strings.ToLower(string(r.Integration))
	}
	if key == "" || store == "" {
		return ""
	}
	repo := repoName(r)
	if repo != "" && !strings.Contains(repo, "/") {
		return "" // a bare repository name could be read as an organization's
	}
	switch {
	case prefix == "environment":
		if repo == "" || r.EnvironmentName == "" {
			return ""
		}
		return "github:" + repo + "/environments/" + string(r.EnvironmentName) + "/" + store + "/" + key
	case prefix == "org" || strings.Contains(op, "_org_"):
		if r.Org == "" {
			return ""
		}
		return "github:" + string(r.Org) + "/" + store + "/" + key
	case repo != "":
		return "github:" + repo + "/" + store + "/" + key
	case r.Org != "":
		return "github:" + string(r.Org) + "/" + store + "/" + key
	}
	return ""
}

// repoName returns the repository the event is about: repo (most events) or repository (Git
// events), both written owner/name by GitHub.
func repoName(r *record) string {
	if r.Repo != "" {
		return string(r.Repo)
	}
	return string(r.Repository)
}
