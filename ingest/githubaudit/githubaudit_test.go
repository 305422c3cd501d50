package githubaudit

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

// The tokens the fixtures' hashed_token values were computed from (synthetic, never valid).
const (
	tokDeploy = "ghp_" + "Zq4Lm8Np2Rt6Vx0Bz3Cd7Fh1Jk5Mn9Pq2St6Wy8"
)

// layout is what of an input is not records: a JSON array's syntax, or a CSV export's header.
var layout = ingesttest.Layout{Syntax: func(stream []byte, off int64, gap []byte) bool {
	return ingesttest.JSONContainer()(stream, off, gap) || ingesttest.CSVHeader(stream, off, gap)
}}

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, layout)
}

func TestDetect(t *testing.T) {
	for _, name := range []string{"stream.jsonl", "api-array.json", "csv-export.csv", "bad.jsonl", "csv-bad.csv"} {
		require.True(t, ingesttest.Detects(t, New(), filepath.Join("testdata", name)), name)
	}
	require.False(t, ingesttest.Detects(t, New(), "testdata/csv-noheader.csv"))
	for _, head := range []string{
		`{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{}}`,
		`{"time":"2026-03-02T10:00:00Z","type":"request","request":{"operation":"read","path":"secret/data/x"}}`,
		`{"id":"x","date_create":1700000000,"action":"user_login","actor":{"type":"user"},"entity":{}}`,
		`{"rule": "GitHub.Action.Failed", "file": "rules/x.yml", "test": "t", "expected_result": false}`,
		`127.0.0.1 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1`,
		"time,user,action\n2026-03-02T10:00:00Z,alice,login\n",
	} {
		require.False(t, New().Detect([]byte(head)), head)
	}
}

func TestConformance(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "github-audit", ingest.Options{})
	require.NotEmpty(t, mem.Events)
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
		require.Equal(t, normalize.TZUTCBySpec, e.TZBasis, "%s@%d", e.EvidencePath, e.Offset)
	}
	// Panther's copies carry zoneless times (or none): rejected, never guessed.
	for _, r := range mem.Rejects {
		require.True(t, strings.Contains(r.Reason, "no zone") || strings.Contains(r.Reason, "without @timestamp") ||
			strings.Contains(r.Reason, "neither epoch"), r.Reason)
	}
	// With the examiner's zone every record with a date-time is read.
	mem = ingesttest.Conformance(t, New(), "github-audit", ingest.Options{AssumeTZ: time.UTC})
	for _, r := range mem.Rejects {
		require.True(t, strings.Contains(r.Reason, "without @timestamp") || strings.Contains(r.Reason, "neither epoch"), r.Reason)
	}
}

// TestDecoderMatchesEncodingJSON holds the fast decoder to encoding/json's results on every
// fixture record.
func TestDecoderMatchesEncodingJSON(t *testing.T) {
	ingesttest.DecoderMatches(t, "testdata", 41, nil, ingesttest.Plain[record])
}

func events(t *testing.T, path string, opts ingest.Options) []normalize.Event {
	t.Helper()
	mem := ingesttest.Ingest(t, New(), path, opts)
	out := make([]normalize.Event, len(mem.Events))
	for i, e := range mem.Events {
		e.Attrs = nil
		if len(e.AttrsJSON) > 0 {
			require.NoError(t, json.Unmarshal(e.AttrsJSON, &e.Attrs))
		}
		out[i] = e
	}
	return out
}

// TestHashedToken holds the credential to the handle computed from the token itself, so that a
// token found elsewhere (a leaked .env, a CI log) matches the GitHub events that presented it.
func TestHashedToken(t *testing.T) {
	want := normalize.GitHubHashedTokenHandle(tokDeploy)
	for _, path := range []string{"testdata/stream.jsonl", "testdata/api-array.json", "testdata/csv-export.csv"} {
		var got []string
		for _, e := range events(t, path, ingest.Options{}) {
			if e.Credential != "" {
				got = append(got, e.Credential)
			}
		}
		require.Contains(t, got, want, path)
	}
	for _, e := range events(t, "testdata/bad.jsonl", ingest.Options{}) {
		if e.Principal == "odd-hash" {
			require.Empty(t, e.Credential)
			require.Equal(t, "0771cae4d170dc02a6ff393d9946cd684d6145c1=", e.Attrs["hashed_token_unrecognized"])
		}
	}
}

