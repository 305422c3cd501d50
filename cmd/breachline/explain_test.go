package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExplainSaysWhatItCannotShow: explain prints every cited event and record it can, names a
// cited event that is gone from the case and a record whose evidence changed, and exits 1 for
// either.
func TestExplainSaysWhatItCannotShow(t *testing.T) {
	dir := t.TempDir()
	evidence := filepath.Join(dir, "evidence")
	require.NoError(t, os.Mkdir(evidence, 0o755))
	for _, name := range []string{"access.log", "cloudtrail.jsonl"} {
		b, err := os.ReadFile(filepath.Join("testdata/secrets/evidence", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(evidence, name), b, 0o644))
	}
	pc := newPlantedCase(t, dir, evidence)

	out, _ := pc.run(exitOK, "findings", "--rule", "exposed-credential-used-novel", "--format", "jsonl")
	var f struct {
		ID     string
		Events []string
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &f))
	require.Len(t, f.Events, 3, "the read in cloudtrail.jsonl and two uses in access.log")

	out, _ = pc.run(exitOK, "explain", f.ID)
	require.Equal(t, 3, strings.Count(out, "\n== "), out)
	require.NotContains(t, out, "not shown")
	require.NotContains(t, out, "missing")

	db, err := sql.Open("sqlite3", pc.path)
	require.NoError(t, err)
	gone := f.Events[2]
	_, err = db.Exec("DELETE FROM events WHERE eid = unhex(?)", gone)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	out, stderr := pc.run(exitError, "explain", f.ID)
	require.Contains(t, out, "3 cited events:")
	require.Contains(t, out, "cited event "+gone+" is missing from the case (deleted or altered after correlation)\n")
	require.Equal(t, 2, strings.Count(out, "\n== "), "the records of the events still there are shown")
	require.Contains(t, stderr, "1 cited event is missing from the case")

	f2, err := os.OpenFile(filepath.Join(evidence, "access.log"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f2.WriteString("appended after ingest\n")
	require.NoError(t, err)
	require.NoError(t, f2.Close())

	out, stderr = pc.run(exitError, "explain", f.ID)
	require.Contains(t, out, "GetSecretValue", "the record from the unchanged file is still shown")
	require.Contains(t, out, `"eventName": "GetSecretValue"`)
	require.Contains(t, out, "(original record not shown: evidence "+filepath.Join(evidence, "access.log")+" has changed since it was ingested")
	require.Contains(t, stderr, "1 cited event is missing from the case; 1 of 2 original records could not be shown")

	// The findings table does not say whether a citation list was cut at the correlator's
	// limit; a list that reaches it is flagged.
	var many []string
	for len(many) < citationCap {
		many = append(many, f.Events[0])
	}
	cited, _ := json.Marshal(many)
	db, err = sql.Open("sqlite3", pc.path)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO findings(id, rule, severity, time, summary, events) VALUES('capped', 'ip-pivot@1', 'medium', '2026-03-02T10:00:00Z', 'many', ?)`, string(cited))
	require.NoError(t, err)
	require.NoError(t, db.Close())
	out, _ = pc.run(exitOK, "explain", "--no-records", "capped")
	require.Contains(t, out, "The correlator cites at most the first 500 events of each kind, and this finding cites 500")
}
