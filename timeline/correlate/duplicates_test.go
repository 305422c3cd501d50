package correlate

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/timeline"
)

// The same records under two evidence files are counted once: after the copy is ingested, every
// result is what it was with one copy, and a duplicate-records finding says which files overlap.
func TestDuplicateEvidenceCountsOnce(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "scenario.json")
	copyFile(t, "testdata/scenario.json", plain)
	gz := plain + ".gz"
	gzipFile(t, plain, gz)

	for _, tc := range []struct{ name, first, second string }{
		{"gzip copy ingested second", plain, gz},
		{"gzip copy ingested first", gz, plain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, once := correlated(t, tc.first)
			before := results(t, c.DB())
			require.Zero(t, once.Duplicates)

			ingestInto(t, c, tc.second)
			twice := correlateCase(t, c)
			require.NotZero(t, twice.Duplicates)
			require.Equal(t, []int64{once.Exposures, once.Uses, once.Findings + 1}, []int64{twice.Exposures, twice.Uses, twice.Findings})
			// The canonical events are those of the file ingested first, the very events cited
			// before the copy came: every result is the same, ids and citations included.
			require.Equal(t, before, results(t, c.DB()))

			dups := findingsOf(t, c.DB(), "duplicate-records")
			require.Len(t, dups, 1)
			require.Equal(t, "info", dups[0].Severity)
			require.Len(t, dups[0].Events, 2*int(twice.Duplicates), "each duplicate beside its canonical event")
			require.Contains(t, dups[0].Summary, tc.second+" examined by the correlator")
			require.Contains(t, dups[0].Summary, "as the event of "+tc.first)
			var n int64
			require.NoError(t, c.DB().QueryRow("SELECT count(*) FROM events").Scan(&n))
			require.Equal(t, int64(2*len(trailRecords(t, plain))), n, "both copies stay in the case: they are evidence")
		})
	}
}

// A record repeated within one file is as many records: two identical lines are two requests.
// Its copies in another file pair up one to one, so both still count.
func TestRepeatedRecordInOneFileCountsEachTime(t *testing.T) {
	dir := t.TempDir()
	recs := trailRecords(t, "testdata/scenario.json")
	require.Contains(t, string(recs[6]), `"198.51.100.77"`, "record 6 is a misuse of bob's key")
	repeated := append(append(append([]json.RawMessage{}, recs[:7]...), recs[6]), recs[7:]...)
	plain := filepath.Join(dir, "repeated.json")
	writeTrail(t, plain, repeated)
	gzipFile(t, plain, plain+".gz")

	c, once := correlated(t, plain)
	require.Zero(t, once.Duplicates, "equal bytes in one file are not duplicates")
	require.Equal(t, int64(5), bob(t, c).MisuseCount, "the four misuses of the scenario and the repeated one")
	before := results(t, c.DB())

	ingestInto(t, c, plain+".gz")
	twice := correlateCase(t, c)
	require.NotZero(t, twice.Duplicates)
	require.Equal(t, int64(5), bob(t, c).MisuseCount)
	require.Equal(t, before, results(t, c.DB()))
}

// A rotated log overlapping its successor: the records in both files count once, and the results
// are those of one file holding each record once (the event ids differ, the counts do not).
func TestOverlappingLogsCountOnce(t *testing.T) {
	dir := t.TempDir()
	recs := trailRecords(t, "testdata/scenario.json")
	all := filepath.Join(dir, "all.json")
	writeTrail(t, all, recs)
	first, second := filepath.Join(dir, "trail-1.json"), filepath.Join(dir, "trail-2.json")
	writeTrail(t, first, recs[:10])
	writeTrail(t, second, recs[5:])

	c1, _ := correlated(t, all)
	c2, r2 := correlated(t, first, second)
	require.NotZero(t, r2.Duplicates)
	require.Equal(t, shape(t, c1.DB()), shape(t, c2.DB()))
	require.Equal(t, int64(4), bob(t, c2).MisuseCount)
}

// The sample incident with every log ingested again (each plain log gzipped, each gzipped one
// plain) gives the results of the incident itself.
func TestSampleIncidentTwiceGivesItsResults(t *testing.T) {
	incident := filepath.Join("..", "..", "samples", "incident")
	logs := filepath.Join(incident, "logs")
	copies := t.TempDir()
	require.NoError(t, filepath.WalkDir(logs, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(logs, p)
		dst := filepath.Join(copies, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		if strings.HasSuffix(p, ".gz") {
			gunzipFile(t, p, strings.TrimSuffix(dst, ".gz"))
		} else {
			gzipFile(t, p, dst+".gz")
		}
		return nil
	}))
	c, once := caseWith(t, []string{logs}, filepath.Join(incident, "inventory.csv"), filepath.Join(incident, "iocs.csv"))
	before := results(t, c.DB())
	ingestInto(t, c, copies)
	twice := correlateCase(t, c)
	require.Equal(t, before, results(t, c.DB()))
	require.Equal(t, once.Credentials, twice.Credentials)
	require.NotEmpty(t, findingsOf(t, c.DB(), "duplicate-records"))
}

