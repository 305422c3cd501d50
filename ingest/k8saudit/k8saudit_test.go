package k8saudit

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
	"github.com/breachline/breachline/normalize"
)

// layout is what of an input is not records: arrays, the wrapper objects of EventLists,
// CloudWatch output and subscription deliveries and their metadata. An event owns the stage
// records folded into it, which attrs.stages lists; a rejected request's reason lists them.
var layout = ingesttest.Layout{
	Syntax: ingesttest.JSONContainer(metadata...),
	Owns:   ingesttest.AttrSpans("stages"),
	RejectOwns: func(r normalize.Reject) []ingesttest.Span {
		var out []ingesttest.Span
		for _, m := range regexp.MustCompile(` at (\d+) \((\d+) bytes\)`).FindAllStringSubmatch(r.Reason, -1) {
			off, _ := strconv.ParseInt(m[1], 10, 64)
			n, _ := strconv.ParseInt(m[2], 10, 64)
			out = append(out, ingesttest.Span{Offset: off, Length: n})
		}
		return out
	},
}

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, layout)
}

func TestDetect(t *testing.T) {
	for _, name := range []string{"stages.jsonl", "v1beta1.json", "aks.json", "eks-cloudwatch.json", "eks-lines.jsonl",
		"eks-firehose.json", "eventlist.json"} {
		require.True(t, ingesttest.Detects(t, New(), filepath.Join("testdata", name)), name)
	}
	for _, head := range []string{
		`127.0.0.1 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`,
		`{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`,
		// A GKE entry names Kubernetes things but is a Cloud Logging entry: gcp-audit's.
		`{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","methodName":"io.k8s.core.v1.secrets.get","serviceName":"k8s.io"},"logName":"projects/p/logs/cloudaudit.googleapis.com%2Fdata_access"}` + "\n" +
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","stage":"ResponseComplete"}`,
		// A Kubernetes core Event (kubectl get events -o json) is not an audit event.
		`{"kind":"Event","apiVersion":"v1","involvedObject":{"kind":"Pod","name":"web-0"},"reason":"Pulled"}`,
		``, `{`, `[`,
	} {
		require.False(t, New().Detect([]byte(head)), head)
	}
	// A head cut inside the first record still detects.
	b, err := os.ReadFile("testdata/stages.jsonl")
	require.NoError(t, err)
	require.True(t, New().Detect(b[:300]))
}

func TestConformance(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "k8s-audit", ingest.Options{})
	require.NotEmpty(t, mem.Events)
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
	}
	// Exports that dropped the zone (Panther's) read with --assume-tz.
	withTZ := ingesttest.Conformance(t, New(), "k8s-audit", ingest.Options{AssumeTZ: time.UTC})
	require.Greater(t, len(withTZ.Events), len(mem.Events))
}

func TestAssumeTZ(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/bad.jsonl", ingest.Options{AssumeTZ: time.UTC})
	var found bool
	for _, e := range mem.Events {
		if e.TimeRaw == "2026-02-14 09:20:00.000000" {
			found = true
			require.Equal(t, "assumed:UTC", e.TZBasis)
			require.Equal(t, time.Date(2026, 2, 14, 9, 20, 0, 0, time.UTC), e.Time)
		}
	}
	require.True(t, found)
}

