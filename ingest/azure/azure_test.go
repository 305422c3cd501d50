package azure

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/normalize"
)

// layout is what of an input is not records: arrays, the wrapper objects of API pages and their
// metadata.
var layout = ingesttest.Layout{Syntax: ingesttest.JSONContainer(metadata...)}

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, layout)
}

// TestGoldenAssumeTZ reads zoneless times in the examiner's zone; the same files without
// --assume-tz are rejected (TestZonelessRejected).
func TestGoldenAssumeTZ(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	require.NoError(t, err)
	ingesttest.Golden(t, New(), "testdata/assume-tz", ingest.Options{AssumeTZ: loc}, layout)
}

func TestZonelessRejected(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/assume-tz/zoneless.jsonl", ingest.Options{})
	require.Empty(t, mem.Events)
	require.Len(t, mem.Rejects, 3)
	for _, r := range mem.Rejects {
		require.Contains(t, r.Reason, "--assume-tz")
	}
}

func TestDetect(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json*")
	require.NoError(t, err)
	for _, name := range files {
		if strings.HasSuffix(name, ".golden.jsonl") || strings.HasSuffix(name, "bad.jsonl") {
			continue
		}
		require.True(t, ingesttest.Detects(t, New(), name), name)
	}
	for _, head := range []string{
		`127.0.0.1 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`,
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","user":{"username":"admin"}}`,
		`{"Records":[{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}`,
		`{"insertId":"x","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"methodName":"SetIamPolicy","requestMetadata":{"callerIp":"1.2.3.4"}}}`,
		// AKS kube-audit only: the Kubernetes audit ingester's.
		`{"time":"2026-03-02T10:45:00Z","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C","category":"kube-audit","operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read","properties":{"log":"{}"}}
{"time":"2026-03-02T10:45:01Z","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C","category" : "kube-audit-admin","operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read","properties":{"log":"{}"}}`,
		``, `{`, `[`,
	} {
		require.False(t, New().Detect([]byte(head)), head)
	}
	// The REST API's own sample has no category and no resourceId.
	require.True(t, New().Detect([]byte(`{"value":[{"caller":"admin@contoso.com","eventTimestamp":"2015-01-21T22:14:26.9792776Z","operationName":{"value":"microsoft.support/supporttickets/write"}`)))
	// Mixed with other Azure records, kube-audit does not stop detection.
	require.True(t, ingesttest.Detects(t, New(), "testdata/mixed.jsonl"))
}

func TestConformance(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "azure", ingest.Options{})
	require.NotEmpty(t, mem.Events)
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
	}
	reasons := map[string]int{}
	for _, r := range mem.Rejects {
		reasons[reasonClass(r.Reason)]++
	}
	t.Logf("corpus: %d events, %d rejects %v", len(mem.Events), len(mem.Rejects), reasons)
	// Every reject was looked at: AKS kube-audit records (the Kubernetes ingester's), Panther's
	// re-formatted times without a zone, and one Panther test record with no time at all.
	for reason := range reasons {
		require.Contains(t, []string{"kube-audit", "no zone", "no time field"}, reason, "unexpected reject class")
	}

	// With --assume-tz the zoneless times are read; what remains is not this ingester's to read.
	mem = ingesttest.Conformance(t, New(), "azure", ingest.Options{AssumeTZ: time.UTC})
	for _, r := range mem.Rejects {
		require.Contains(t, []string{"kube-audit", "no time field"}, reasonClass(r.Reason), r.Reason)
	}
}

func reasonClass(r string) string {
	switch {
	case strings.Contains(r, "kube-audit"):
		return "kube-audit"
	case strings.Contains(r, "--assume-tz"):
		return "no zone"
	case strings.Contains(r, "no time field"):
		return "no time field"
	}
	return r
}

