package vaultaudit

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

func TestGolden(t *testing.T) {
	ingesttest.Golden(t, New(), "testdata", ingest.Options{}, ingesttest.Layout{Syntax: ingesttest.JSONContainer()}) // JSON lines, or concatenated objects
}

func TestDetect(t *testing.T) {
	for _, name := range []string{"kv.jsonl", "auth.jsonl", "pretty.json", "redacted.jsonl", "fractions.jsonl", "bad.jsonl"} {
		require.True(t, ingesttest.Detects(t, New(), filepath.Join("testdata", name)), name)
	}
	for _, head := range []string{
		`2019-12-18T20:26:12.000Z [INFO]  core: security barrier not initialized`,
		`{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`,
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","requestURI":"/api"}`,
		`{"protoPayload":{"request":{"@type":"x"}},"operation":{"id":"1"},"resource":{"type":"gce_instance"}}`,
		`{"action":"repo.create","actor":"octocat","created_at":1621305118553}`,
		`# vault tests` + "\n" + `tests:` + "\n" + ` - sample: |-` + "\n" + `    {"request": {"operation": "update"}, "type": "request"}`,
	} {
		require.False(t, New().Detect([]byte(head)), head)
	}
}

func TestConformance(t *testing.T) {
	mem := ingesttest.Conformance(t, New(), "vault", ingest.Options{})
	require.NotEmpty(t, mem.Events)
	require.Empty(t, mem.Rejects)
	for _, e := range mem.Events {
		require.NotEmpty(t, e.Action, "%s@%d", e.EvidencePath, e.Offset)
		require.True(t, strings.HasPrefix(e.Credential, "vault-hmac:"), "%s@%d", e.EvidencePath, e.Offset)
		if e.Resource == "sys/policies/acl/admin" {
			require.Equal(t, normalize.Admin, e.Category)
			require.Equal(t, "root", e.Principal)
			require.Equal(t, "127.0.0.1", e.SrcIP)
		}
	}
}

// TestDecoderMatchesEncodingJSON holds the fast decoder to encoding/json's results on every
// fixture record.
func TestDecoderMatchesEncodingJSON(t *testing.T) {
	ingesttest.DecoderMatches(t, "testdata", 41, nil, ingesttest.Plain[record])
}

// byRequest indexes a fixture's events by request id and entry type.
func byRequest(t *testing.T, path string) map[string]normalize.Event {
	t.Helper()
	mem := ingesttest.Ingest(t, New(), path, ingest.Options{})
	out := map[string]normalize.Event{}
	for _, e := range withAttrs(t, mem.Events) {
		out[e.RequestID+"/"+e.Attrs["type"].(string)] = e
	}
	return out
}

func TestKV(t *testing.T) {
	ev := byRequest(t, "testdata/kv.jsonl")
	check := func(id string, cat normalize.Category, ref string) {
		t.Helper()
		e, ok := ev[id]
		require.True(t, ok, id)
		require.Equal(t, cat, e.Category, id)
		require.Equal(t, ref, e.SecretRef, id)
	}
	check("5b1c0e2a-9f41-7c3d-0e8a-2b6d4c1f9a01/request", normalize.SecretRead, "vault:secret/prod/payments/stripe")
	check("5b1c0e2a-9f41-7c3d-0e8a-2b6d4c1f9a01/response", normalize.SecretRead, "vault:secret/prod/payments/stripe")
	check("7f3a9c10-2b4d-4e6f-8a0b-1c2d3e4f5a61/request", normalize.SecretRead, "vault:secret/ci/npm-token") // v1, no mount_type
	check("c0ffee00-1111-2222-3333-444455556666/request", normalize.DataAccess, "vault:secret/prod/payments/stripe")
	check("d1e2f3a4-b5c6-d7e8-f9a0-b1c2d3e4f5a6/request", normalize.SecretRead, "vault:secret/prod/*")
	check("e5f6a7b8-c9d0-e1f2-a3b4-c5d6e7f8a9b0/request", normalize.SecretRead, "vault:kv1/*")
	check("0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/request", normalize.SecretRead, "vault:team-a/kv/app/api-key")
	check("1b2c3d4e-5f6a-7b8c-9d0e-1f2a3b4c5d6e/request", normalize.DataAccess, "vault:secret/prod/payments/stripe")
	check("2c3d4e5f-6a7b-8c9d-0e1f-2a3b4c5d6e7f/request", normalize.SecretWrite, "vault:secret/prod/db")
	check("3d4e5f6a-7b8c-9d0e-1f2a-3b4c5d6e7f8a/request", normalize.SecretWrite, "vault:secret/prod/db")
	check("4e5f6a7b-8c9d-0e1f-2a3b-4c5d6e7f8a9b/request", normalize.SecretWrite, "vault:secret/prod/db")
	check("5f6a7b8c-9d0e-1f2a-3b4c-5d6e7f8a9b0c/request", normalize.SecretWrite, "vault:secret/prod/old-service")
	check("6a7b8c9d-0e1f-2a3b-4c5d-6e7f8a9b0c1d/request", normalize.SecretWrite, "vault:secret/prod/db")
	check("8b9c0d1e-2f3a-4b5c-6d7e-8f9a0b1c2d3e/request", normalize.SecretWrite, "vault:secret/ci/old-token")
	check("9c0d1e2f-3a4b-5c6d-7e8f-9a0b1c2d3e4f/request", normalize.SecretRead, "vault:eng/kv/ci/token")
	check("cf2a3b4c-5d6e-7f8a-9b0c-1d2e3f4a5b6c/request", normalize.SecretRead, "vault:database/static-creds/billing-app")
	check("be1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b/response", normalize.CredentialIssue, "")
	check("da3b4c5d-6e7f-8a9b-0c1d-2e3f4a5b6c7d/request", normalize.APICall, "")
	check("/request", normalize.APICall, "") // help, no id

	denied := ev["ad0e1f2a-3b4c-5d6e-7f8a-9b0c1d2e3f4a/response"]
	require.Equal(t, normalize.Failure, denied.Outcome)
	require.Equal(t, "1 error occurred:\n\t* permission denied\n\n", denied.Attrs["error"])
	require.Equal(t, normalize.Unknown, ev["5b1c0e2a-9f41-7c3d-0e8a-2b6d4c1f9a01/request"].Outcome)
	require.Equal(t, normalize.Success, ev["5b1c0e2a-9f41-7c3d-0e8a-2b6d4c1f9a01/response"].Outcome)
}