// results are the rows of every result table as text, in the order the results hash reads them,
// without the duplicate-records findings (which only a case with duplicates has) and the
// coverage's event counts (which count event rows, copies included).
func results(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, tb := range ResultTables {
		q := "SELECT * FROM " + tb.Name
		switch tb.Name {
		case "findings":
			q += " WHERE rule <> 'duplicate-records@1'"
		case "coverage":
			q = "SELECT source, first, last, gaps FROM coverage"
		}
		out[tb.Name] = rowsOf(t, db, q+" ORDER BY "+tb.Order)
	}
	return out
}

// shape is what the results say without naming events, for comparing two cases: the credential
// summary, and the exposures, uses and findings with the number of events they cite instead of
// their ids. Inventory credentials are named by their display, the same in every case (a raw
// value's handle depends on the case's key).
func shape(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	name := func(col string) string {
		return `coalesce((SELECT min(i.display) FROM inventory_handles h JOIN inventory i ON i.credential = h.credential
			WHERE h.handle = ` + col + `), ` + col + `)`
	}
	return map[string][]string{
		"credential_summary": rowsOf(t, db, `SELECT display, owner, secret_refs, status, first_exposure, first_misuse,
			last_misuse, misuse_count, novel_ips, revoked_at, derived FROM credential_summary ORDER BY 1, 2, 3`),
		"exposures": rowsOf(t, db, `SELECT time, secret_ref, read_ref, principal, src_ip, outcome, in_window, class, proves, reasons
			FROM exposures ORDER BY 1, 2, 3, 4, 5, 6, 10`),
		"credential_uses": rowsOf(t, db, `SELECT `+name("u.credential")+`, `+name("u.handle")+`, `+name("u.via")+`, time, source, action,
			outcome, principal, src_ip, user_agent, novel, after_revocation, reasons FROM credential_uses u ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`),
		"findings": rowsOf(t, db, `SELECT rule, severity, time, summary, `+name("f.credential")+`, secret_ref, owner, src_ip,
			json_array_length(events) FROM findings f WHERE rule <> 'duplicate-records@1' ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`),
	}
}

func rowsOf(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		require.NoError(t, rows.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = strconv.Quote(v.String)
			}
		}
		out = append(out, strings.Join(parts, "\t"))
	}
	require.NoError(t, rows.Err())
	return out
}

func findingsOf(t *testing.T, db *sql.DB, rule string) []*Finding {
	t.Helper()
	var out []*Finding
	require.NoError(t, Findings(context.Background(), db, FindingFilter{Rules: []string{rule}}, func(f *Finding) error {
		out = append(out, f)
		return nil
	}))
	return out
}

func bob(t *testing.T, c *timeline.Case) *CredentialStatus {
	t.Helper()
	var s *CredentialStatus
	require.NoError(t, Credentials(context.Background(), c.DB(), "", func(cs *CredentialStatus) error {
		if cs.Credential == "aws-key-id:AKIATESTBOB000000001" {
			s = cs
		}
		return nil
	}))
	require.NotNil(t, s)
	return s
}

func trailRecords(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var trail struct{ Records []json.RawMessage }
	require.NoError(t, json.Unmarshal(b, &trail))
	return trail.Records
}

// writeTrail writes records as a CloudTrail file; records at the same depth get the same bytes.
func writeTrail(t *testing.T, path string, recs []json.RawMessage) {
	t.Helper()
	b, err := json.MarshalIndent(struct{ Records []json.RawMessage }{recs}, "", " ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, b, 0o644))
}

func gzipFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	f, err := os.Create(dst)
	require.NoError(t, err)
	zw := gzip.NewWriter(f)
	_, err = zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func gunzipFile(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Open(src)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	out, err := os.Create(dst)
	require.NoError(t, err)
	_, err = out.ReadFrom(zr)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}

// A revocation whose revoked_credential repeats an earlier one's is stored with that string as an
// id of the strings dictionary (timeline/attrscodec.go); the rules read it all the same: a second,
// earlier deactivation of bob's key, written after the first in the file, is the revocation.
func TestRepeatedAttrValueIsReadThroughTheDictionary(t *testing.T) {
	dir := t.TempDir()
	recs := trailRecords(t, "testdata/scenario.json")
	var rec map[string]any
	require.NoError(t, json.Unmarshal(recs[11], &rec))
	require.Equal(t, "UpdateAccessKey", rec["eventName"])
	rec["eventTime"] = "2026-03-04T08:00:00Z"
	rec["eventID"] = "00000000-0000-4000-8000-00000000beef"
	earlier, err := json.Marshal(rec)
	require.NoError(t, err)
	path := filepath.Join(dir, "trail.json")
	writeTrail(t, path, append(append([]json.RawMessage{}, recs...), earlier))

	c, _ := correlated(t, path)
	var coded int
	require.NoError(t, c.DB().QueryRow(`SELECT count(*) FROM events WHERE instr(substr(attrs, 2), '[') > 0`).Scan(&coded))
	require.NotZero(t, coded, "the repeated values are stored as ids")
	rev := bob(t, c).RevokedAt
	require.NotNil(t, rev)
	require.Equal(t, "2026-03-04T08:00:00.000000000Z", *rev)
}
