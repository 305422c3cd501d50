package main

import (
	"encoding/csv"
	"strings"
)

// inventoryRow is one line of the platform's secrets inventory.
type inventoryRow struct {
	ref, credential, owner, kind, scopes, data, consumers, revoked string
}

// inventory lists every Space secret under each name the platform's systems give it (its Vault
// path, its Kubernetes secret, its Hub secret, its AWS copy) with the credentials inside.
func inventory() []inventoryRow {
	const (
		vaultRuntime = "spaces-runtime"
		launcher     = "system:serviceaccount:spaces-system:launcher"
		awsRuntime   = "arn:aws:sts::111122223333:assumed-role/spaces-runtime/runtime"
	)
	type cred struct{ handle, owner, kind, scopes, data, revoked, name string }
	alice := cred{"raw:" + aliceHubToken, "alice@acme.example", "hub-token", "write", "private models", "2026-03-04T08:15:02Z", "HF_TOKEN"}
	openai := cred{"raw:" + aliceOpenAIKey, "alice@acme.example", "openai-api-key", "all", "chat transcripts", "", "OPENAI_API_KEY"}
	bob := cred{"aws-key-id:" + bobAWSKeyID, "bob@acme.example", "aws-access-key", "s3:acme-ingest-data", "customer exports", "", "AWS_ACCESS_KEY_ID"}
	carol := cred{"raw:" + carolGitHubPAT, "carol@datalab.example", "github-pat", "repo,read:org", "source code; training data", "2026-03-04T09:40:00Z", "GH_TOKEN"}
	gcp := cred{"gcp-key:" + gcpKeyName(gcpKey1), "carol@datalab.example", "gcp-service-account-key", "storage.objectViewer", "face images", "", "GCP_SA_KEY"}
	dave := cred{"raw:" + daveHubToken, "dave@datalab.example", "hub-token", "read", "", "", "HF_TOKEN"}
	frank := cred{"raw:" + frankHubToken, "frank@datalab.example", "hub-token", "read", "", "", "HF_TOKEN"}
	grace := cred{"raw:" + graceGitHubPAT, "grace@datalab.example", "github-pat", "repo", "training data", "", "GH_TOKEN"}
	davePw := cred{"raw:" + daveDBPassword, "dave@datalab.example", "database-password", "notebook db", "user notes", "", "DB_PASSWORD"}

	var rows []inventoryRow
	add := func(org, space string, extra []string, creds ...cred) {
		for _, c := range creds {
			refs := []struct{ ref, consumers string }{
				{"vault:spaces/" + org + "/" + space, vaultRuntime},
				{"k8s:spaces-" + org + "/" + space, launcher},
				{"hub-space:" + org + "/" + space + "/" + c.name, ""},
			}
			for _, e := range extra {
				refs = append(refs, struct{ ref, consumers string }{e, awsRuntime})
			}
			for _, r := range refs {
				rows = append(rows, inventoryRow{r.ref, c.handle, c.owner, c.kind, c.scopes, c.data, r.consumers, c.revoked})
			}
		}
	}
	add("acme", "chatbot", nil, alice, openai)
	add("acme", "ingest", []string{"aws-sm:hub/spaces/acme/ingest"}, bob)
	add("datalab", "vision", nil, carol, gcp)
	add("datalab", "notebook", nil, dave, davePw)
	add("datalab", "translate", nil, frank)
	add("datalab", "atlas", nil, grace)
	return rows
}

func inventoryCSV() []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"secret_ref", "credential", "owner", "kind", "scopes", "data_categories", "consumers", "revoked_at"})
	for _, r := range inventory() {
		w.Write([]string{r.ref, r.credential, r.owner, r.kind, r.scopes, r.data, r.consumers, r.revoked})
	}
	w.Flush()
	return []byte(b.String())
}

// indicatorsCSV holds what the first responders knew: the address the builder token was seen
// from. The rest of the intruder's infrastructure is for the correlator to find.
func indicatorsCSV() []byte {
	return []byte("type,value,note\nip," + attackerIP1 + ",builder token used from here (first responders)\n")
}
