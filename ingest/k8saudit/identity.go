package k8saudit

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Keys of user.extra and annotations the API server writes about credentials.
const (
	// ExtraCredentialID is the user.extra key naming the credential a request authenticated
	// with: JTI=<jti> for service account tokens, X509SHA256=<hash> for client certificates.
	ExtraCredentialID = "authentication.kubernetes.io/credential-id"
	// AnnotationIssuedCredentialID is the audit annotation a TokenRequest carries with the
	// credential id of the token it issued, the id later requests show in ExtraCredentialID.
	AnnotationIssuedCredentialID = "authentication.kubernetes.io/issued-credential-id"
	// extraAWSAccessKeyID is where the EKS IAM authenticator records the AWS access key that
	// signed the caller's token.
	extraAWSAccessKeyID = "accessKeyId"
)

// PrincipalType classes a Kubernetes user name: serviceaccount (system:serviceaccount:<ns>:<name>),
// node (system:node:<name>), anonymous (system:anonymous), system (other system: identities, the
// control plane's components) or user. An empty name gives "": the record does not say.
func PrincipalType(username string) string {
	switch {
	case username == "":
		return ""
	case strings.HasPrefix(username, "system:serviceaccount:"):
		return "serviceaccount"
	case strings.HasPrefix(username, "system:node:"):
		return "node"
	case username == "system:anonymous":
		return "anonymous"
	case strings.HasPrefix(username, "system:"):
		return "system"
	}
	return "user"
}

// CredentialHandle returns the handle of a credential id as the API server logs it
// (k8s-credential-id:JTI=…), or "" for none.
func CredentialHandle(id string) string {
	if id == "" {
		return ""
	}
	return normalize.Handle(normalize.SchemeK8sCredentialID, id)
}

// identify sets the principal, its credential and the user's details.
func (a *auditEvent) identify(ev *normalize.Event) {
	u := &a.User
	ev.Principal = u.Username
	ev.PrincipalType = PrincipalType(u.Username)
	ev.SetAttr("user_uid", u.UID)
	if len(u.Groups) > 0 {
		ev.SetAttr("groups", u.Groups)
	}
	// Attrs hold map[string]any so that the core's redaction walks every value.
	var extra map[string]any
	for k, v := range u.Extra {
		if k == ExtraCredentialID && len(v) > 0 && v[0] != "" {
			ev.Credential = CredentialHandle(v[0])
			continue
		}
		if extra == nil {
			extra = make(map[string]any, len(u.Extra))
		}
		extra[k] = v
	}
	// EKS: the caller's token was signed with this AWS key; with no Kubernetes credential id it
	// is the credential that links the request to AWS activity.
	if ev.Credential == "" {
		if v := u.Extra[extraAWSAccessKeyID]; len(v) > 0 && v[0] != "" {
			ev.Credential = normalize.AWSKeyHandle(v[0])
			delete(extra, extraAWSAccessKeyID)
		}
	}
	if len(extra) > 0 {
		ev.SetAttr("user_extra", extra)
	}
	if im := a.ImpersonatedUser; im != nil {
		ev.SetAttr("impersonated_user", im.Username)
		if len(im.Groups) > 0 {
			ev.SetAttr("impersonated_groups", im.Groups)
		}
	}
}