func TestCategorize(t *testing.T) {
	type want struct {
		cat normalize.Category
		ref string
	}
	for _, c := range []struct {
		verb, resource, sub, ns, name string
		want
	}{
		{"get", "secrets", "", "prod", "db", want{normalize.SecretRead, "k8s:prod/db"}},
		{"watch", "secrets", "", "prod", "db", want{normalize.SecretRead, "k8s:prod/db"}},
		{"watch", "secrets", "", "prod", "", want{normalize.SecretRead, "k8s:prod/*"}},
		{"list", "secrets", "", "prod", "", want{normalize.SecretRead, "k8s:prod/*"}},
		{"list", "secrets", "", "", "", want{normalize.SecretRead, "k8s:*/*"}},
		{"create", "secrets", "", "prod", "db", want{normalize.SecretWrite, "k8s:prod/db"}},
		{"create", "secrets", "", "prod", "", want{normalize.SecretWrite, ""}},
		{"update", "secrets", "", "prod", "db", want{normalize.SecretWrite, "k8s:prod/db"}},
		{"patch", "secrets", "", "prod", "db", want{normalize.SecretWrite, "k8s:prod/db"}},
		{"delete", "secrets", "", "prod", "db", want{normalize.APICall, ""}},
		{"create", "serviceaccounts", "token", "ci", "deployer", want{normalize.CredentialIssue, ""}},
		{"get", "serviceaccounts", "", "ci", "deployer", want{normalize.APICall, ""}},
		{"create", "pods", "exec", "prod", "web", want{normalize.Admin, ""}},
		{"get", "pods", "exec", "prod", "web", want{normalize.Admin, ""}},
		{"create", "pods", "attach", "prod", "web", want{normalize.Admin, ""}},
		{"create", "pods", "portforward", "prod", "web", want{normalize.Admin, ""}},
		{"get", "pods", "log", "prod", "web", want{normalize.APICall, ""}},
		{"get", "configmaps", "", "prod", "cfg", want{normalize.APICall, ""}},
	} {
		cat, ref := Categorize(c.verb, c.resource, c.sub, c.ns, c.name)
		require.Equal(t, c.want, want{cat, ref}, "%+v", c)
	}
}

func TestPrincipalType(t *testing.T) {
	for name, want := range map[string]string{
		"system:serviceaccount:ci:deployer": "serviceaccount", "system:node:worker-1": "node",
		"system:anonymous": "anonymous", "system:kube-scheduler": "system", "alice@example.com": "user", "": "",
	} {
		require.Equal(t, want, PrincipalType(name), name)
	}
}

func TestResourceName(t *testing.T) {
	require.Equal(t, "core/v1/namespaces/prod/secrets/db", ResourceName("", "v1", "prod", "secrets", "db", ""))
	require.Equal(t, "core/v1/namespaces/prod/pods/web/exec", ResourceName("", "v1", "prod", "pods", "web", "exec"))
	require.Equal(t, "rbac.authorization.k8s.io/v1/clusterroles/admin", ResourceName("rbac.authorization.k8s.io", "v1", "", "clusterroles", "admin", ""))
	require.Equal(t, "core/v1/namespaces/prod", ResourceName("", "v1", "prod", "namespaces", "prod", ""))
	require.Equal(t, "namespaces/prod/secrets", ResourceName("", "", "prod", "secrets", "", ""))
}

// TestDecoderMatchesEncodingJSON holds the fast decoder to encoding/json's results on every
// fixture record.
func TestDecoderMatchesEncodingJSON(t *testing.T) {
	ingesttest.DecoderMatches(t, "testdata", 21, wrappers, ingesttest.Plain[auditEvent])
}

// recorder keeps what an ingester emits, checking the order the core relies on.
type recorder struct {
	t       *testing.T
	last    int64
	events  []ingest.Record
	attrs   []map[string]any
	rejects []ingest.Record
	notes   []string
}

func (r *recorder) Event(rec ingest.Record, ev *normalize.Event) {
	require.GreaterOrEqual(r.t, rec.Offset, r.last, "offset went back")
	r.last = rec.Offset
	r.events = append(r.events, rec)
	r.attrs = append(r.attrs, ev.Attrs)
}

func (r *recorder) Reject(rec ingest.Record, reason string) {
	require.GreaterOrEqual(r.t, rec.Offset, r.last, "offset went back")
	r.last = rec.Offset
	r.rejects = append(r.rejects, rec)
}

func (r *recorder) Note(msg string) { r.notes = append(r.notes, msg) }

