package timeline

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/normalize"
)

// schema3Case writes a case the way breachline wrote schema 3: unkeyed sha256 handles, masks with
// the last four characters, no row hashes.
func schema3Case(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open(driverName, dsn(path, "rwc"))
	require.NoError(t, err)
	defer db.Close()
	for _, m := range migrations[:3] {
		_, err := db.ExecContext(ctx, m)
		require.NoError(t, err)
	}
	handle := "sha256:" + strings.Repeat("ab", 32)
	other := "sha256:" + strings.Repeat("cd", 32)
	for _, st := range []string{
		"PRAGMA user_version = 3",
		`INSERT INTO evidence VALUES('` + strings.Repeat("e", 64) + `', 'logs/a.log', 10, '', 10, 'access-log', 'access-log@1.0.0',
			'2026-03-02T10:00:00.000000000Z', '2026-03-02T10:00:00.000000000Z', 2, 1, 1, 1, '[]', '2026-03-05T12:00:00Z', 'j.doe')`,
		`INSERT INTO events(id, time, tz_basis, source, parser, category, outcome, credential, attrs, evidence_sha256,
			evidence_path, offset, length, raw_sha256) VALUES('00112233445566778899aabbccddeeff', '2026-03-02T10:00:00.000000000Z',
			'explicit', 'access-log', 'access-log@1.0.0', 'http_request', 'success', '` + handle + `',
			'{"query":"token=` + handle + `","image":"nginx@` + other + `"}', '` + strings.Repeat("e", 64) + `', 'logs/a.log', 0, 5, '` + strings.Repeat("f", 64) + `')`,
		`INSERT INTO rejects VALUES('` + strings.Repeat("e", 64) + `', 'logs/a.log', 6, 4, 2, 'bad line', 'x ` + handle + `')`,
		`INSERT INTO inventory(secret_ref, credential, display, consumers, source_file, source_line)
			VALUES('vault:app', '` + handle + `', 'hf_…c3d9', '[]', 'inv.csv', 2), ('vault:db', '` + other + `', '(9 characters)', '[]', 'inv.csv', 3)`,
		`INSERT INTO inventory_handles VALUES('` + handle + `', '` + handle + `'), ('` + other + `', '` + other + `'),
			('` + other + `', 'github-hashed-token:AAAA')`,
	} {
		_, err := db.ExecContext(ctx, st)
		require.NoError(t, err, st)
	}
	c := &Case{db: db, path: path, now: func() time.Time { return time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC) }}
	_, err = c.Record(ctx, Actor{Examiner: "j.doe"}, "ingest", map[string]string{"evidence_sha256": strings.Repeat("e", 64)})
	require.NoError(t, err)
	return path
}

func TestMigrateSchema3KeysHandlesAndRecordsRowHashes(t *testing.T) {
	ctx := context.Background()
	path := schema3Case(t)

	_, err := Open(ctx, path)
	require.ErrorIs(t, err, ErrNeedsMigration, "a rewrite is never silent")
	require.ErrorContains(t, err, "breachline migrate --case "+path)
	_, err = OpenReadOnly(ctx, path)
	require.ErrorIs(t, err, ErrNeedsMigration)

	c, err := OpenForMigration(ctx, path)
	require.NoError(t, err)
	defer c.Close()
	entry, err := c.Migrate(ctx, Actor{Examiner: "j.doe"})
	require.NoError(t, err)
	require.Equal(t, "migrate", entry.Action)
	require.Equal(t, "3", entry.Objects["from_schema"])
	require.Equal(t, fmt.Sprint(SchemaVersion()), entry.Objects["to_schema"])
	require.Contains(t, entry.Objects["evidence:"+strings.Repeat("e", 64)], "events=1 rejects=1 rows_sha256=")

	key, err := c.HandleKey(ctx)
	require.NoError(t, err)
	require.Equal(t, key.ID(), entry.Objects["handle_key_id"])
	keyed := key.Keyed("sha256:" + strings.Repeat("ab", 32))
	require.True(t, strings.HasPrefix(keyed, "case-hmac:"))

	ev, err := c.Event(ctx, "00112233445566778899aabbccddeeff")
	require.NoError(t, err)
	require.Equal(t, keyed, ev.Credential)
	require.Contains(t, string(ev.AttrsJSON), "token="+keyed)
	require.Contains(t, string(ev.AttrsJSON), "nginx@sha256:"+strings.Repeat("cd", 32), "an image digest is no handle")
	var dump strings.Builder
	for _, q := range []string{"SELECT credential || display FROM inventory", "SELECT handle FROM inventory_handles", "SELECT snippet FROM rejects"} {
		rows, err := c.db.QueryContext(ctx, q)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			dump.WriteString(s + "\n")
		}
		rows.Close()
	}
	require.NotContains(t, dump.String(), "sha256:"+strings.Repeat("ab", 32), "no unkeyed handle is left")
	require.NotContains(t, dump.String(), "c3d9", "masks lose the value's characters")
	require.Contains(t, dump.String(), "hf_…\n")
	require.NotContains(t, dump.String(), "github-hashed-token", "no unkeyed GitHub form for a value that is not a GitHub token")

	checks, err := c.VerifyRows(ctx)
	require.NoError(t, err)
	require.Len(t, checks, 1)
	require.Empty(t, checks[0].Problem)
	entries, err := c.Custody(ctx)
	require.NoError(t, err)
	require.NoError(t, VerifyChain(entries))

	again, err := c.Migrate(ctx, Actor{Examiner: "j.doe"})
	require.NoError(t, err)
	require.Nil(t, again, "a current case is left as it is")
}

