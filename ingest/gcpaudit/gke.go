package gcpaudit

import (
	"strings"

	"github.com/breachline/breachline/ingest/k8saudit"
	"github.com/breachline/breachline/normalize"
)

// gke classes a GKE Kubernetes audit entry with the k8s-audit rules. methodName is
// io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>; resourceName is
// <group>/<version>/namespaces/<ns>/<resource>/<name>/<subresource> (k8saudit.ResourceName's
// form), from which the object is read, and the verb is methodName's last element.
func gke(e *logEntry, ev *normalize.Event) {
	p := e.ProtoPayload
	verb := p.MethodName[strings.LastIndexByte(p.MethodName, '.')+1:]
	ev.SetAttr("verb", verb)
	if r := e.Resource; r != nil {
		ev.SetAttr("cluster", r.Labels["cluster_name"])
		ev.SetAttr("location", r.Labels["location"])
	}
	// GKE copies the audit annotations into the entry's labels.
	ev.SetAttr("authz_decision", e.Labels[labelDecision])
	ev.SetAttr("authz_reason", e.Labels[labelReason])
	obj, ok := parseObject(p.ResourceName)
	if ok {
		ev.ResourceType = obj.resource
		if obj.subresource != "" {
			ev.ResourceType += "/" + obj.subresource
		}
		ev.SetAttr("namespace", obj.namespace)
		ev.Category, ev.SecretRef = k8saudit.Categorize(verb, obj.resource, obj.subresource, obj.namespace, obj.name)
	}
	switch {
	case p.Status != nil && p.Status.Code == codeUnauthenticated:
		// The API server refused the credential (HTTP 401): nothing was read or written.
		ev.Category, ev.SecretRef = normalize.Auth, ""
	case ev.Category == normalize.CredentialIssue:
		ev.SetAttr(normalize.AttrIssuedCredential, k8saudit.CredentialHandle(e.Labels[k8saudit.AnnotationIssuedCredentialID]))
		if obj.namespace != "" && obj.name != "" {
			ev.SetAttr("issued_to", "system:serviceaccount:"+obj.namespace+":"+obj.name)
		}
	}
}

// The labels GKE entries carry and gke promotes to attrs of their own.
const (
	labelDecision = "authorization.k8s.io/decision"
	labelReason   = "authorization.k8s.io/reason"
)

// promoted reports whether a GKE label is kept under its own attr rather than in attrs.labels.
func promoted(label string) bool {
	return label == labelDecision || label == labelReason || label == k8saudit.AnnotationIssuedCredentialID
}

// codeUnauthenticated is google.rpc.Code UNAUTHENTICATED, GKE's rendering of HTTP 401.
const codeUnauthenticated = 16

// object is a Kubernetes API object as a GKE resourceName names it.
type object struct {
	group, version, namespace, resource, name, subresource string
}

// parseObject reads a GKE resourceName. It reports false for names that are not
// <group>/<version>/… object paths. As in the API server's request parsing, the status and
// finalize subresources of a namespace are not namespaced resources.
func parseObject(name string) (object, bool) {
	parts := strings.Split(name, "/")
	if len(parts) < 3 || parts[0] == "" || !isVersion(parts[1]) {
		return object{}, false
	}
	o := object{group: parts[0], version: parts[1]}
	rest := parts[2:]
	if rest[0] == "namespaces" && len(rest) > 1 {
		o.namespace = rest[1]
		if len(rest) > 2 && rest[2] != "status" && rest[2] != "finalize" {
			rest = rest[2:]
		}
	}
	o.resource = rest[0]
	if len(rest) > 1 {
		o.name = rest[1]
	}
	if len(rest) > 2 {
		o.subresource = rest[2]
	}
	if o.resource == "" {
		return object{}, false
	}
	return o, true
}

// isVersion reports whether s is a Kubernetes API version: v1, v2beta1, v1alpha3.
func isVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' || s[1] < '1' || s[1] > '9' {
		return false
	}
	i := 2
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	rest := s[i:]
	for _, q := range []string{"alpha", "beta"} {
		if r, ok := strings.CutPrefix(rest, q); ok && r != "" && strings.Trim(r, "0123456789") == "" {
			return true
		}
	}
	return rest == ""
}
