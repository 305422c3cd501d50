package mapped

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // --assume-tz Europe/Berlin must work on a machine without zoneinfo

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

func load(t testing.TB, path string) *Ingester {
	t.Helper()
	ing, err := Load(path)
	require.NoError(t, err)
	return ing
}

func builtin(t testing.TB, name string) *Ingester {
	t.Helper()
	for _, b := range Builtins() {
		if b.Name() == name {
			return b
		}
	}
	t.Fatalf("no built-in mapping %q", name)
	return nil
}

func berlin(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

// TestGolden ingests every fixture directory with its mapping and options and compares the
// whole result with the golden files beside the inputs (refresh with -update, then read them).
func TestGolden(t *testing.T) {
	// What of an input is not records: JSON containers (a mapping declares no metadata, so
	// only their syntax), or the CSV header.
	jsonLayout := ingesttest.Layout{Syntax: ingesttest.JSONContainer()}
	csvLayout := ingesttest.Layout{Syntax: ingesttest.CSVHeader}
	comments := ingesttest.Layout{Syntax: func(_ []byte, _ int64, gap []byte) bool { return gap[0] == '#' && bytes.IndexByte(gap, '\n') < 0 }}
	cases := []struct {
		dir    string
		ing    func(testing.TB) *Ingester
		opts   ingest.Options
		layout ingesttest.Layout
	}{
		{"json", func(t testing.TB) *Ingester { return load(t, "testdata/mappings/json.yaml") }, ingest.Options{}, jsonLayout},
		{"epoch", func(t testing.TB) *Ingester { return load(t, "testdata/mappings/epoch.yaml") }, ingest.Options{}, jsonLayout},
		{"zoneless", func(t testing.TB) *Ingester { return load(t, "testdata/mappings/zoneless.yaml") }, ingest.Options{}, jsonLayout},
		{"zoneless-assumed", func(t testing.TB) *Ingester { return load(t, "testdata/mappings/zoneless.yaml") },
			ingest.Options{AssumeTZ: berlin(t)}, jsonLayout},
		{"csv", func(t testing.TB) *Ingester { return load(t, "testdata/mappings/csv.yaml") }, ingest.Options{}, csvLayout},
		{"csv-noheader", func(t testing.TB) *Ingester { return load(t, "testdata/mappings/csv-noheader.yaml") }, ingest.Options{}, comments},
		{"hub-audit", func(t testing.TB) *Ingester { return builtin(t, "hub-audit") }, ingest.Options{}, jsonLayout},
		{"nginx-json", func(t testing.TB) *Ingester { return builtin(t, "nginx-json") }, ingest.Options{}, jsonLayout},
		{"caddy-access", func(t testing.TB) *Ingester { return builtin(t, "caddy-access") }, ingest.Options{}, jsonLayout},
		{"traefik-access", func(t testing.TB) *Ingester { return builtin(t, "traefik-access") }, ingest.Options{}, jsonLayout},
		{"envoy-access", func(t testing.TB) *Ingester { return builtin(t, "envoy-access") }, ingest.Options{}, jsonLayout},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			ingesttest.Golden(t, c.ing(t), filepath.Join("testdata", c.dir), c.opts, c.layout)
		})
	}
}

// TestRawTokenNeverStored plants raw tokens that only the mapping's sha256 transform knows to
// be credentials (no vendor prefix, no credential-named key) and checks that nothing stored
// holds them: not the events, not their attributes, not rejects, not notes.
func TestRawTokenNeverStored(t *testing.T) {
	ing := load(t, "testdata/mappings/json.yaml")
	mem := ingesttest.Ingest(t, ing, "testdata/json/token.jsonl", ingest.Options{})
	out := string(ingesttest.Render(mem))
	raw := "svcpat.Q29mZmVlQmVhbnNBbmRUZWE5OTk"
	require.NotContains(t, out, raw)
	require.Contains(t, out, ingesttest.Key.Token(raw), "the handle of the trimmed token is the credential")
	require.Len(t, mem.Events, 3)
	require.Empty(t, mem.Events[1].Credential, "a placeholder is not a credential")
	require.Equal(t, ingesttest.Key.Keyed("sha256:0000000000000000000000000000000000000000000000000000000000000abc"), mem.Events[2].Credential,
		"a sha256 handle in the log becomes the case's keyed handle of the same value")

	mem = ingesttest.Ingest(t, ing, "testdata/json/lines.jsonl", ingest.Options{})
	require.NotContains(t, string(ingesttest.Render(mem)), "svc_tok_9f8e7d6c5b4a39281706")

	csvIng := load(t, "testdata/mappings/csv.yaml")
	mem = ingesttest.Ingest(t, csvIng, "testdata/csv/basic.csv", ingest.Options{})
	require.NotContains(t, string(ingesttest.Render(mem)), "svcpat.RmlzaEFuZENoaXBzMTIzNDU2Nzg")
}

