package gcpaudit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/ingest/k8saudit"
	"github.com/breachline/breachline/normalize"
)

// layout is what of an input is not records: arrays, the wrapper object of the entries.list
// response and its metadata.
var layout = ingesttest.Layout{Syntax: ingesttest.JSONContainer(metadata...)}

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, layout)
}

func TestDetect(t *testing.T) {
	for _, name := range []string{"lines.jsonl", "gcloud.json", "entries.json"} {
		require.True(t, ingesttest.Detects(t, New(), filepath.Join("testdata", name)), name)
	}
	for _, head := range []string{
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","stage":"ResponseComplete"}` + "\n" +
			`{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","methodName":"io.k8s.core.v1.secrets.get"}}`,
		`{"protoPayload":{"@type":"type.googleapis.com/google.appengine.logging.v1.RequestLog","method":"GET"}}`,
		`{"jsonPayload":{"message":"hello"},"logName":"projects/p/logs/app"}`,
		`{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`,
		``, `[`, `not json`,
	} {
		require.False(t, New().Detect([]byte(head)), head)
	}
	// An export that lower-cased keys and dropped @type still detects; so does a cut head.
	require.True(t, New().Detect([]byte(`{"protopayload":{"methodname":"SetIamPolicy","servicename":"cloudresourcemanager.googleapis.com"}}`)))
	b, err := os.ReadFile("testdata/gcloud.json")
	require.NoError(t, err)
	require.True(t, New().Detect(b[:400]))
	// Neither ingester takes the other's files.
	require.False(t, k8saudit.New().Detect(b))
}

func TestConformance(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "gcp-audit", ingest.Options{})
	require.NotEmpty(t, mem.Events)
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
	}
	withTZ := ingesttest.Conformance(t, New(), "gcp-audit", ingest.Options{AssumeTZ: time.UTC})
	require.Greater(t, len(withTZ.Events), len(mem.Events))
}

// TestGKEInKubernetesCorpus reads the one GKE entry of a file that is otherwise Kubernetes audit
// events (k8s-audit's by detection) with gcp-audit forced: it becomes an event, the others
// rejects that name k8s-audit.
func TestGKEInKubernetesCorpus(t *testing.T) {
	path := filepath.Join(ingesttest.CorpusDir(t, "k8s-audit"), "elastic-integrations", "test-audit.log")
	if _, err := os.Stat(path); err != nil {
		t.Skip("corpus file absent")
	}
	require.False(t, ingesttest.Detects(t, New(), path))
	require.True(t, ingesttest.Detects(t, k8saudit.New(), path))
	mem := ingesttest.Ingest(t, New(), path, ingest.Options{})
	require.Len(t, mem.Events, 1)
	e := mem.Events[0]
	require.Equal(t, "io.k8s.get", e.Action)
	require.Equal(t, normalize.APICall, e.Category)
	require.Equal(t, normalize.Success, e.Outcome)
	for _, r := range mem.Rejects {
		require.True(t, strings.Contains(r.Reason, "k8s-audit") || strings.Contains(r.Reason, "no protoPayload"), r.Reason)
	}
}

func TestCategories(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/lines.jsonl", ingest.Options{})
	got := map[string]normalize.Category{}
	for _, e := range mem.Events {
		got[e.Action[strings.LastIndexByte(e.Action, '.')+1:]] = e.Category
	}
	require.Equal(t, normalize.SecretRead, got["AccessSecretVersion"])
	require.Equal(t, normalize.SecretWrite, got["AddSecretVersion"])
	require.Equal(t, normalize.SecretWrite, got["CreateSecret"])
	require.Equal(t, normalize.APICall, got["GetSecret"])
	require.Equal(t, normalize.CredentialIssue, got["CreateServiceAccountKey"])
	require.Equal(t, normalize.CredentialRevoke, got["DeleteServiceAccountKey"])
	require.Equal(t, normalize.CredentialRevoke, got["DisableServiceAccountKey"])
	require.Equal(t, normalize.CredentialIssue, got["GenerateAccessToken"])
}