func TestAuthAndTokens(t *testing.T) {
	ev := byRequest(t, "testdata/auth.jsonl")
	hm := func(label string) string { return "vault-hmac:" + hmacOf(label) }

	login := ev["11111111-aaaa-4bbb-8ccc-000000000001/response"]
	require.Equal(t, normalize.Auth, login.Category)
	require.Equal(t, "alice", login.Principal)
	require.Equal(t, "", login.Credential, "a login presents a password, not a token")
	require.Equal(t, hm("tok-alice"), login.Attrs[normalize.AttrIssuedCredential])
	require.Equal(t, "alice", login.Attrs["login_user"])

	failed := ev["11111111-aaaa-4bbb-8ccc-000000000002/response"]
	require.Equal(t, normalize.Auth, failed.Category)
	require.Equal(t, normalize.Failure, failed.Outcome)
	require.Equal(t, "bob", failed.Attrs["login_user"])
	require.Equal(t, "203.0.113.99", failed.SrcIP)

	require.Equal(t, "ci-deployer", ev["11111111-aaaa-4bbb-8ccc-000000000003/response"].Principal)
	require.Equal(t, "octocat", ev["11111111-aaaa-4bbb-8ccc-000000000004/response"].Principal)
	require.Equal(t, normalize.APICall, ev["11111111-aaaa-4bbb-8ccc-000000000005/request"].Category, "auth_url only starts the flow")
	oidc := ev["11111111-aaaa-4bbb-8ccc-000000000006/response"]
	require.Equal(t, normalize.Auth, oidc.Category)
	require.Equal(t, "carol@acme.example", oidc.Principal)
	require.Equal(t, "system:serviceaccount:payments:payments-api", ev["11111111-aaaa-4bbb-8ccc-000000000007/response"].Principal)

	create := ev["22222222-bbbb-4ccc-8ddd-000000000001/response"]
	require.Equal(t, normalize.CredentialIssue, create.Category)
	require.Equal(t, hm("tok-alice"), create.Credential, "the parent token mints the child")
	require.Equal(t, "alice", create.Principal)
	require.Equal(t, hm("tok-child"), create.Attrs[normalize.AttrIssuedCredential])
	require.Equal(t, hm("acc-child"), create.Attrs["issued_accessor"])
	require.Equal(t, normalize.CredentialIssue, ev["22222222-bbbb-4ccc-8ddd-000000000001/request"].Category)

	wrapped := ev["22222222-bbbb-4ccc-8ddd-000000000002/response"]
	require.Equal(t, normalize.CredentialIssue, wrapped.Category)
	require.Nil(t, wrapped.Attrs[normalize.AttrIssuedCredential], "the wrapped token is not in the log")
	require.Equal(t, hm("wrap-tok-1"), wrapped.Attrs["wrap_token"])

	rv := ev["22222222-bbbb-4ccc-8ddd-000000000003/response"]
	require.Equal(t, normalize.CredentialRevoke, rv.Category)
	require.Equal(t, hm("tok-child"), rv.Attrs[normalize.AttrRevokedCredential])
	require.Equal(t, hm("acc-octo"), ev["22222222-bbbb-4ccc-8ddd-000000000004/response"].Attrs[normalize.AttrRevokedCredential])
	self := ev["22222222-bbbb-4ccc-8ddd-000000000005/request"]
	require.Equal(t, normalize.CredentialRevoke, self.Category)
	require.Equal(t, hm("tok-ci"), self.Attrs[normalize.AttrRevokedCredential])

	lease := ev["22222222-bbbb-4ccc-8ddd-000000000006/response"]
	require.Equal(t, normalize.CredentialRevoke, lease.Category)
	require.Equal(t, "database/creds/readonly/KfS9yFh0rjVqL2ZtN7o1pQbW", lease.Attrs["revoked_lease"])
	prefix := ev["22222222-bbbb-4ccc-8ddd-000000000007/response"]
	require.Equal(t, normalize.CredentialRevoke, prefix.Category)
	require.Equal(t, "aws/creds/deploy", prefix.Attrs["revoked_lease_prefix"])

	sid := ev["33333333-cccc-4ddd-8eee-000000000001/response"]
	require.Equal(t, normalize.CredentialIssue, sid.Category)
	require.Equal(t, hm("secret-id-ci-2"), sid.Attrs[normalize.AttrIssuedCredential])
	require.Equal(t, normalize.CredentialRevoke, ev["33333333-cccc-4ddd-8eee-000000000002/response"].Category)

	require.Equal(t, normalize.Admin, ev["44444444-dddd-4eee-8fff-000000000001/request"].Category)
	require.Equal(t, normalize.APICall, ev["44444444-dddd-4eee-8fff-000000000002/request"].Category)
	require.Equal(t, normalize.Admin, ev["44444444-dddd-4eee-8fff-000000000003/request"].Category)
}