func TestDetect(t *testing.T) {
	jsonIng := load(t, "testdata/mappings/json.yaml")
	csvIng := load(t, "testdata/mappings/csv.yaml")
	hub := builtin(t, "hub-audit")
	noHeader := load(t, "testdata/mappings/csv-noheader.yaml")
	for _, c := range []struct {
		ing  *Ingester
		path string
		want bool
	}{
		{jsonIng, "testdata/json/lines.jsonl", true},
		{jsonIng, "testdata/json/array.json", true},
		{jsonIng, "testdata/json/pretty.json", true},
		{jsonIng, "testdata/json/wrapper.json", true},
		{jsonIng, "testdata/hub-audit/export.json", false},
		{jsonIng, "testdata/csv/basic.csv", false},
		{hub, "testdata/hub-audit/export.json", true},
		{hub, "testdata/hub-audit/lines.jsonl", true},
		{hub, "testdata/json/lines.jsonl", false},
		{csvIng, "testdata/csv/basic.csv", true},
		{csvIng, "testdata/csv/bom-crlf.csv", true},
		{csvIng, "testdata/csv/multiline.csv", true},
		{csvIng, "testdata/json/lines.jsonl", false},
		{csvIng, "testdata/csv-noheader/rows.csv", false},
		{noHeader, "testdata/csv-noheader/rows.csv", true},
		{noHeader, "testdata/csv/basic.csv", false},
	} {
		require.Equal(t, c.want, ingesttest.Detects(t, c.ing, c.path), "%s on %s", c.ing.Name(), c.path)
	}
	// A head cut inside the first record must not match, nor panic.
	head, err := os.ReadFile("testdata/hub-audit/export.json")
	require.NoError(t, err)
	for i := range head {
		_ = hub.Detect(head[:i])
	}
	require.False(t, hub.Detect(head[:200]))
	require.False(t, hub.Detect(nil))
}

// TestBuiltins loads every built-in mapping (a fault panics in Builtins), checks what the
// command line lists, and that each has golden fixtures that round-trip.
func TestBuiltins(t *testing.T) {
	all := Builtins()
	require.NotEmpty(t, all)
	for _, b := range all {
		require.NotEmpty(t, b.Name())
		require.NotEmpty(t, b.Version())
		require.NotEmpty(t, b.Description())
		require.Len(t, b.SHA256(), 64)
		dir := filepath.Join("testdata", b.Name())
		entries, err := os.ReadDir(dir)
		require.NoError(t, err, "built-in %s needs fixtures in %s", b.Name(), dir)
		n := 0
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".golden.jsonl") {
				continue
			}
			n++
			path := filepath.Join(dir, e.Name())
			require.True(t, ingesttest.Detects(t, b, path), "%s does not detect its own fixture %s", b.Name(), path)
			mem := ingesttest.Ingest(t, b, path, ingest.Options{})
			require.NotEmpty(t, mem.Events)
			for _, ev := range mem.Events {
				require.Equal(t, b.Name(), ev.Source)
				require.Equal(t, b.Name()+"@"+b.Version(), ev.Parser)
			}
			// The golden file is the contract: it must hold exactly what the mapping produces.
			want, err := os.ReadFile(filepath.Join(dir, ingesttest.GoldenName(e.Name())))
			require.NoError(t, err)
			require.Equal(t, string(want), string(ingesttest.Render(mem)))
		}
		require.NotZero(t, n)
	}
}

