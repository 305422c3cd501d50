package gcpaudit

import (
	"strings"

	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/normalize"
)

// categorize sets the category and, for secret and credential events, the secret reference and
// the credentials issued or revoked. Methods are matched on the last element of methodName (the
// RPC name), with the service told by serviceName or, where an export dropped it, by the method's
// package.
func categorize(e *logEntry, ev *normalize.Event) {
	p := e.ProtoPayload
	m := p.MethodName
	rpc := m[strings.LastIndexByte(m, '.')+1:]
	ev.Category = normalize.APICall
	switch {
	case isGKE(p):
		gke(e, ev)
	case p.ServiceName == "secretmanager.googleapis.com" || strings.Contains(m, ".secretmanager."):
		secretManager(p, rpc, ev)
	case p.ServiceName == "iam.googleapis.com" || strings.HasPrefix(m, "google.iam.admin."):
		iamKeys(p, rpc, ev)
	case p.ServiceName == "iamcredentials.googleapis.com" || strings.HasPrefix(m, "google.iam.credentials."):
		switch rpc {
		case "GenerateAccessToken", "GenerateIdToken", "SignJwt":
			// A short-lived token (or a JWT to exchange for one) for a service account, minted
			// by the caller: the token itself is not logged.
			ev.Category = normalize.CredentialIssue
			ev.SetAttr("issued_to", serviceAccountOf(p.ResourceName))
		}
	default:
		workspace(m, rpc, ev)
	}
}

// isGKE reports a GKE Kubernetes audit entry.
func isGKE(p *auditLog) bool {
	return p.ServiceName == "k8s.io" || strings.HasPrefix(p.MethodName, "io.k8s.")
}

// secretManager classes Secret Manager methods. The secret reference is
// gcp-sm:projects/<project>/secrets/<secret> (…/locations/<l>/secrets/<s> for a regional secret)
// as resourceName gives it, which is often the project number where other logs use the project
// id: attrs.secret_project and attrs.project_id keep both forms.
func secretManager(p *auditLog, rpc string, ev *normalize.Event) {
	var req, resp body
	name := p.ResourceName
	switch rpc {
	case "AccessSecretVersion":
		ev.Category = normalize.SecretRead
		if !strings.Contains(name, "/secrets/") {
			decodeBody(p.Request, &req)
			name = req.Name
		}
	case "AddSecretVersion":
		ev.Category = normalize.SecretWrite
		decodeBody(p.Response, &resp)
		if !strings.Contains(name, "/secrets/") {
			decodeBody(p.Request, &req)
			name = req.Parent
		}
		if _, v := splitSecret(resp.Name); v != "" {
			ev.SetAttr("secret_version", v)
		}
	case "CreateSecret":
		ev.Category = normalize.SecretWrite
		if !strings.Contains(name, "/secrets/") {
			decodeBody(p.Request, &req)
			if req.Parent != "" && req.SecretID != "" {
				name = req.Parent + "/secrets/" + req.SecretID
			}
		}
	default:
		return
	}
	secret, version := splitSecret(name)
	if secret == "" {
		return
	}
	ev.SecretRef = "gcp-sm:" + secret
	ev.SetAttr("secret_version", version)
	if proj, _, ok := strings.Cut(strings.TrimPrefix(secret, "projects/"), "/"); ok {
		ev.SetAttr("secret_project", proj)
	}
}

// splitSecret splits a Secret Manager resource name into the secret (up to secrets/<s>) and the
// version (after versions/), either empty when absent.
func splitSecret(name string) (secret, version string) {
	i := strings.Index(name, "/secrets/")
	if i < 0 || !strings.HasPrefix(name, "projects/") {
		return "", ""
	}
	rest := name[i+len("/secrets/"):]
	s, v, _ := strings.Cut(rest, "/versions/")
	s, _, _ = strings.Cut(s, "/")
	if s == "" {
		return "", ""
	}
	v, _, _ = strings.Cut(v, "/")
	return name[:i] + "/secrets/" + s, v
}

// iamKeys classes service account key management. The issued key's name comes from the
// response, the revoked key's from the request (or resourceName).
func iamKeys(p *auditLog, rpc string, ev *normalize.Event) {
	var req, resp body
	switch rpc {
	case "CreateServiceAccountKey", "UploadServiceAccountKey":
		ev.Category = normalize.CredentialIssue
		decodeBody(p.Request, &req)
		decodeBody(p.Response, &resp)
		ev.SetAttr(normalize.AttrIssuedCredential, keyHandle(resp.Name))
		ev.SetAttr("issued_to", serviceAccountOf(first(req.Name, p.ResourceName)))
	case "DeleteServiceAccountKey", "DisableServiceAccountKey":
		ev.Category = normalize.CredentialRevoke
		decodeBody(p.Request, &req)
		key := req.Name
		if !strings.Contains(key, "/keys/") && strings.Contains(p.ResourceName, "/keys/") {
			key = p.ResourceName
		}
		ev.SetAttr(normalize.AttrRevokedCredential, keyHandle(key))
	}
}

// serviceAccountOf returns the service account part of a name like
// projects/<p>/serviceAccounts/<sa>[/keys/<k>]: the e-mail address or unique id it gives.
func serviceAccountOf(name string) string {
	_, sa, ok := strings.Cut(name, "/serviceAccounts/")
	if !ok {
		return ""
	}
	sa, _, _ = strings.Cut(sa, "/")
	return sa
}

// workspace classes Google Workspace entries, which share the AuditLog shell: sign-in events
// (google.login.LoginService.*) are auth, with the outcome their name states; Admin console
// changes (google.admin.AdminService.*) are admin.
func workspace(method, rpc string, ev *normalize.Event) {
	switch {
	case strings.HasPrefix(method, "google.login."):
		ev.Category = normalize.Auth
		ev.SetAttr("workspace", true)
		switch rpc {
		case "loginSuccess":
			ev.Outcome = normalize.Success
		case "loginFailure":
			ev.Outcome = normalize.Failure
		}
	case strings.HasPrefix(method, "google.admin."):
		ev.Category = normalize.Admin
		ev.SetAttr("workspace", true)
	}
}

// decodeBody reads the names a category needs from a request or response body. A body of
// another shape leaves b empty rather than losing the event.
func decodeBody(raw jsondec.RawMessage, b *body) {
	if len(raw) > 2 {
		_ = jsondec.Unmarshal(raw, b)
	}
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