// TestCaseInsensitiveKeys holds the decoder to the behaviour the ingester relies on: keys match
// without regard to case, so diagnostic settings' camelCase, Log Analytics' PascalCase and a
// shipper's lower case all land in the same field, and a value of a surprising type is kept.
func TestCaseInsensitiveKeys(t *testing.T) {
	for _, in := range []string{
		`{"operationName":"SecretGet","callerIpAddress":"192.0.2.1","resultType":"Success","properties":{"userPrincipalName":"a@b"}}`,
		`{"OperationName":"SecretGet","CallerIPAddress":"192.0.2.1","ResultType":"Success","Properties":"{\"UserPrincipalName\":\"a@b\"}"}`,
		`{"operationname":"SecretGet","calleripaddress":"192.0.2.1","resulttype":"Success","PROPERTIES":{"userprincipalname":"a@b"}}`,
		`{"OPERATIONNAME":{"value":"SecretGet","localizedValue":"Get secret"},"CALLERIPADDRESS":"192.0.2.1","resultType":"Success","properties":{"userPrincipalName":"a@b","isInteractive":true}}`,
		// A number where a string belongs sends the record through the lenient pass, not away.
		`{"operationName":"SecretGet","callerIpAddress":"192.0.2.1","resultType":"Success","userId":12,"properties":{"userPrincipalName":"a@b","userId":34}}`,
	} {
		var r record
		require.NoError(t, r.decode([]byte(in), jsondec.Unmarshal), in)
		require.Equal(t, flex("SecretGet"), r.top.OperationName, in)
		require.Equal(t, text("192.0.2.1"), r.top.CallerIPAddress, in)
		require.Equal(t, flex("Success"), r.top.ResultType, in)
		require.Equal(t, text("a@b"), r.props.UserPrincipalName, in)
	}
	var r record
	require.NoError(t, r.decode([]byte(`{"resulttype":7000215,"durationMs":"9","Level":4,"isInteractive":false,"time":5,"properties":{"userId":1}}`), jsondec.Unmarshal))
	require.Equal(t, flex("7000215"), r.top.ResultType)
	require.Equal(t, flex("4"), r.top.Level)
	require.Equal(t, flex("false"), r.top.IsInteractive)
	require.Equal(t, text("5"), r.top.Time)
	require.Equal(t, text("1"), r.props.UserID)
}

// TestDecoderMatchesEncodingJSON holds the fast decoder to encoding/json's results on every
// fixture record.
func TestDecoderMatchesEncodingJSON(t *testing.T) {
	ingesttest.DecoderMatches(t, "testdata", 51, []string{"records", "value"}, func(raw []byte, v *record, u ingesttest.Unmarshal) error { return v.decode(raw, u) })
}

