package timeline

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/cloudtrail"
	"github.com/breachline/breachline/normalize"
)

const twoRecords = `{"Records":[` +
	`{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","sourceIPAddress":"203.0.113.7","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAEXAMPLE000000001"},"requestParameters":{"secretId":"prod/db"}},` +
	`{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","sourceIPAddress":"203.0.113.8","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/b","accessKeyId":"AKIAEXAMPLE000000002"},"requestParameters":{"secretId":"prod/api"}}]}`

func requireRowProblem(t *testing.T, c *Case, want string) {
	t.Helper()
	checks, err := c.VerifyRows(context.Background())
	require.NoError(t, err)
	var problems []string
	for _, rc := range checks {
		if rc.Problem != "" {
			problems = append(problems, rc.Problem)
		}
	}
	if want == "" {
		require.Empty(t, problems)
		return
	}
	require.Len(t, problems, 1)
	require.Contains(t, problems[0], want)
}

// Custody covers the rows: an UPDATE, a DELETE or an INSERT behind the tool's back is found.
func TestVerifyRowsFindsRowsChangedAfterIngest(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, sql, want string }{
		{"untouched", "", ""},
		{"altered", "UPDATE events SET src_ip_sid = (SELECT id FROM strings WHERE value = '203.0.113.8') " +
			"WHERE src_ip_sid = (SELECT id FROM strings WHERE value = '203.0.113.7')", "rows altered after ingest"},
		{"deleted", "DELETE FROM events WHERE src_ip_sid = (SELECT id FROM strings WHERE value = '203.0.113.8')", "rows deleted or added"},
		{"added", "INSERT INTO events SELECT randomblob(16), time_ns, time_raw, tz_basis_sid, category_sid, action_sid, outcome_sid, " +
			"principal_sid, principal_type_sid, src_ip_sid, user_agent_sid, credential_sid, resource, resource_type_sid, secret_ref_sid, " +
			"request_id, evidence_id, offset + 1, length, line, record_index, raw_hash, attrs_shape_sid, attrs FROM events LIMIT 1", "rows deleted or added"},
		{"orphan", "UPDATE events SET evidence_id = 99 WHERE src_ip_sid = (SELECT id FROM strings WHERE value = '203.0.113.8')", "belong to no evidence file"},
		{"evidence row", "UPDATE evidence SET rows_sha256 = 'x'", "evidence row was altered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCase(t)
			res := run(t, c, c.Sink(ctx, Actor{Examiner: "x"}), writeFile(t, "ct.json", twoRecords))
			require.NoError(t, res[0].Err)
			require.Len(t, res[0].Evidence.RowsSHA256, 64)
			if tc.sql != "" {
				_, err := c.db.ExecContext(ctx, tc.sql)
				require.NoError(t, err)
			}
			if tc.name == "orphan" {
				checks, err := c.VerifyRows(ctx)
				require.NoError(t, err)
				require.Len(t, checks, 2)
				require.Contains(t, checks[1].Problem, tc.want)
				return
			}
			requireRowProblem(t, c, tc.want)
			one, err := c.VerifyEvidenceRows(ctx, res[0].SHA256)
			require.NoError(t, err)
			if tc.want == "" {
				require.Empty(t, one.Problem)
			} else {
				require.Contains(t, one.Problem, tc.want)
			}
		})
	}
}

// Same-second events of one file come in log order, and the ingest entry says how it was parsed.
func TestTiesInLogOrderAndIngestEntry(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	res := run(t, c, c.Sink(ctx, Actor{Examiner: "x", Tool: "breachline test"}), writeFile(t, "ct.json", twoRecords))
	var ips []string
	require.NoError(t, c.Events(ctx, Filter{}, func(e *normalize.Event) error { ips = append(ips, e.SrcIP); return nil }))
	require.Equal(t, []string{"203.0.113.7", "203.0.113.8"}, ips)

	entries, err := c.Custody(ctx)
	require.NoError(t, err)
	o := entries[len(entries)-1].Objects
	require.Equal(t, res[0].Evidence.RowsSHA256, o["rows_sha256"])
	require.Equal(t, res[0].Evidence.AbsPath, o["evidence_abspath"])
	require.True(t, len(o["evidence_abspath"]) > 0 && o["evidence_abspath"][0] == '/')
	require.Equal(t, "breachline test", o["tool"])
	require.Contains(t, o["parser"], "aws-cloudtrail@")
	require.Equal(t, "1", o["evidence_version"])
}

// A reparse is a new version of the evidence: the old rows are superseded, kept, and accounted
// for in the custody log.
func TestReparseSupersedesTheEarlierVersion(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	p := writeFile(t, "ct.json", twoRecords)
	first := run(t, c, c.Sink(ctx, Actor{Examiner: "x"}), p)
	again := run(t, c, c.Sink(ctx, Actor{Examiner: "x"}), p)
	require.Equal(t, p, again[0].DuplicateOf, "without --reparse the same bytes are a no-op")

	utc := time.UTC
	res, err := ingest.Run(ctx, ingest.Config{Ingesters: []ingest.Ingester{cloudtrail.New()}, Reparse: true,
		Options: ingest.Options{AssumeTZ: utc}}, []string{p}, c.Sink(ctx, Actor{Examiner: "x"}))
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.Equal(t, int64(2), res[0].Evidence.Version)

	n, err := c.EventCount(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), n, "only the current version's events are in the timeline")
	var kept int64
	require.NoError(t, c.db.QueryRowContext(ctx, "SELECT count(*) FROM superseded_events").Scan(&kept))
	require.Equal(t, int64(2), kept, "the superseded rows are kept")

	evs, err := c.Evidence(ctx)
	require.NoError(t, err)
	require.Len(t, evs, 2)
	require.Equal(t, evs[1].ID, evs[0].SupersededBy)
	require.Equal(t, "UTC", evs[1].Settings["assume_tz"])

	entries, err := c.Custody(ctx)
	require.NoError(t, err)
	last := entries[len(entries)-1]
	require.Equal(t, "reparse", last.Action)
	require.Equal(t, first[0].Evidence.RowsSHA256, last.Objects["supersedes_rows_sha256"])
	requireRowProblem(t, c, "")
	checks, err := c.VerifyRows(ctx)
	require.NoError(t, err)
	require.Len(t, checks, 2, "the superseded version is verified too")

	_, err = c.db.ExecContext(ctx, "DELETE FROM superseded_events WHERE rowid = (SELECT min(rowid) FROM superseded_events)")
	require.NoError(t, err)
	requireRowProblem(t, c, "rows deleted or added")
}
