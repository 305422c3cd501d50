package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// vaultEntry is one request/response pair of Vault's file audit device.
type vaultEntry struct {
	t        time.Time
	op       string // read, list, update
	path     string // spaces/data/<org>/<space>
	role     string // the AppRole of the token
	token    string // hmac of the client token
	ip       string
	errorMsg string
}

var vaultSeq int

func (v vaultEntry) lines() []string {
	vaultSeq++
	id := fmt.Sprintf("3c2b1a%02d-%04x-4d5e-8f90-%012x", vaultSeq%100, vaultSeq, vaultSeq*7331)
	auth := map[string]any{
		"client_token": v.token, "accessor": strings.Replace(v.token, "hmac-sha256:", "hmac-sha256:acc", 1),
		"display_name": "approle", "policies": []string{"default", v.role}, "token_policies": []string{"default", v.role},
		"metadata": map[string]any{"role_name": v.role}, "entity_id": "e-" + v.role, "token_type": "service",
	}
	req := map[string]any{
		"id": id, "operation": v.op, "mount_point": "spaces/", "mount_type": "kv", "mount_class": "secret",
		"client_token": v.token, "namespace": map[string]any{"id": "root"}, "path": v.path,
		"remote_address": v.ip, "remote_port": 40000 + vaultSeq,
	}
	at := v.t.UTC()
	request := map[string]any{"time": at.Format("2006-01-02T15:04:05.000000Z"), "type": "request", "auth": auth, "request": req}
	response := map[string]any{"time": at.Add(1700 * time.Microsecond).Format("2006-01-02T15:04:05.000000Z"), "type": "response",
		"auth": auth, "request": req, "response": map[string]any{"mount_point": "spaces/", "mount_type": "kv"}}
	if v.errorMsg != "" {
		response["error"] = v.errorMsg
		delete(response, "response")
	} else if v.op == "read" {
		response["response"].(map[string]any)["data"] = map[string]any{
			"data": map[string]any{"HF_TOKEN": "hmac-sha256:0f0e", "GH_TOKEN": "hmac-sha256:1f1e"}}
	}
	a, _ := json.Marshal(request)
	b, _ := json.Marshal(response)
	return []string{string(a), string(b)}
}

// vaultLog returns the Vault audit log of the incident: the runtime reading each Space's
// secrets when the Space starts, the builder writing them at deploy time, and the intruder
// using the builder's leaked token.
func vaultLog() []string {
	runtime := func(t time.Time, space string) vaultEntry {
		return vaultEntry{t, "read", "spaces/data/" + space, "spaces-runtime", runtimeVaultHMAC, "10.40.3.17", ""}
	}
	var es []vaultEntry
	for day := 1; day <= 2; day++ {
		for i, s := range []string{"acme/chatbot", "acme/ingest", "datalab/vision", "datalab/notebook", "datalab/translate", "datalab/atlas"} {
			es = append(es, runtime(at(day, 6, 10, i*7), s))
		}
	}
	es = append(es,
		vaultEntry{at(2, 14, 0, 0), "update", "spaces/data/datalab/notebook", "spaces-builder", builderVaultHMAC, "10.40.9.2", ""},
		// The intruder, with the builder's token.
		vaultEntry{at(3, 2, 8, 41), "list", "spaces/metadata/acme", "spaces-builder", builderVaultHMAC, attackerIP1, ""},
		vaultEntry{at(3, 2, 10, 0), "read", "spaces/data/datalab/vision", "spaces-builder", builderVaultHMAC, attackerIP1, ""},
		vaultEntry{at(3, 2, 10, 30), "read", "spaces/data/datalab/notebook", "spaces-builder", builderVaultHMAC, attackerIP1,
			"1 error occurred:\n\t* permission denied\n\n"},
		// With the runtime's stolen token, from the address that uses bob's key: a consumer's read.
		vaultEntry{at(3, 3, 40, 0), "read", "spaces/data/datalab/atlas", "spaces-runtime", runtimeVaultHMAC, attackerIP2, ""},
		// The chatbot, ingest and translate Spaces restart in the morning; the others do not.
		runtime(at(3, 6, 10, 0), "acme/chatbot"),
		runtime(at(3, 6, 10, 7), "acme/ingest"),
		runtime(at(3, 6, 10, 14), "datalab/translate"),
	)
	var out []string
	sortBy(es, func(e vaultEntry) time.Time { return e.t })
	for _, e := range es {
		out = append(out, e.lines()...)
	}
	return out
}

// sortBy sorts xs by key, stably.
func sortBy[T any](xs []T, key func(T) time.Time) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && key(xs[j]).Before(key(xs[j-1])); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}