func TestCategories(t *testing.T) {
	type key struct{ file, action string }
	got := map[key][]normalize.Category{}
	for _, file := range []string{"diag-activity.json", "diag-keyvault.json", "diag-audit.json", "diag-signin.json", "storage.jsonl", "powershell-activity.json"} {
		mem := ingesttest.Ingest(t, New(), filepath.Join("testdata", file), ingest.Options{})
		for _, e := range mem.Events {
			k := key{file, e.Action}
			got[k] = append(got[k], e.Category)
		}
	}
	cat := func(file, action string) normalize.Category {
		cs := got[key{file, action}]
		require.NotEmpty(t, cs, "%s %s", file, action)
		return cs[len(cs)-1]
	}
	require.Equal(t, normalize.Admin, cat("diag-activity.json", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"))
	require.Equal(t, normalize.SecretRead, cat("diag-activity.json", "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION"))
	require.Equal(t, normalize.SecretWrite, cat("diag-activity.json", "MICROSOFT.KEYVAULT/VAULTS/SECRETS/WRITE"))
	require.Equal(t, normalize.APICall, cat("diag-activity.json", "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION"))
	require.Equal(t, normalize.Other, cat("diag-activity.json", "Microsoft.ServiceHealth/incident/action"))
	require.Equal(t, normalize.CredentialIssue, cat("powershell-activity.json", "Microsoft.Storage/storageAccounts/listAccountSas/action"))
	require.Equal(t, normalize.SecretRead, cat("diag-keyvault.json", "SecretGet"))
	require.Equal(t, normalize.SecretWrite, cat("diag-keyvault.json", "SecretSet"))
	require.Equal(t, normalize.APICall, cat("diag-keyvault.json", "SecretList"))
	require.Equal(t, normalize.APICall, cat("diag-keyvault.json", "SecretBackup"))
	require.Equal(t, normalize.Auth, cat("diag-keyvault.json", "Authentication"))
	require.Equal(t, normalize.Admin, cat("diag-keyvault.json", "VaultPatch"))
	require.Equal(t, normalize.CredentialIssue, cat("diag-audit.json", "Add service principal credentials"))
	require.Equal(t, normalize.CredentialIssue, cat("diag-audit.json", "Update application – Certificates and secrets management "))
	require.Equal(t, normalize.CredentialRevoke, cat("diag-audit.json", "Remove service principal credentials"))
	require.Equal(t, normalize.Admin, cat("diag-audit.json", "Add member to role"))
	require.Equal(t, normalize.Auth, cat("diag-signin.json", "Sign-in activity"))
	require.Equal(t, normalize.DataAccess, cat("storage.jsonl", "GetBlob"))
}

// TestCredentialLineage follows one key id from the audit that added it, through the service
// principal's sign-in with it, to the audit that removed it, across envelopes.
func TestCredentialLineage(t *testing.T) {
	const key = "azure-key-id:6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"
	issued, used, revoked := 0, 0, 0
	for _, file := range []string{"diag-audit.json", "graph-audits.json", "sentinel-auditlogs.jsonl", "diag-signin.json", "la-signin.jsonl", "mixed.jsonl"} {
		mem := ingesttest.Ingest(t, New(), filepath.Join("testdata", file), ingest.Options{})
		for _, e := range mem.Events {
			var attrs map[string]any
			if len(e.AttrsJSON) > 0 {
				require.NoError(t, json.Unmarshal(e.AttrsJSON, &attrs))
			}
			if attrs[normalize.AttrIssuedCredential] == key {
				require.Equal(t, normalize.CredentialIssue, e.Category, file)
				issued++
			}
			if attrs[normalize.AttrRevokedCredential] == key {
				require.Equal(t, normalize.CredentialRevoke, e.Category, file)
				revoked++
			}
			if e.Credential == key {
				require.Equal(t, normalize.Auth, e.Category, file)
				require.Equal(t, normalize.Success, e.Outcome, file)
				used++
			}
		}
	}
	require.Equal(t, 6, issued)
	require.Equal(t, 3, used)
	require.Equal(t, 3, revoked)
}

func TestKeyDescriptions(t *testing.T) {
	v := `["[KeyIdentifier=6F1C2A9E-3B4D-4E5F-8A7B-9C0D1E2F3A4B,KeyType=Password,KeyUsage=Verify,DisplayName=a, b]","[KeyIdentifier=not-a-guid,KeyType=Password]"]`
	require.Equal(t, []keyDesc{{id: "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", typ: "Password", name: "a, b"}}, keyDescriptions(v))
	require.Empty(t, keyDescriptions(`"Client Secret for API Access"`))
	require.Empty(t, keyDescriptions(""))
}

func TestKeyVaultURI(t *testing.T) {
	for in, want := range map[string]kvObject{
		"https://kv-1.vault.azure.net/secrets/db/0123456789abcdef0123456789abcdef": {"kv-1", "secrets", "db", "0123456789abcdef0123456789abcdef"},
		"https://KV-1.vault.azure.net/secrets/db/?api-version=7.4":                 {"kv-1", "secrets", "db", ""},
		"https://kv-1.vault.azure.net/secrets/db/versions?api-version=7.4":         {"kv-1", "secrets", "db", ""},
		"https://kv-1.vault.azure.net/secrets/restore?api-version=7.4":             {"kv-1", "secrets", "", ""},
		"https://kv-1.vault.azure.cn:443/deletedsecrets/db/recover":                {"kv-1", "deletedsecrets", "db", ""},
		"https://control-prod-wus.vaultcore.azure.net/subscriptions/x":             {},
		"http://kv-1.vault.azure.net/secrets/db":                                   {},
	} {
		require.Equal(t, want, kvURI(in), in)
	}
}

func TestTimes(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-02T10:00:00.1234567Z":      "2026-03-02T10:00:00.123456700Z",
		"2026-03-02T10:00:00.0000001Z":      "2026-03-02T10:00:00.000000100Z",
		"2026-03-02T11:00:00.1234567+01:00": "2026-03-02T10:00:00.123456700Z",
		"/Date(1772445600123)/":             "2026-03-02T10:00:00.123000000Z",
		"/Date(1772445600123+0100)/":        "2026-03-02T10:00:00.123000000Z",
	} {
		var ev normalize.Event
		require.NoError(t, setTime(&ev, nil, stamp{"time", text(in)}), in)
		require.Equal(t, want, normalize.FormatTime(ev.Time), in)
		require.Equal(t, in, ev.TimeRaw)
	}
	var ev normalize.Event
	require.ErrorContains(t, setTime(&ev, nil, stamp{"a", "2026-03-02T10:00:00"}), "--assume-tz")
	require.ErrorContains(t, setTime(&ev, nil, stamp{"a", "/Date(12x)/"}), "not a time")
	require.ErrorContains(t, setTime(&ev, nil, stamp{"a", ""}, stamp{"b", ""}), "no time field (a, b)")
	// An explicit time wins over a zoneless one whatever their order.
	require.NoError(t, setTime(&ev, nil, stamp{"a", "2026-03-02 10:00:00"}, stamp{"b", "2026-03-02T10:00:00Z"}))
	require.Equal(t, "2026-03-02T10:00:00Z", ev.TimeRaw)
}

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "azure", ingest.Options{}, layout)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
