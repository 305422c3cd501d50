package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// k8sRequest is one request to the API server, written as its audit stages.
type k8sRequest struct {
	t         time.Time
	verb      string
	namespace string
	name      string // empty for a list
	user      string
	credID    string
	ip        string
	ua        string
	code      int
}

var k8sSeq int

func (r k8sRequest) lines() []string {
	k8sSeq++
	id := fmt.Sprintf("a1b2c3d4-%04x-4e5f-9a0b-%012x", k8sSeq, k8sSeq*104659)
	uri := "/api/v1/namespaces/" + r.namespace + "/secrets"
	ref := map[string]any{"resource": "secrets", "namespace": r.namespace, "apiVersion": "v1"}
	if r.name != "" {
		uri += "/" + r.name
		ref["name"] = r.name
	}
	stage := func(s string, at time.Time, complete bool) string {
		e := map[string]any{
			"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": id, "stage": s,
			"requestURI": uri, "verb": r.verb,
			"user": map[string]any{"username": r.user, "groups": []string{"system:serviceaccounts", "system:authenticated"},
				"extra": map[string]any{"authentication.kubernetes.io/credential-id": []string{r.credID}}},
			"sourceIPs": []string{r.ip}, "userAgent": r.ua, "objectRef": ref,
			"requestReceivedTimestamp": r.t.UTC().Format("2006-01-02T15:04:05.000000Z"),
			"stageTimestamp":           at.UTC().Format("2006-01-02T15:04:05.000000Z"),
		}
		if complete {
			e["responseStatus"] = map[string]any{"metadata": map[string]any{}, "code": r.code}
			e["annotations"] = map[string]any{"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}
		}
		b, _ := json.Marshal(e)
		return string(b)
	}
	return []string{stage("RequestReceived", r.t, false), stage("ResponseComplete", r.t.Add(4*time.Millisecond), true)}
}

// k8sAudit returns the API server's audit log: the Space launcher reading each Space's secret
// when it starts it, and the intruder listing every secret of the acme namespace with the
// builder's leaked service account token.
func k8sAudit() []string {
	launcher := func(t time.Time, ns, name string) k8sRequest {
		return k8sRequest{t, "get", ns, name, "system:serviceaccount:spaces-system:launcher", launcherJTI, "10.40.0.5", "launcher/1.8.2", 200}
	}
	var rs []k8sRequest
	for day := 1; day <= 2; day++ {
		rs = append(rs,
			launcher(at(day, 6, 9, 55), "spaces-acme", "chatbot"),
			launcher(at(day, 6, 9, 58), "spaces-acme", "ingest"),
			launcher(at(day, 6, 10, 1), "spaces-datalab", "vision"),
			launcher(at(day, 6, 10, 4), "spaces-datalab", "notebook"),
			launcher(at(day, 6, 10, 7), "spaces-datalab", "translate"),
			launcher(at(day, 6, 10, 10), "spaces-datalab", "atlas"),
		)
	}
	rs = append(rs,
		k8sRequest{at(3, 2, 20, 3), "list", "spaces-acme", "", "system:serviceaccount:spaces-build:builder", builderJTI, attackerIP1, "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819", 200},
		k8sRequest{at(3, 2, 20, 40), "get", "spaces-datalab", "notebook", "system:serviceaccount:spaces-build:builder", builderJTI, attackerIP1, "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819", 403},
		launcher(at(3, 6, 9, 55), "spaces-acme", "chatbot"),
		launcher(at(3, 6, 9, 58), "spaces-acme", "ingest"),
		launcher(at(3, 6, 10, 7), "spaces-datalab", "translate"),
	)
	sortBy(rs, func(r k8sRequest) time.Time { return r.t })
	var out []string
	for _, r := range rs {
		out = append(out, r.lines()...)
	}
	return out
}
