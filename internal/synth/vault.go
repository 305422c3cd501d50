package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// VaultAudit writes n Vault file-audit-device entries as JSON lines: request and response pairs
// sharing request.id, for the calls a busy cluster serves (KV v2 reads and lists, writes, logins,
// token creation, health checks, the occasional permission denied). Sensitive strings are
// hmac-sha256 values, as the device writes them.
func VaultAudit(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	type user struct{ name, token, accessor, entity string }
	users := make([]user, 100)
	for i := range users {
		users[i] = user{fmt.Sprintf("svc-%03d", i), "hmac-sha256:" + hexID(r, 64), "hmac-sha256:" + hexID(r, 64), vaultUUID(r)}
	}
	calls := []struct{ op, path, mount, mtype string }{
		{"read", "secret/data/prod/app-%03d/db", "secret/", "kv"},
		{"read", "secret/data/prod/app-%03d/api-key", "secret/", "kv"},
		{"list", "secret/metadata/prod/app-%03d/", "secret/", "kv"},
		{"update", "secret/data/prod/app-%03d/db", "secret/", "kv"},
		{"update", "auth/userpass/login/svc-%03d", "auth/userpass/", "userpass"},
		{"update", "auth/token/create", "auth/token/", "token"},
		{"read", "sys/health", "sys/", "system"},
		{"update", "transit/encrypt/app-%03d", "transit/", "transit"},
	}
	t := Base
	for i := 0; i < n; {
		t = t.Add(time.Duration(r.IntN(400)) * time.Millisecond)
		u := users[r.IntN(len(users))]
		c := pick(r, calls)
		path := c.path
		if strings.Contains(path, "%") {
			path = fmt.Sprintf(path, r.IntN(300))
		}
		auth := map[string]any{
			"client_token": u.token, "accessor": u.accessor, "display_name": "userpass-" + u.name,
			"policies": []string{"default", "app"}, "token_policies": []string{"default", "app"},
			"metadata": map[string]string{"username": u.name}, "entity_id": u.entity, "token_type": "service",
			"token_ttl": 2764800, "token_issue_time": Base.Format(time.RFC3339),
		}
		req := map[string]any{
			"id": vaultUUID(r), "client_id": u.entity, "operation": c.op, "mount_point": c.mount, "mount_type": c.mtype,
			"mount_accessor": c.mtype + "_" + hexID(r, 8), "client_token": u.token, "client_token_accessor": u.accessor,
			"namespace": map[string]string{"id": "root"}, "path": path, "remote_address": ipv4(r, 2000),
			"remote_port": 1024 + r.IntN(60000),
		}
		if c.op == "update" && c.mtype == "kv" {
			req["data"] = map[string]any{"data": map[string]string{"password": "hmac-sha256:" + hexID(r, 64)}}
		}
		denied := r.IntN(40) == 0
		entries := []map[string]any{{"time": vaultStamp(t), "type": "request", "auth": auth, "request": req}}
		resp := map[string]any{"mount_type": c.mtype, "mount_point": c.mount}
		switch c.mtype {
		case "kv":
			resp["data"] = map[string]any{"data": map[string]string{"value": "hmac-sha256:" + hexID(r, 64)}, "metadata": map[string]any{"version": 1 + r.IntN(9)}}
		case "token", "userpass":
			resp["auth"] = map[string]any{"client_token": "hmac-sha256:" + hexID(r, 64), "accessor": "hmac-sha256:" + hexID(r, 64), "display_name": "token", "policies": []string{"default"}, "token_type": "service"}
		}
		rt := t.Add(time.Duration(1+r.IntN(5000)) * time.Microsecond)
		respEntry := map[string]any{"time": vaultStamp(rt), "type": "response", "auth": auth, "request": req, "response": resp}
		if denied {
			errText := "1 error occurred:\n\t* permission denied\n\n"
			entries[0]["error"], respEntry["error"] = errText, errText
			delete(resp, "data")
			delete(resp, "auth")
		}
		entries = append(entries, respEntry)
		for _, e := range entries {
			if i == n {
				break
			}
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			bw.Write(b)
			bw.WriteByte('\n')
			i++
		}
	}
	return bw.Flush()
}

// vaultStamp renders t the way Vault does: RFC 3339 in UTC with trailing fractional zeros dropped.
func vaultStamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// vaultUUID returns a random UUID-shaped identifier (Vault request and entity ids).
func vaultUUID(r *rand.Rand) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 36)
	for i := range b {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
		default:
			b[i] = digits[r.IntN(16)]
		}
	}
	return string(b)
}
