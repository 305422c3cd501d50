package gcpaudit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/azure"
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
	for _, name := range []string{"lines.jsonl", "gcloud.json", "entries.json", "mixed.json", "sink.jsonl", "lb.jsonl", "gke.jsonl", "bigquery.jsonl", "bigquery_bad.jsonl", "bigquery_gke.jsonl"} {
		path := filepath.Join("testdata", name)
		require.True(t, ingesttest.Detects(t, New(), path), name)
		// The ingesters after gcp-audit in detection order do not claim Cloud Logging files.
		require.False(t, ingesttest.Detects(t, k8saudit.New(), path), name)
		require.False(t, ingesttest.Detects(t, azure.New(), path), name)
	}
	// Any LogEntry: a log's name beside a payload, an httpRequest or a monitored resource.
	for _, head := range []string{
		`{"jsonPayload":{"message":"hello"},"logName":"projects/p/logs/app"}`,
		`{"textPayload":"x","logName":"organizations/1/logs/syslog"}`,
		`{"httpRequest":{"status":200},"logName":"projects/p/logs/requests"}`,
		"[\n  {\n    \"insertId\": \"a\",\n    \"logName\" : \"folders/2/logs/x\",\n    \"resource\": {\"type\": \"global\"}\n  }\n]",
		`{"LOGNAME":"billingAccounts/3/logs/x","TEXTPAYLOAD":"x"}`,
	} {
		require.True(t, New().Detect([]byte(head)), head)
	}
	for _, head := range []string{
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","stage":"ResponseComplete"}` + "\n" +
			`{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","methodName":"io.k8s.core.v1.secrets.get"}}`,
		`{"protoPayload":{"@type":"type.googleapis.com/google.appengine.logging.v1.RequestLog","method":"GET"}}`,
		// A logName that names no log, or one without anything else of a LogEntry.
		`{"jsonPayload":{"message":"hello"},"logName":"app"}`,
		`{"logName":"projects/p/logs/app","timestamp":"2026-02-10T08:00:00Z"}`,
		`{"message":"logName","jsonPayload":"projects/p/logs/app"}`,
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
		require.True(t, strings.Contains(r.Reason, "k8s-audit") || strings.Contains(r.Reason, "no logName, payload or httpRequest"), r.Reason)
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
	ingesttest.DecoderMatches(t, "testdata", 45, wrappers, ingesttest.Plain[logEntry])
	ingesttest.DecoderMatches(t, "testdata", 45, wrappers, ingesttest.Plain[otherEntry])
}

// TestEntryKinds checks what the non-audit fixtures give: request logs are http_request events
// with the outcome of their status, the rest other events named by their log.
func TestEntryKinds(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/lb.jsonl", ingest.Options{})
	var outcomes []normalize.Outcome
	for _, e := range mem.Events {
		require.Equal(t, normalize.HTTPRequest, e.Category)
		outcomes = append(outcomes, e.Outcome)
	}
	require.Equal(t, []normalize.Outcome{normalize.Success, normalize.Success, normalize.Failure, normalize.Failure,
		normalize.Failure, normalize.Unknown, normalize.Success}, outcomes)
	require.Equal(t, "2001:db8::17", mem.Events[4].SrcIP)
	mem = ingesttest.Ingest(t, New(), "testdata/gke.jsonl", ingest.Options{})
	for _, e := range mem.Events {
		require.Equal(t, normalize.Other, e.Category)
		require.NotEmpty(t, e.Action)
		var attrs struct {
			Message string `json:"message"`
		}
		require.NoError(t, json.Unmarshal(e.AttrsJSON, &attrs))
		require.NotEmpty(t, attrs.Message)
		require.LessOrEqual(t, len(attrs.Message), maxMessage)
	}
}

// TestSplitLines holds the LineSplitter promise on the JSON-lines fixtures: a parse started at
// any line the splitter allows as a cut gives what the whole parse gives from there.
func TestSplitLines(t *testing.T) {
	for _, name := range []string{"sink.jsonl", "lb.jsonl", "gke.jsonl", "lines.jsonl", "bad.jsonl"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		cut := New().SplitLines(b)
		whole := record(t, b, 0, 0)
		if name == "bad.jsonl" {
			require.Nil(t, cut, "its first line is not an entry")
			continue
		}
		require.NotNil(t, cut, name)
		cuts := 0
		for off, line := 0, int64(0); off < len(b); line++ {
			end := bytes.IndexByte(b[off:], '\n')
			if end < 0 {
				end = len(b) - off
			}
			if off > 0 && cut(b[off:off+end]) {
				cuts++
				var want []string
				for _, w := range whole {
					if w.off >= int64(off) {
						want = append(want, w.String())
					}
				}
				var got []string
				for _, g := range record(t, b[off:], int64(off), line) {
					got = append(got, g.String())
				}
				require.Equal(t, want, got, "%s: cut before line %d", name, line+1)
			}
			off += end + 1
		}
		require.NotZero(t, cuts, name)
	}
}

type call struct {
	off, line int64
	what      string
}

func (c call) String() string { return fmt.Sprintf("%d:%d:%s", c.off, c.line, c.what) }

type recorder struct {
	calls      []call
	off, lines int64
}

func (r *recorder) Event(rec ingest.Record, ev *normalize.Event) {
	r.calls = append(r.calls, call{rec.Offset + r.off, rec.Line + r.lines, string(ev.Category) + " " + ev.Action + " " + ev.Time.String()})
}
func (r *recorder) Reject(rec ingest.Record, why string) {
	r.calls = append(r.calls, call{rec.Offset + r.off, rec.Line + r.lines, "reject " + why})
}
func (r *recorder) Note(string) {}

func record(t *testing.T, b []byte, off, lines int64) []call {
	r := &recorder{off: off, lines: lines}
	src := &ingest.Source{Reader: bytes.NewReader(b), Path: "x", Options: ingest.Options{MaxRecord: ingest.DefaultMaxRecord}}
	require.NoError(t, New().Ingest(context.Background(), src, r))
	return r.calls
}

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "gcp-audit", ingest.Options{}, layout)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
