package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// HubAudit writes n entries of a model hub organization's audit log export in the shape the
// built-in hub-audit mapping reads (ingest/mapped/builtin/hub-audit.yaml): one JSON array, one
// entry per line, as the export endpoint returns it. The mix is what a busy organization shows:
// SSO logins, repository and settings changes, Space secret updates, membership changes, the
// occasional token rotation or revocation, and system-authored entries.
func HubAudit(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	type member struct{ id, name string }
	members := make([]member, 150)
	for i := range members {
		members[i] = member{hexID(r, 24), fmt.Sprintf("member-%03d", i)}
	}
	spaces := make([]string, 60)
	for i := range spaces {
		spaces[i] = fmt.Sprintf("acme-ml/space-%02d", i)
	}
	secretNames := []string{"OPENAI_API_KEY", "HF_TOKEN", "DATABASE_URL", "AWS_SECRET_ACCESS_KEY", "WANDB_API_KEY"}
	places := []map[string]string{
		{"formatted": "Lyon, France", "city": "Lyon", "country": "FR"},
		{"formatted": "Berlin, Germany", "city": "Berlin", "country": "DE"},
		{"formatted": "Austin, United States", "city": "Austin", "country": "US"},
	}
	agents := []string{
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15",
		"huggingface_hub/0.30.2; python/3.12.2", "curl/8.5.0",
	}
	types := []string{
		"org.sso_login", "org.sso_login", "repo.update_settings", "repo.create", "repo.update_secret",
		"repo.add_secret", "repo.remove_secret", "repo.add_variable", "spaces.update_hardware",
		"org.add_user", "org.change_role", "org.rotate_token", "org.token_approval.authorization_request.revoked",
		"collection.create", "jobs.create", "billing.update_subscription",
	}
	t := Base
	bw.WriteString("[\n")
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(3000)) * time.Millisecond)
		m := members[r.IntN(len(members))]
		typ := pick(r, types)
		author := map[string]any{"_id": m.id, "avatarUrl": "/avatars/" + m.name + ".svg", "type": "user", "user": m.name}
		if r.IntN(40) == 0 {
			author = map[string]any{"_id": strings.Repeat("0", 24), "avatarUrl": "", "type": "system", "user": "system"}
		}
		e := map[string]any{
			"_id": hexID(r, 24), "type": typ, "createdAt": t.Format("2006-01-02T15:04:05.000Z07:00"),
			"message": m.name + " did " + typ, "author": author,
			"ip": ipv4(r, 3000), "location": pick(r, places), "userAgent": pick(r, agents),
		}
		switch {
		case strings.HasPrefix(typ, "repo.") && strings.Contains(typ, "secret"), strings.HasPrefix(typ, "repo.") && strings.Contains(typ, "variable"):
			e["data"] = map[string]any{"repo": map[string]string{"type": "space", "name": pick(r, spaces)}, "key": pick(r, secretNames)}
		case strings.HasPrefix(typ, "repo.") || strings.HasPrefix(typ, "spaces."):
			e["data"] = map[string]any{"repo": map[string]string{"type": pick(r, []string{"model", "dataset", "space"}), "name": pick(r, spaces)}}
		case strings.HasPrefix(typ, "org.token_approval"):
			e["data"] = map[string]any{"token": map[string]string{"id": hexID(r, 24)}}
		}
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.Write(b)
	}
	bw.WriteString("\n]\n")
	return bw.Flush()
}

// SecretsCSV writes a header and n rows of a secrets service's CSV export, in the shape of the
// mapped ingester's CSV test mapping (time, user, ip, action, secret, token, result, note), with
// a quoted note now and then, some of them spanning lines.
func SecretsCSV(w io.Writer, n int, seed int64) error {
	r := rng(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString("time,user,ip,action,secret,token,result,note\n")
	t := Base
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(500)) * time.Millisecond)
		action := pick(r, []string{"read", "read", "read", "write", "login"})
		secret, token := "", ""
		if action != "login" {
			secret = fmt.Sprintf("prod/app-%03d/db", r.IntN(300))
			token = "svcpat." + hexID(r, 32)
		}
		note := ""
		switch r.IntN(20) {
		case 0:
			note = `"rotated, as planned"`
		case 1:
			note = "\"ticket SEC-" + fmt.Sprint(r.IntN(9999)) + "\nsecond line\""
		}
		fmt.Fprintf(bw, "%s,svc-%03d,%s,%s,%s,%s,%s,%s\n", t.Format("2006-01-02 15:04:05 -0700"), r.IntN(200),
			ipv4(r, 3000), action, secret, token, pick(r, []string{"success", "success", "failure"}), note)
	}
	return bw.Flush()
}