// TestGKESameRulesAsKubernetes checks that a GKE entry and the audit event of the same request
// get the same category, secret reference and resource name.
func TestGKESameRulesAsKubernetes(t *testing.T) {
	for _, c := range []struct{ method, resource string }{
		{"io.k8s.core.v1.secrets.get", "core/v1/namespaces/payments/secrets/stripe-api"},
		{"io.k8s.core.v1.secrets.list", "core/v1/namespaces/payments/secrets"},
		{"io.k8s.core.v1.secrets.list", "core/v1/secrets"},
		{"io.k8s.core.v1.secrets.create", "core/v1/namespaces/payments/secrets/x"},
		{"io.k8s.core.v1.pods.exec.create", "core/v1/namespaces/payments/pods/web/exec"},
		{"io.k8s.core.v1.serviceaccounts.token.create", "core/v1/namespaces/ci/serviceaccounts/deployer/token"},
		{"io.k8s.rbac.v1.clusterroles.create", "rbac.authorization.k8s.io/v1/clusterroles/admin"},
	} {
		obj, ok := parseObject(c.resource)
		require.True(t, ok, c.resource)
		verb := c.method[strings.LastIndexByte(c.method, '.')+1:]
		require.Equal(t, c.resource, k8saudit.ResourceName(strings.TrimPrefix(obj.group, "core"), obj.version, obj.namespace, obj.resource, obj.name, obj.subresource))
		var ev normalize.Event
		gke(&logEntry{ProtoPayload: &auditLog{MethodName: c.method, ResourceName: c.resource, Status: &status{}}}, &ev)
		cat, ref := k8saudit.Categorize(verb, obj.resource, obj.subresource, obj.namespace, obj.name)
		require.Equal(t, cat, ev.Category, c.method)
		require.Equal(t, ref, ev.SecretRef, c.method)
	}
}

func TestParseObject(t *testing.T) {
	for name, want := range map[string]object{
		"core/v1/namespaces/p/secrets/s":        {"core", "v1", "p", "secrets", "s", ""},
		"core/v1/namespaces/p/pods/w/exec":      {"core", "v1", "p", "pods", "w", "exec"},
		"core/v1/namespaces/p":                  {"core", "v1", "p", "namespaces", "p", ""},
		"core/v1/namespaces/p/status":           {"core", "v1", "p", "namespaces", "p", "status"},
		"core/v1/nodes/n1":                      {"core", "v1", "", "nodes", "n1", ""},
		"apps/v1beta2/namespaces/p/deployments": {"apps", "v1beta2", "p", "deployments", "", ""},
		"cert-manager.io/v1alpha3/issuers/ca":   {"cert-manager.io", "v1alpha3", "", "issuers", "ca", ""},
		"rbac.authorization.k8s.io/v1/roles":    {"rbac.authorization.k8s.io", "v1", "", "roles", "", ""},
	} {
		got, ok := parseObject(name)
		require.True(t, ok, name)
		require.Equal(t, want, got, name)
	}
	for _, name := range []string{"readyz", "", "core/v1", "core/version/pods", "/v1/pods", "core/v1/"} {
		_, ok := parseObject(name)
		require.False(t, ok, name)
	}
}

func TestSplitSecret(t *testing.T) {
	for name, want := range map[string][2]string{
		"projects/123/secrets/s/versions/7":                           {"projects/123/secrets/s", "7"},
		"projects/p/secrets/s":                                        {"projects/p/secrets/s", ""},
		"projects/p/locations/europe-west1/secrets/s/versions/latest": {"projects/p/locations/europe-west1/secrets/s", "latest"},
		"projects/p":          {"", ""},
		"projects/p/secrets/": {"", ""},
	} {
		s, v := splitSecret(name)
		require.Equal(t, want, [2]string{s, v}, name)
	}
}

func TestLogKind(t *testing.T) {
	for name, want := range map[string][2]string{
		"projects/p/logs/cloudaudit.googleapis.com%2Factivity":         {"projects/p", "activity"},
		"organizations/1/logs/cloudaudit.googleapis.com%2Fdata_access": {"organizations/1", "data_access"},
		"folders/2/logs/cloudaudit.googleapis.com%2Fsystem_event":      {"folders/2", "system_event"},
		"billingAccounts/3/logs/cloudaudit.googleapis.com%2Fpolicy":    {"billingAccounts/3", "policy"},
		"projects/p/logs/cloudaudit.googleapis.com/activity":           {"projects/p", "activity"},
		"projects/p/logs/app": {"projects/p", ""},
		"":                    {"", ""},
	} {
		p, k := logKind(name)
		require.Equal(t, want, [2]string{p, k}, name)
	}
}

func TestKeyHandle(t *testing.T) {
	require.Equal(t, "gcp-key:projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1",
		keyHandle("//iam.googleapis.com/projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1"))
	require.Equal(t, keyHandle("projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1"),
		keyHandle("//iam.googleapis.com/projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1"))
	require.Empty(t, keyHandle(""))
}

// TestDecoderMatchesEncodingJSON holds the fast decoder to encoding/json's results on every
// fixture record.
func TestDecoderMatchesEncodingJSON(t *testing.T) {
	ingesttest.DecoderMatches(t, "testdata", 21, wrappers, ingesttest.Plain[logEntry])
}

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "gcp-audit", ingest.Options{}, layout)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