func TestHubAuditCategories(t *testing.T) {
	mem := ingesttest.Ingest(t, builtin(t, "hub-audit"), "testdata/hub-audit/export.json", ingest.Options{})
	got := map[string]normalize.Event{}
	for _, e := range mem.Events {
		got[e.Action] = e
	}
	require.Equal(t, normalize.Auth, got["org.sso_login"].Category)
	require.Equal(t, normalize.SecretWrite, got["repo.update_secret"].Category)
	require.Equal(t, "hub-space:acme-ml/support-bot/OPENAI_API_KEY", got["repo.update_secret"].SecretRef)
	require.Empty(t, got["repo.add_secrets"].SecretRef, "a bulk change names no single secret")
	require.Equal(t, normalize.CredentialRevoke, got["org.token_approval.authorization_request.revoked"].Category)
	require.Equal(t, normalize.CredentialIssue, got["org.rotate_token"].Category)
	require.Equal(t, "system", got["repo.create"].PrincipalType)
	require.Len(t, mem.Rejects, 1)
	require.Contains(t, mem.Rejects[0].Reason, `"repo.teleport"`)
}

// TestAccounting holds every fixture to records seen = events + rejects with the rejects'
// reasons non-empty (ingesttest.Check asserts the rest).
func TestAccounting(t *testing.T) {
	mem := ingesttest.Ingest(t, load(t, "testdata/mappings/json.yaml"), "testdata/json/bad.jsonl", ingest.Options{})
	require.Equal(t, int64(17), mem.Evidence[0].Records, "16 lines, one of them an array of two")
	require.Equal(t, int64(2), mem.Evidence[0].Events)
	for _, r := range mem.Rejects {
		require.NotEmpty(t, r.Reason)
	}
}

func TestCSVRowTooLong(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("time,user,ip,action,secret,token,result,note\n")
	b.WriteString("2026-03-02 10:00:00 +0000,a,192.0.2.1,login,,,success,short\n")
	b.WriteString("2026-03-02 10:00:01 +0000,a,192.0.2.1,login,,,success,\"" + strings.Repeat("x", 300) + "\"\n")
	b.WriteString("2026-03-02 10:00:02 +0000,a,192.0.2.1,login,,,success,\"" + strings.Repeat("y\n", 70_000) + "\"\n")
	b.WriteString("2026-03-02 10:00:03 +0000,a,192.0.2.1,login,,,success,after\n")
	path := filepath.Join(t.TempDir(), "long.csv")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	mem := ingesttest.Ingest(t, load(t, "testdata/mappings/csv.yaml"), path, ingest.Options{MaxRecord: 256})
	var notes []string
	for _, e := range mem.Events {
		notes = append(notes, attrsOf(t, e)["note"].(string)+"@"+strconv.FormatInt(e.Line, 10))
	}
	require.Equal(t, []string{"short@2", "after@70005"}, notes)
	require.NotEmpty(t, mem.Rejects)
	require.Contains(t, mem.Rejects[0].Reason, "exceeds the 256-byte limit")
	require.Equal(t, int64(3), mem.Rejects[0].Line)
	require.Contains(t, mem.Rejects[1].Reason, "cut off")
	require.Equal(t, int64(4), mem.Rejects[1].Line)
	require.Len(t, mem.Rejects, 2, "the cut-off row is one reject up to its closing quote")
	require.Equal(t, int64(len("2026-03-02 10:00:02 +0000,a,192.0.2.1,login,,,success,\"")+140_000+1), mem.Rejects[1].Length)
}

// attrsOf decodes the attributes of a stored event (the core keeps them as canonical JSON).
func attrsOf(t testing.TB, e normalize.Event) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(e.AttrsJSON, &m))
	return m
}

// TestJSONAccessLogsDetect holds the four JSON access-log mappings to their own fixtures: each
// detects its own and none of the others', nor hub-audit's.
func TestJSONAccessLogsDetect(t *testing.T) {
	names := []string{"nginx-json", "caddy-access", "traefik-access", "envoy-access", "hub-audit"}
	fixtures := map[string]string{
		"nginx-json":     "testdata/nginx-json/lines.jsonl",
		"caddy-access":   "testdata/caddy-access/access.jsonl",
		"traefik-access": "testdata/traefik-access/access.jsonl",
		"envoy-access":   "testdata/envoy-access/access.jsonl",
		"hub-audit":      "testdata/hub-audit/lines.jsonl",
	}
	for _, name := range names[:4] {
		ing := builtin(t, name)
		for _, other := range names {
			require.Equal(t, name == other, ingesttest.Detects(t, ing, fixtures[other]), "%s on %s", name, fixtures[other])
		}
		require.False(t, ingesttest.Detects(t, ing, "testdata/json/lines.jsonl"), name)
	}
}
