package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// truth is what happened, for the test that the correlator finds exactly this.
type truth struct {
	Window      [2]string `json:"window"`
	AttackerIPs []string  `json:"attacker_ips"`
	SecretsRead []string  `json:"secrets_read_by_attacker"`
	// ReadAsConsumer are the secrets the attacker read with a consumer's own identity: reads
	// that look expected, proven suspicious by the consumer rule.
	ReadAsConsumer   []string `json:"secrets_read_as_a_consumer"`
	FailedReads      []string `json:"failed_reads_by_attacker"`
	Misused          []misuse `json:"misused_credentials"`
	ExposedNotMisued []string `json:"exposed_not_misused"`
	// PossiblyMisused were only possibly exposed and then used in a new way by their owners:
	// never misused, always shown for the examiner to dismiss.
	PossiblyMisused []possibleMisuse `json:"possibly_misused"`
	NotExposed      []string         `json:"not_exposed"`
	Derived         []string         `json:"derived_credentials"`
	Revocations     []revoke         `json:"revocations"`
	BenignNewIPs    []string         `json:"benign_new_ips"`
}

type misuse struct {
	Credential  string `json:"credential"`
	What        string `json:"what"`
	FirstMisuse string `json:"first_misuse"`
}

type possibleMisuse struct {
	Credential string   `json:"credential"`
	What       string   `json:"what"`
	Addresses  []string `json:"addresses"`
}

type revoke struct {
	Credential      string `json:"credential"`
	At              string `json:"at"`
	WorkedAfterward bool   `json:"used_successfully_afterwards"`
}

func sha(raw string) string {
	s := sha256.Sum256([]byte(raw))
	return "sha256:" + hex.EncodeToString(s[:])
}

func truthJSON() ([]byte, error) {
	t := truth{
		Window:         [2]string{"2026-03-03T00:00:00Z", "2026-03-05T00:00:00Z"},
		AttackerIPs:    []string{attackerIP1, attackerIP2, attackerIP3, attackerIP4},
		SecretsRead:    []string{"k8s:spaces-acme/chatbot", "k8s:spaces-acme/ingest", "vault:spaces/datalab/vision", "vault:spaces/datalab/atlas"},
		ReadAsConsumer: []string{"vault:spaces/datalab/atlas"},
		FailedReads:    []string{"k8s:spaces-datalab/notebook", "vault:spaces/datalab/notebook"},
		Misused: []misuse{
			{sha(aliceHubToken), "alice's hub token (acme/chatbot HF_TOKEN)", "2026-03-03T02:31:07Z"},
			{"aws-key-id:" + bobAWSKeyID, "bob's AWS access key (acme/ingest)", "2026-03-03T03:12:40Z"},
			{sha(carolGitHubPAT), "carol's GitHub token (datalab/vision GH_TOKEN)", "2026-03-03T04:10:05Z"},
			{"gcp-key:" + gcpKeyName(gcpKey1), "datalab's GCP service account key (datalab/vision GCP_SA_KEY)", "2026-03-03T05:00:12Z"},
			{sha(graceGitHubPAT), "grace's GitHub token (datalab/atlas GH_TOKEN), read with the runtime's stolen Vault token", "2026-03-03T04:55:10Z"},
		},
		ExposedNotMisued: []string{sha(aliceOpenAIKey)},
		PossiblyMisused: []possibleMisuse{
			{sha(frankHubToken), "frank's hub token (datalab/translate HF_TOKEN), used from abroad after the runtime's routine read", []string{frankTravel}},
		},
		NotExposed: []string{sha(daveHubToken), sha(daveDBPassword)},
		Derived:    []string{"aws-key-id:" + attackerTempKey, "gcp-key:" + gcpKeyName(gcpKey2)},
		Revocations: []revoke{
			{sha(aliceHubToken), "2026-03-04T08:15:02Z", true},
			{"aws-key-id:" + bobAWSKeyID, "2026-03-04T09:05:00Z", false},
			{sha(carolGitHubPAT), "2026-03-04T09:40:00Z", false},
			{"gcp-key:" + gcpKeyName(gcpKey1), "2026-03-04T10:30:00Z", false},
		},
		BenignNewIPs: []string{daveTravel, aliceHome, frankTravel},
	}
	return json.MarshalIndent(t, "", "  ")
}
