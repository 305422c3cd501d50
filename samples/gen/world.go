package main

import "time"

// The incident, as a story. The platform, hub.example, hosts "Spaces" (apps) whose owners store
// secrets (hub tokens, AWS keys, GitHub tokens, GCP keys, passwords) that the platform keeps in
// Vault and mounts as Kubernetes secrets. On 2026-03-03 an intruder holding a leaked builder
// token reads a subset of those secrets and uses some of the credentials inside them. With the
// Space runtime's Vault token, stolen too, it reads one more secret as that consumer would.
//
// Three traps for the correlator: alice works from a second address the night the window opens,
// before her token is exposed, and again after; frank's secret is only read by its consumers in
// the window and he then travels; the runtime's read from one of the intruder's addresses looks
// like a consumer's routine read.
//
// Every value here is invented; tokens have the shape of real ones so that redaction and
// matching are exercised, but grant nothing.

// Times of the story, UTC.
var (
	baselineStart = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	windowStart   = time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	windowEnd     = time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
)

// at returns a moment of the incident day.
func at(day, hour, min, sec int) time.Time {
	return time.Date(2026, 3, day, hour, min, sec, 0, time.UTC)
}

// Addresses. Attacker addresses come from documentation ranges (RFC 5737) like all the others.
const (
	attackerIP1 = "203.0.113.66"  // reads secrets, uses the hub and GitHub tokens
	attackerIP2 = "198.51.100.77" // uses the AWS key
	attackerIP3 = "203.0.113.201" // uses the GCP key
	aliceIP     = "198.51.100.10" // alice's office
	bobCI       = "192.0.2.10"    // bob's CI runner
	carolIP     = "192.0.2.20"
	daveHome    = "198.51.100.40"
	daveTravel  = "192.0.2.150"   // dave abroad: a new IP, no exposure
	aliceHome   = "198.51.100.12" // alice's second usual address, first seen inside the window
	frankHome   = "198.51.100.50"
	frankTravel = "192.0.2.170" // frank abroad, after the runtime's routine read of his secret
	graceIP     = "192.0.2.40"
	attackerIP4 = "203.0.113.9" // uses grace's token, read with the runtime's stolen Vault token
	vpsUA       = "python-requests/2.31.0"
	botoUA      = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8"
	curlUA      = "curl/8.5.0"
	browserUA   = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15"
)

// Credentials stored in Space secrets.
const (
	aliceHubToken   = "hf_aLiCeChAtBoTtOkEnQwErTyUiOpAsDfGhJk01"         // acme/chatbot HF_TOKEN
	aliceOpenAIKey  = "sk-proj-aliceOPENAIkey0123456789abcdefghijklmnop" // acme/chatbot OPENAI_API_KEY, never used
	bobAWSKeyID     = "AKIAHUBEXAMPLEBOB001"                             // acme/ingest AWS_ACCESS_KEY_ID
	bobAWSKeyNew    = "AKIAHUBEXAMPLEBOB002"                             // bob's rotated key
	attackerTempKey = "ASIAHUBEXAMPLETEMP01"                             // minted with bob's key by the attacker
	bobCITempKey    = "ASIAHUBEXAMPLECI0001"                             // minted with bob's key by his CI, before the breach
	daveHubToken    = "hf_dAvEnOtEbOoKtOkEnZxCvBnMaSdFgHjKlQw02"
	frankHubToken   = "hf_fRaNkTrAnSlAtEtOkEnPoIuYtReWqLkJhGf03" // datalab/translate HF_TOKEN, only read by its consumers
)

// More credentials of the story.
const (
	carolGitHubPAT = "ghp_cArOlViSiOnPaT0123456789abcdefghIJKL" // datalab/vision GH_TOKEN
	graceGitHubPAT = "ghp_gRaCeAtLaSpAt0123456789abcdefghMNOP"  // datalab/atlas GH_TOKEN
	daveDBPassword = "n0tebook-DB-pa55word-2026"                // datalab/notebook DB_PASSWORD
	gcpProject     = "datalab-prod"
	gcpSA          = "vision-ingest@datalab-prod.iam.gserviceaccount.com"
	gcpKey1        = "4f1c2b9e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e" // datalab/vision GCP_SA_KEY
	gcpKey2        = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b" // minted by the intruder with key 1
	visionPipeline = "192.0.2.30"

	// Infrastructure credentials the intruder holds at the start: a leaked builder token.
	builderVaultHMAC = "hmac-sha256:5e0fb0d1e2f3b0f1a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4"
	runtimeVaultHMAC = "hmac-sha256:7a1d0e1f2a3b8b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c" // also stolen
	builderJTI       = "JTI=6c1f2a3b-4d5e-4f60-8a71-b2c3d4e5f601"
	launcherJTI      = "JTI=9e8d7c6b-5a49-4382-b716-0f1e2d3c4b5a"
	ghUA             = "git/2.43.0"
	gcloudUA         = "google-cloud-sdk gcloud/467.0.0 command/gcloud.storage.cp"
	attackerGitUA    = "git/2.39.2 (Apple Git-143)"
	attackerGCPUA    = "python-requests/2.31.0 google-cloud-storage/2.14.0"
)

// gcpKeyName is a service account key's resource name, as the inventory and the logs name it.
func gcpKeyName(key string) string {
	return "projects/" + gcpProject + "/serviceAccounts/" + gcpSA + "/keys/" + key
}