func TestRedactedAndRaw(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/redacted.jsonl", ingest.Options{})
	require.Len(t, mem.Events, 3)
	events := withAttrs(t, mem.Events)
	for _, e := range events[:2] {
		require.Empty(t, e.Credential, "**** must not become a handle")
		require.Equal(t, true, e.Attrs["client_token_redacted"])
		require.Nil(t, e.Attrs[normalize.AttrRevokedCredential])
	}
	raw := events[2]
	rawTok := "hvs.CAESIJx7Rk2Qd9Lm4Pz8Vt1Nw6Yb3Hc5Fg0Ja2Ks7Ue9Io4"
	require.Equal(t, ingesttest.Key.Token(rawTok), raw.Credential)
	require.Equal(t, ingesttest.Key.Token("hvs.CAESIKp3Lq8Wr2Zt5Xv7Nb1Mc4Jd6Hf9Gs0Ak3Ey2Ru8Ti5"), raw.Attrs[normalize.AttrIssuedCredential])
	out, err := json.Marshal(mem.Events)
	require.NoError(t, err)
	require.NotContains(t, string(out), "hvs.", "a raw token reached the store")
}

func TestFractionsAndAddresses(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/fractions.jsonl", ingest.Options{AssumeTZ: time.UTC})
	require.Len(t, mem.Events, 13)
	require.Equal(t, "assumed:UTC", mem.Events[12].TZBasis)
	mem = ingesttest.Ingest(t, New(), "testdata/fractions.jsonl", ingest.Options{})
	require.Len(t, mem.Events, 12)
	require.Len(t, mem.Rejects, 1, "a zoneless time is rejected")
	require.Equal(t, "2026-03-05T00:00:09.123456789Z", mem.Events[9].Time.Format("2006-01-02T15:04:05.999999999Z07:00"))
	require.Equal(t, "2026-03-05T00:00:11.5Z", mem.Events[11].Time.Format("2006-01-02T15:04:05.999999999Z07:00"))

	mem = ingesttest.Ingest(t, New(), "testdata/pretty.json", ingest.Options{})
	require.Len(t, mem.Events, 6)
	mem.Events = withAttrs(t, mem.Events)
	want := []struct {
		ip   string
		port any
	}{{"10.30.0.8", float64(55102)}, {"10.30.0.8", float64(55102)}, {"2001:db8::15", float64(51000)}, {"2001:db8::16", float64(51001)}, {"192.0.2.10", float64(51002)}, {"", nil}}
	for i, w := range want {
		require.Equal(t, w.ip, mem.Events[i].SrcIP, i)
		require.Equal(t, w.port, mem.Events[i].Attrs["remote_port"], i)
	}
	require.Equal(t, "vault-agent.reporting.svc.cluster.local", mem.Events[5].Attrs[normalize.AttrSourceHost])
	require.Equal(t, mem.Events[0].RequestID, mem.Events[1].RequestID, "request and response stay two events")
}

// TestCorpusCoverage: events and rejects account for every byte of the shared corpus's files
// but their container syntax.
func TestCorpusCoverage(t *testing.T) {
	ingesttest.CorpusCoverage(t, New(), "vault", ingest.Options{}, ingesttest.Layout{Syntax: ingesttest.JSONContainer()})
}

func FuzzIngest(f *testing.F) {
	ingesttest.Fuzz(f, New(), "testdata")
}
