package k8saudit

import (
	"net/url"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// Categorize returns the category of a Kubernetes API request and, for a secret read or write,
// the secret it touched. It is the one statement of the Kubernetes rules: k8s-audit calls it for
// API server audit events and gcp-audit for GKE entries, so a request is classed the same way
// whichever log it came from.
//
//   - get, list and watch on secrets are secret_read. A named object is k8s:<namespace>/<name>;
//     a list, or a watch of a whole collection, reads every secret in the namespace and is
//     k8s:<namespace>/* (k8s:*/* across all namespaces).
//   - create, update and patch on secrets are secret_write (k8s:<namespace>/<name>, the name left
//     out when the request does not give it).
//   - create on serviceaccounts/token (a TokenRequest) is credential_issue.
//   - pods/exec, pods/attach and pods/portforward are admin: interactive access to a container.
//   - everything else is api_call.
//
// Deleting a secret stays api_call, as in the other cloud ingesters: it destroys a secret rather
// than exposing or replacing one.
func Categorize(verb, resource, subresource, namespace, name string) (normalize.Category, string) {
	switch {
	case resource == "secrets" && subresource == "":
		switch verb {
		case "get", "list", "watch":
			if verb == "list" || name == "" {
				return normalize.SecretRead, SecretRef(namespace, "*")
			}
			return normalize.SecretRead, SecretRef(namespace, name)
		case "create", "update", "patch":
			if name == "" {
				return normalize.SecretWrite, ""
			}
			return normalize.SecretWrite, SecretRef(namespace, name)
		}
	case resource == "serviceaccounts" && subresource == "token" && verb == "create":
		return normalize.CredentialIssue, ""
	case resource == "pods" && (subresource == "exec" || subresource == "attach" || subresource == "portforward"):
		return normalize.Admin, ""
	}
	return normalize.APICall, ""
}

// SecretRef returns the secret reference of a Kubernetes secret: k8s:<namespace>/<name>, with *
// for a namespace or name that stands for all of them (a cluster-wide list).
func SecretRef(namespace, name string) string {
	if namespace == "" {
		namespace = "*"
	}
	return "k8s:" + namespace + "/" + name
}

// execQuery returns the command and container of a pods/exec or pods/attach request URI, as the
// client sent them in the query string (command is repeated once per argument).
func execQuery(requestURI string) (command []string, container string) {
	_, query, ok := strings.Cut(requestURI, "?")
	if !ok {
		return nil, ""
	}
	v, err := url.ParseQuery(query)
	if err != nil && len(v) == 0 {
		return nil, ""
	}
	return v["command"], v.Get("container")
}
