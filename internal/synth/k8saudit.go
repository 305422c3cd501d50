package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// K8sAudit writes the audit log of n API server requests as the log backend writes it (JSON
// lines, audit.k8s.io/v1, Metadata level), with a busy cluster's mix: controllers, kubelets and
// workloads reading and updating objects, leases renewed, the occasional human with kubectl,
// secret reads, token requests and exec sessions. Requests log their stages as the API server
// does under the widely used policy that omits RequestReceived: most log only ResponseComplete,
// watches and execs ResponseStarted and, much later, ResponseComplete; one in eight comes from a
// server that logs RequestReceived too, answered a few records later. About 1.15 records are
// written per request.
func K8sAudit(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	type actor struct {
		user   map[string]any
		ip, ua string
	}
	var actors []actor
	for i := 0; i < 60; i++ {
		ns := fmt.Sprintf("team-%02d", i%12)
		actors = append(actors, actor{
			user: map[string]any{
				"username": fmt.Sprintf("system:serviceaccount:%s:app-%02d", ns, i),
				"uid":      hexID(r, 8) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 12),
				"groups":   []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
				"extra": map[string][]string{
					"authentication.kubernetes.io/credential-id": {"JTI=" + hexID(r, 8) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 12)},
					"authentication.kubernetes.io/node-name":     {fmt.Sprintf("worker-%d", i%20)},
					"authentication.kubernetes.io/pod-name":      {fmt.Sprintf("app-%02d-%s", i, hexID(r, 5))},
					"authentication.kubernetes.io/pod-uid":       {hexID(r, 8) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 12)},
				},
			},
			ip: ipv4(r, 400), ua: fmt.Sprintf("app-%02d/1.%d.0 (linux/amd64) kubernetes/5864a46", i, i%7),
		})
	}
	for i := 0; i < 20; i++ {
		actors = append(actors, actor{
			user: map[string]any{"username": fmt.Sprintf("system:node:worker-%d", i), "groups": []string{"system:nodes", "system:authenticated"},
				"extra": map[string][]string{"authentication.kubernetes.io/credential-id": {"X509SHA256=" + hexID(r, 64)}}},
			ip: ipv4(r, 400), ua: "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46",
		})
	}
	for _, name := range []string{"alice@example.com", "bob@example.com", "system:kube-controller-manager", "system:kube-scheduler"} {
		actors = append(actors, actor{user: map[string]any{"username": name, "groups": []string{"system:authenticated"}},
			ip: ipv4(r, 400), ua: "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46"})
	}
	type call struct{ verb, resource, sub, group string }
	calls := []call{
		{"get", "pods", "", ""}, {"list", "pods", "", ""}, {"get", "configmaps", "", ""}, {"update", "leases", "", "coordination.k8s.io"},
		{"get", "leases", "", "coordination.k8s.io"}, {"patch", "pods", "status", ""}, {"create", "events", "", ""},
		{"get", "secrets", "", ""}, {"list", "secrets", "", ""}, {"get", "deployments", "", "apps"}, {"update", "deployments", "status", "apps"},
		{"create", "serviceaccounts", "token", ""}, {"get", "nodes", "", ""}, {"patch", "nodes", "status", ""},
	}
	due := map[int][][]byte{} // slot → records written then
	t := Base
	slot := 0
	write := func(b []byte) { bw.Write(b); bw.WriteByte('\n') }
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(4000)) * time.Microsecond)
		a := actors[r.IntN(len(actors))]
		c := pick(r, calls)
		ns := fmt.Sprintf("team-%02d", r.IntN(12))
		name := fmt.Sprintf("%s-%d", c.resource, r.IntN(300))
		pattern := r.IntN(100)
		if pattern < 3 {
			c = call{"watch", pick(r, []string{"pods", "configmaps", "secrets"}), "", ""}
		} else if pattern < 4 {
			c = call{"create", "pods", "exec", ""}
		}
		prefix := "/api/v1"
		if c.group != "" {
			prefix = "/apis/" + c.group + "/v1"
		}
		uri := prefix + "/namespaces/" + ns + "/" + c.resource
		obj := map[string]any{"resource": c.resource, "namespace": ns, "apiVersion": "v1"}
		if c.group != "" {
			obj["apiGroup"] = c.group
		}
		switch {
		case c.verb == "list" || c.verb == "watch":
			uri += "?limit=500"
			if c.verb == "watch" {
				uri += "&watch=true&allowWatchBookmarks=true"
			}
		case c.verb == "create" && c.sub == "":
		default:
			uri += "/" + name
			obj["name"] = name
		}
		if c.sub != "" {
			uri += "/" + c.sub
			obj["subresource"] = c.sub
			if c.sub == "exec" {
				uri += "?command=sh&command=-c&command=env&container=app&stdout=true&stderr=true"
			}
		}
		id := hexID(r, 8) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 4) + "-" + hexID(r, 12)
		code := 200
		switch {
		case c.verb == "create" && c.sub == "exec":
			code = 101
		case c.verb == "create":
			code = 201
		case r.IntN(40) == 0:
			code = 403
		}
		received := t.Format("2006-01-02T15:04:05.000000Z")
		event := func(stage string, st time.Time, status bool) []byte {
			ev := map[string]any{
				"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": id, "stage": stage,
				"requestURI": uri, "verb": c.verb, "user": a.user, "sourceIPs": []string{a.ip}, "userAgent": a.ua,
				"objectRef": obj, "requestReceivedTimestamp": received, "stageTimestamp": st.Format("2006-01-02T15:04:05.000000Z"),
			}
			if status {
				ev["responseStatus"] = map[string]any{"metadata": map[string]any{}, "code": code}
				ev["annotations"] = map[string]string{"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": "RBAC: allowed by ClusterRoleBinding \"workloads\" of ClusterRole \"workload\""}
			}
			b, _ := json.Marshal(ev)
			return b
		}
		switch {
		case c.verb == "watch" || c.sub == "exec":
			write(event("ResponseStarted", t, true))
			later := slot + 50 + r.IntN(400)
			due[later] = append(due[later], event("ResponseComplete", t.Add(time.Duration(30+r.IntN(300))*time.Second), true))
		case pattern < 88:
			write(event("ResponseComplete", t.Add(time.Duration(1+r.IntN(20))*time.Millisecond), true))
		default:
			write(event("RequestReceived", t, false))
			later := slot + 1 + r.IntN(4)
			due[later] = append(due[later], event("ResponseComplete", t.Add(time.Duration(1+r.IntN(20))*time.Millisecond), true))
		}
		slot++
		for _, b := range due[slot] {
			write(b)
		}
		delete(due, slot)
	}
	for s := slot + 1; len(due) > 0; s++ {
		for _, b := range due[s] {
			write(b)
		}
		delete(due, s)
	}
	return bw.Flush()
}