// A schema 4 case (one text column per field, provenance on every row) holding every fixture's
// events migrates to the compact layout with the same events, byte for byte, and a custody entry
// whose content hashes before and after agree.
func TestMigrateSchema4ToCompactKeepsEveryRow(t *testing.T) {
	ctx := context.Background()
	c5, _ := ingestFixtures(t)
	var want []string
	require.NoError(t, c5.Events(ctx, Filter{}, func(e *normalize.Event) error {
		want = append(want, string(e.AppendJSON(nil)))
		return nil
	}))

	path := filepath.Join(t.TempDir(), "v4.db")
	db, err := sql.Open(driverName, dsn(path, "rwc"))
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	for _, m := range migrations[:4] {
		_, err := db.ExecContext(ctx, m)
		require.NoError(t, err)
	}
	for _, st := range []string{
		"PRAGMA user_version = 4",
		"ATTACH '" + c5.Path() + "' AS n",
		"INSERT INTO case_meta SELECT * FROM n.case_meta",
		`INSERT INTO evidence SELECT id, sha256, version, path, abs_path, size, compression, decompressed_size, format, parser,
			settings, first_event, last_event, records, events, rejects, complete, notes, ingested_at, examiner, rows_sha256,
			superseded_by FROM n.evidence`,
		"INSERT INTO events SELECT * FROM n.events_v",
		"INSERT INTO rejects SELECT * FROM n.rejects_v",
		"INSERT INTO custody SELECT * FROM n.custody",
	} {
		_, err := db.ExecContext(ctx, st)
		require.NoError(t, err, st)
	}
	require.NoError(t, db.Close())

	_, err = Open(ctx, path)
	require.ErrorIs(t, err, ErrNeedsMigration)
	c, err := OpenForMigration(ctx, path)
	require.NoError(t, err)
	defer c.Close()
	entry, err := c.Migrate(ctx, Actor{Examiner: "j.doe"})
	require.NoError(t, err)
	require.Equal(t, "4", entry.Objects["from_schema"])
	require.Equal(t, entry.Objects["rows_sha256_before"], entry.Objects["rows_sha256_after"])
	require.Equal(t, entry.Objects["events_rejects_before"], entry.Objects["events_rejects_after"])

	var got []string
	require.NoError(t, c.Events(ctx, Filter{}, func(e *normalize.Event) error {
		got = append(got, string(e.AppendJSON(nil)))
		return nil
	}))
	require.Equal(t, want, got)
	checks, err := c.VerifyRows(ctx)
	require.NoError(t, err)
	for _, rc := range checks {
		require.Empty(t, rc.Problem, rc.Path)
	}
	entries, err := c.Custody(ctx)
	require.NoError(t, err)
	require.NoError(t, VerifyChain(entries))
}
