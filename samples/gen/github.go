package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// hashedToken is what GitHub's audit log shows for a token: base64 of its sha256.
func hashedToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return base64.StdEncoding.EncodeToString(sum[:])
}

var ghSeq int

func ghEntry(t time.Time, action, actor, ip, repo, ua string, token string) map[string]any {
	ghSeq++
	ms := t.UnixMilli()
	e := map[string]any{
		"@timestamp": ms, "created_at": ms, "_document_id": fmt.Sprintf("doc-%016x", ghSeq*2654435761),
		"action": action, "actor": actor, "actor_ip": ip, "org": "datalab", "operation_type": "access",
	}
	if repo != "" {
		e["repo"], e["repository"] = repo, repo
	}
	if ua != "" {
		e["user_agent"] = ua
	}
	if token != "" {
		e["hashed_token"] = hashedToken(token)
		e["programmatic_access_type"] = "Personal access token (classic)"
		e["token_scopes"] = "repo,read:org"
		e["transport_protocol_name"] = "http"
	}
	return e
}

// gitHubAudit returns the datalab organization's audit log export (a JSON array): carol's
// pipeline fetching with her token, the intruder cloning with it, and carol removing it.
func gitHubAudit() ([]byte, error) {
	var es []map[string]any
	for day := 1; day <= 2; day++ {
		es = append(es,
			ghEntry(at(day, 8, 30, 0), "git.fetch", "carol", carolIP, "datalab/vision-models", ghUA, carolGitHubPAT),
			ghEntry(at(day, 16, 2, 11), "git.push", "carol", carolIP, "datalab/vision-models", ghUA, carolGitHubPAT),
			ghEntry(at(day, 8, 45, 0), "git.fetch", "grace", graceIP, "datalab/atlas-data", ghUA, graceGitHubPAT),
		)
	}
	es = append(es,
		ghEntry(at(3, 4, 10, 5), "git.clone", "carol", attackerIP1, "datalab/vision-models", attackerGitUA, carolGitHubPAT),
		ghEntry(at(3, 4, 12, 44), "git.clone", "carol", attackerIP1, "datalab/vision-private-data", attackerGitUA, carolGitHubPAT),
		ghEntry(at(3, 8, 30, 0), "git.fetch", "carol", carolIP, "datalab/vision-models", ghUA, carolGitHubPAT),
		// Grace's token, read with the runtime's stolen Vault token, cloned from elsewhere.
		ghEntry(at(3, 4, 55, 10), "git.clone", "grace", attackerIP4, "datalab/atlas-data", attackerGitUA, graceGitHubPAT),
		ghEntry(at(3, 8, 45, 0), "git.fetch", "grace", graceIP, "datalab/atlas-data", ghUA, graceGitHubPAT),
		// Carol deletes the token the next morning (the inventory records the revocation).
		ghEntry(at(4, 9, 40, 0), "oauth_access.destroy", "carol", carolIP, "", "", ""),
		ghEntry(at(4, 10, 5, 0), "org.update_member", "erin", "192.0.2.60", "", "", ""),
	)
	sortMaps(es, "@timestamp")
	return json.MarshalIndent(es, "", "  ")
}

func sortMaps(es []map[string]any, key string) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j][key].(int64) < es[j-1][key].(int64); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}