func TestCategories(t *testing.T) {
	byAction := map[string]normalize.Event{}
	for _, e := range events(t, "testdata/stream.jsonl", ingest.Options{}) {
		byAction[e.Action] = e
	}
	check := func(action string, cat normalize.Category, ref string) {
		t.Helper()
		e, ok := byAction[action]
		require.True(t, ok, action)
		require.Equal(t, cat, e.Category, action)
		require.Equal(t, ref, e.SecretRef, action)
	}
	check("git.clone", normalize.DataAccess, "")
	check("git.fetch", normalize.DataAccess, "")
	check("git.push", normalize.APICall, "")
	check("repo.download_zip", normalize.DataAccess, "")
	check("repo.create_actions_secret", normalize.SecretWrite, "github:acme-corp/payments/actions/STRIPE_API_KEY")
	check("repo.update_actions_secret", normalize.SecretWrite, "github:acme-corp/payments/actions/STRIPE_API_KEY")
	check("org.update_actions_secret", normalize.SecretWrite, "github:acme-corp/actions/NPM_TOKEN")
	check("environment.create_actions_secret", normalize.SecretWrite, "github:acme-corp/payments/environments/production/actions/DB_PASSWORD")
	check("environment.remove_actions_secret", normalize.SecretWrite, "") // no environment_name: not guessed
	check("org.create_integration_secret", normalize.SecretWrite, "github:acme-corp/dependabot/REGISTRY_TOKEN")
	check("repo.remove_integration_secret", normalize.SecretWrite, "github:acme-corp/web/codespaces/SENTRY_DSN")
	check("codespaces.create_an_org_secret", normalize.SecretWrite, "github:acme-corp/codespaces/DEV_DB_URL")
	check("personal_access_token.access_granted", normalize.CredentialIssue, "")
	check("personal_access_token.access_revoked", normalize.CredentialRevoke, "")
	check("personal_access_token.request_created", normalize.Admin, "")
	check("oauth_access.create", normalize.CredentialIssue, "")
	check("oauth_access.destroy", normalize.CredentialRevoke, "")
	check("public_key.create", normalize.CredentialIssue, "")
	check("public_key.delete", normalize.CredentialRevoke, "")
	check("org_credential_authorization.grant", normalize.CredentialIssue, "")
	check("org_credential_authorization.revoke", normalize.CredentialRevoke, "")
	check("oauth_application.reset_secret", normalize.CredentialIssue, "")
	check("org.sso_response", normalize.Auth, "")
	check("user.failed_login", normalize.Auth, "")
	check("org.add_member", normalize.Admin, "")
	check("protected_branch.destroy", normalize.Admin, "")
	check("org.secret_scanning_push_protection_disable", normalize.Admin, "")
	check("secret_scanning_alert.create", normalize.Other, "")
	check("workflows.completed_workflow_run", normalize.APICall, "")
	check("pull_request.merge", normalize.APICall, "")

	require.Equal(t, normalize.Failure, byAction["user.failed_login"].Outcome)
	require.Equal(t, normalize.Unknown, byAction["git.clone"].Outcome)
	require.Equal(t, "bot", byAction["workflows.completed_workflow_run"].PrincipalType)
	require.Equal(t, "2001:db8:85a3::8a2e:370:7334", byAction["git.fetch"].SrcIP)
	clone := byAction["git.clone"]
	require.Equal(t, "1772445601000", clone.TimeRaw)
	require.Equal(t, normalize.TZUTCBySpec, clone.TZBasis)
	require.Equal(t, "2026-03-02T10:00:01Z", clone.Time.Format(time.RFC3339Nano))
	require.Equal(t, "91827364", clone.Attrs["token_id"])
	require.Equal(t, "repo,workflow", clone.Attrs["token_scopes"])
	require.Equal(t, "Personal access token (classic)", clone.Attrs["programmatic_access_type"])
	require.Equal(t, "acme-corp/payments", clone.Resource)
	require.Equal(t, "NL", clone.Attrs["actor_country"])
	require.Equal(t, "5003", byAction["team.create"].Attrs["actor_id"])
	require.Equal(t, "1772445608000.0", byAction["team.create"].TimeRaw)
	require.Equal(t, "2026-03-02T10:00:08.2505Z", byAction["repo.archived"].Time.Format(time.RFC3339Nano))
	require.Equal(t, "1772445608099", byAction["repo.create"].Attrs["created_at"])
}

func TestTimestamps(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/bad.jsonl", ingest.Options{})
	var reasons []string
	for _, r := range mem.Rejects {
		reasons = append(reasons, r.Reason)
	}
	require.Contains(t, reasons, "timestamp 1772445610 is not epoch milliseconds")
	require.Contains(t, reasons, `timestamp "2026-03-02 10:00:10.5" has no zone (GitHub writes epoch milliseconds; pass --assume-tz to read a re-export's local times)`)

	evs := events(t, "testdata/bad.jsonl", ingest.Options{AssumeTZ: time.FixedZone("CET", 3600)})
	byActor := map[string]normalize.Event{}
	for _, e := range evs {
		byActor[e.Principal] = e
	}
	require.Equal(t, "assumed:CET", byActor["panther"].TZBasis)
	require.Equal(t, "2026-03-02T09:00:10.5Z", byActor["panther"].Time.UTC().Format(time.RFC3339Nano))
	require.Equal(t, normalize.TZExplicit, byActor["rfc"].TZBasis)
	require.Equal(t, "2026-03-02T10:00:11.25Z", byActor["rfc"].Time.UTC().Format(time.RFC3339Nano))
	require.Equal(t, "2026-03-02T10:00:11.5Z", byActor["exp"].Time.UTC().Format(time.RFC3339Nano))
}