// TestFoldAccounting interleaves the stages of many requests at random, some without a final
// stage, and folds them with tiny limits: events leave in offset order, and every stage record
// is accounted for exactly once, as an event's or reject's record or in an event's attrs.stages.
func TestFoldAccounting(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		data, offsets := interleaved(seed, 60)
		for _, lim := range []limits{defaultLimits, {open: 3, pending: 5, held: 1 << 20}, {open: 100, pending: 100, held: 3000}} {
			rec := &recorder{t: t}
			src := &ingest.Source{Reader: bytes.NewReader(data), Options: ingest.Options{MaxRecord: ingest.DefaultMaxRecord}}
			require.NoError(t, ingestWith(context.Background(), src, rec, lim))
			seen := map[int64]int{}
			for i, e := range rec.events {
				stages, _ := rec.attrs[i]["stages"].([]any)
				if len(stages) == 0 {
					seen[e.Offset]++
				}
				for _, s := range stages {
					seen[s.(map[string]any)["offset"].(int64)]++
				}
			}
			for _, r := range rec.rejects {
				seen[r.Offset]++
			}
			for _, off := range offsets {
				require.Equal(t, 1, seen[off], "seed %d limits %+v: record at %d accounted %d times", seed, lim, off, seen[off])
			}
			require.Len(t, seen, len(offsets))
		}
	}
}

// interleaved writes the stage records of n requests in a random interleaving and returns the
// bytes and every record's offset.
func interleaved(seed uint64, n int) ([]byte, []int64) {
	r := rand.New(rand.NewPCG(seed, 7))
	type req struct {
		id     string
		stages []string
	}
	var open []*req
	for i := 0; i < n; i++ {
		q := &req{id: fmt.Sprintf("id-%d", i%(n-5))} // a few ids come back
		switch r.IntN(6) {
		case 0:
			q.stages = []string{StageResponseComplete}
		case 1:
			q.stages = []string{StageRequestReceived}
		case 2:
			q.stages = []string{StageRequestReceived, StageResponseStarted, StageResponseComplete}
		case 3:
			q.stages = []string{StageRequestReceived, StagePanic}
		case 4:
			q.stages = []string{StageResponseStarted, StageResponseStarted}
		default:
			q.stages = []string{StageRequestReceived, StageResponseComplete}
		}
		open = append(open, q)
	}
	var b bytes.Buffer
	var offsets []int64
	for len(open) > 0 {
		i := r.IntN(min(len(open), 4))
		q := open[i]
		offsets = append(offsets, int64(b.Len()))
		fmt.Fprintf(&b, `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":%q,"stage":%q,"verb":"get","requestURI":"/api/v1/namespaces/x/secrets/s","requestReceivedTimestamp":"2026-03-01T00:00:00Z"}`+"\n", q.id, q.stages[0])
		q.stages = q.stages[1:]
		if len(q.stages) == 0 {
			open = append(open[:i], open[i+1:]...)
		}
	}
	return b.Bytes(), offsets
}

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "k8s-audit", ingest.Options{}, layout)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}

// TestFoldReleasesEverything checks that a folded stream leaves nothing held: every record copy
// is let go once its event or reject is out.
func TestFoldReleasesEverything(t *testing.T) {
	data, offsets := interleaved(3, 200)
	rec := &recorder{t: t}
	f := newFolder(rec, nil, ingesttest.Key, limits{open: 4, pending: 8, held: 4000})
	sc := jsonrec.New(bytes.NewReader(data), 0)
	n := 0
	for sc.Next() {
		a, env, err := decode(sc.Record().Raw)
		require.NoError(t, err)
		f.record(sc.Record(), a, env)
		n++
		require.LessOrEqual(t, len(f.open), 5)
		require.LessOrEqual(t, len(f.pending), 9)
	}
	f.finish()
	require.Equal(t, len(offsets), n)
	require.Zero(t, f.held)
	require.Empty(t, f.open)
	require.Empty(t, f.pending)
	require.Nil(t, f.front)
	require.NotZero(t, f.evictions)
	var continued int
	for _, a := range rec.attrs {
		if s, _ := a["fold"].(string); strings.HasPrefix(s, "continues") || strings.Contains(s, "; continues") {
			continued++
		}
	}
	require.NotZero(t, continued, "a request emitted early is continued by its later stages")
}