// TestCSVMatchesEncodingCSV holds the rows the ingester reads, with their offsets, to what
// encoding/csv reads from each row's bytes alone.
func TestCSVMatchesEncodingCSV(t *testing.T) {
	for _, path := range []string{"testdata/csv-export.csv", "testdata/csv-bad.csv"} {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		mem := ingesttest.Ingest(t, New(), path, ingest.Options{})
		for _, e := range mem.Events {
			raw := data[e.Offset : e.Offset+e.Length]
			_, err := csv.NewReader(bytes.NewReader(raw)).Read()
			require.NoError(t, err, "%s@%d: %q", path, e.Offset, raw)
			require.False(t, bytes.HasSuffix(raw, []byte{'\n'}) || bytes.HasSuffix(raw, []byte{'\r'}))
		}
	}
}

func TestCSVRowLimit(t *testing.T) {
	long := strings.Repeat("x", 300)
	in := "@timestamp,action,actor,user_agent\n" +
		"1772445700000,repo.create,a,short\n" +
		"1772445701000,repo.create,b," + long + "\n" + // longer than the limit, one line
		"1772445702000,repo.create,c,short\n" +
		"1772445703000,repo.create,d,\"" + long + "\n" + long + "\"\n" + // a long quoted field over two lines
		"1772445704000,repo.create,e,short\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "long.csv")
	require.NoError(t, os.WriteFile(path, []byte(in), 0o644))
	mem := ingesttest.Ingest(t, New(), path, ingest.Options{MaxRecord: 200})
	var actors []string
	for _, e := range mem.Events {
		actors = append(actors, e.Principal)
	}
	require.Equal(t, []string{"a", "c", "e"}, actors)
	require.Len(t, mem.Rejects, 2)
	for _, r := range mem.Rejects {
		require.Contains(t, r.Reason, "exceeds the 200-byte limit")
	}
	require.Equal(t, int64(3), mem.Rejects[0].Line)
	require.Equal(t, int64(len("1772445701000,repo.create,b,")+len(long)), mem.Rejects[0].Length)
	require.Equal(t, int64(5), mem.Rejects[1].Line)
}

// TestCSVStreamLimit reads a row far beyond the limit through the streaming path: memory stays
// bounded and reading resumes after it.
func TestCSVStreamLimit(t *testing.T) {
	huge := strings.Repeat("y", 3<<20)
	in := "@timestamp,action,actor,user_agent\n" +
		"1772445701000,repo.create,b," + huge + "\n" +
		"1772445702000,repo.create,c,short\n"
	em := &collect{}
	src := &ingest.Source{Reader: strings.NewReader(in), Path: "mem", Options: ingest.Options{MaxRecord: 1 << 10}}
	require.NoError(t, New().Ingest(context.Background(), src, em))
	require.Equal(t, []string{"c"}, em.principals)
	require.Len(t, em.rejects, 1)
	require.Equal(t, int64(len("1772445701000,repo.create,b,")+len(huge)), em.rejects[0].Length)
	require.LessOrEqual(t, len(em.rejects[0].Raw), normalize.SnippetLen)
	require.Equal(t, int64(3), em.lines[0])
}

func TestCSVBadHeader(t *testing.T) {
	in := "@timestamp,action,\"actor\"x,org\n1772445700000,repo.create,a,acme-corp\n"
	em := &collect{}
	src := &ingest.Source{Reader: strings.NewReader(in), Path: "mem", Options: ingest.Options{MaxRecord: 1 << 10}}
	require.NoError(t, New().Ingest(context.Background(), src, em))
	require.Empty(t, em.principals)
	require.Len(t, em.rejects, 2, "the header and the row it cannot map")
}

type collect struct {
	principals []string
	lines      []int64
	rejects    []ingest.Record
}

func (c *collect) Event(rec ingest.Record, ev *normalize.Event) {
	c.principals = append(c.principals, ev.Principal)
	c.lines = append(c.lines, rec.Line)
}
func (c *collect) Reject(rec ingest.Record, _ string) {
	rec.Raw = append([]byte(nil), rec.Raw...)
	c.rejects = append(c.rejects, rec)
}
func (c *collect) Note(string) {}

var _ io.Reader = (*tap)(nil)

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "github-audit", ingest.Options{}, layout)
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
