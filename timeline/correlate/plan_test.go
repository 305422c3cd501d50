package correlate

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/timeline"
)

// The rules find events through the indexes (timeline/indexes.go): a statement that scans the
// events table instead costs minutes on a case of ten million events, and nothing else would
// notice. Each rule statement's EXPLAIN QUERY PLAN is taken on a case shaped like the
// benchmark's (with its statistics, and copies, so the duplicate paths run), before the statement
// runs; no statement may scan events, and the hot ones must name their indexes.
func TestRulesUseTheIndexes(t *testing.T) {
	ctx := context.Background()
	c, err := timeline.Create(ctx, filepath.Join(t.TempDir(), "plans.db"))
	require.NoError(t, err)
	defer c.Close()
	_, err = buildBenchCase(ctx, c, t.TempDir(), 20_000, 200, 5)
	require.NoError(t, err)

	plans := rulePlans(t, c, Options{WindowStart: benchBase.Add(8 * 24 * time.Hour), WindowEnd: benchBase.Add(10 * 24 * time.Hour), Gap: 4 * time.Hour})
	hot := []struct{ stmt, index string }{
		{"INSERT INTO key_events", "events_key_category"},
		{"CREATE TEMP TABLE readers", "events_principal_sid"},
		{"CREATE TEMP TABLE read_facts", "events_secret_ref_sid"},
		{"CREATE TEMP TABLE lineage_steps", "sqlite_autoindex_strings_1"},
		{"CREATE TEMP TABLE baseline_rows", "sqlite_autoindex_strings_1"},
		{"CREATE TEMP TABLE baseline_rows", "COVERING INDEX events_credential_sid"},
		{"CREATE TEMP TABLE baseline AS", "INTEGER PRIMARY KEY"},
		{"CREATE TEMP TABLE use_rows", "COVERING INDEX events_credential_sid"},
		{"CREATE TEMP TABLE use_facts", "INTEGER PRIMARY KEY"},
		{"UPDATE uses SET link", "intrusion_ips_k"},
		{"UPDATE read_classes", "read_classes_credential"},
		{"CREATE TEMP TABLE pivot_events", "events_src_ip_sid"},
		{"CREATE TEMP TABLE buckets", "events_time_ns"},
		{"INSERT OR IGNORE INTO duplicates SELECT * FROM scope_duplicates", "INTEGER PRIMARY KEY"},
	}
	for _, h := range hot {
		var found bool
		for _, p := range plans {
			if strings.HasPrefix(p.stmt, h.stmt) {
				found = true
				require.Contains(t, p.plan, h.index, "%s\n%s", p.name, p.plan)
			}
		}
		require.True(t, found, "no rule statement starts with %q", h.stmt)
	}

	// The Go queries on events: the pivots, the missing citations, the window.
	for _, q := range []struct {
		kind    PivotKind
		value   string
		indexes []string
	}{
		{PivotIP, "203.0.113.66", []string{"events_src_ip_sid"}},
		{PivotIP, "10.2.0.0/16", []string{"events_src_ip_sid"}},
		{PivotPrincipal, "intruder", []string{"events_principal_sid"}},
		{PivotCredential, "aws-key-id:" + benchKey(3), []string{"events_credential_sid", "events_eid", "events_key_category"}},
		{PivotSecret, "aws-sm:bench/secret-000003", []string{"events_secret_ref_sid", "events_eid"}},
	} {
		cond, args, err := PivotCondition(q.kind, q.value)
		require.NoError(t, err)
		// The shape of timeline's EventsWhere: its joins and its order.
		plan := explain(t, c.DB(), `SELECT e.rowid FROM events e LEFT JOIN evidence v ON v.id = e.evidence_id WHERE `+cond+
			` ORDER BY e.time_ns, v.sha256, e.offset, e.record_index`, args...)
		for _, ix := range q.indexes {
			require.Contains(t, plan, ix, "pivot %s %s\n%s", q.kind, q.value, plan)
		}
		requireNoEventScan(t, "pivot "+string(q.kind), "SELECT FROM events e WHERE "+cond, plan)
	}
	plan := explain(t, c.DB(), missingCitationsSQL)
	require.Contains(t, plan, "events_eid", plan)
	require.Contains(t, explain(t, c.DB(), "SELECT min(time_ns) FROM events"), "events_time_ns")

	// A small case ingested as usual, without the statistics of a bulk load: the planner guesses
	// the sizes, and still no statement may scan events.
	small, _ := scenarioCase(t)
	rulePlans(t, small, Options{WindowStart: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), Gap: 4 * time.Hour})
}

type rulePlan struct{ name, stmt, plan string }

// rulePlans runs the rules as Run does, in a transaction it rolls back, and returns the query
// plan of each statement, taken just before it runs (a statement's plan depends on the temporary
// tables the ones before it made). No statement may scan events.
func rulePlans(t *testing.T, c *timeline.Case, opt Options) []rulePlan {
	t.Helper()
	ctx := context.Background()
	tx, err := c.DB().BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	w, err := resolveWindow(ctx, sqliteEngine{tx}, opt)
	require.NoError(t, err)
	require.NoError(t, setup(ctx, sqliteEngine{tx}, w, opt.Gap))
	var out []rulePlan
	for _, name := range ruleNames() {
		body, _ := ruleFiles.ReadFile(name)
		for i, stmt := range statements(string(body)) {
			code := sqlOnly(stmt)
			p := rulePlan{name: name + "#" + firstWords(stmt), stmt: code}
			if !strings.HasPrefix(code, "CREATE INDEX") && !strings.HasPrefix(code, "CREATE TEMP TABLE "+tableName(code)+" (") &&
				!strings.HasPrefix(code, "CREATE TEMP VIEW") && !strings.HasPrefix(code, "ALTER") {
				p.plan = explainTx(t, tx, code)
				requireNoEventScan(t, p.name, code, p.plan)
			}
			_, err := tx.ExecContext(ctx, stmt)
			require.NoError(t, err, "%s statement %d", name, i+1)
			out = append(out, p)
		}
	}
	return out
}

// eventsAlias finds the aliases a statement gives the events table: the rules write SQL words in
// capitals and aliases in lower case.
var eventsAlias = regexp.MustCompile(`\bevents\s+([a-z][a-z0-9_]*)\b`)

// requireNoEventScan fails when plan scans the events table whole under any alias stmt gives it
// (the alias e of the view scope_duplicates included): SQLite prints such a scan as a bare
// "SCAN <alias>" (through an index it is "SCAN <alias> USING …"), or as a search with an
// AUTOMATIC index, which it builds by reading the whole table first.
func requireNoEventScan(t *testing.T, name, stmt, plan string) {
	t.Helper()
	aliases := map[string]bool{"events": true}
	if strings.Contains(stmt, "scope_duplicates") {
		aliases["e"] = true
	}
	for _, m := range eventsAlias.FindAllStringSubmatch(withoutComments(stmt), -1) {
		aliases[m[1]] = true
	}
	for _, line := range strings.Split(plan, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && aliases[f[1]] && (f[0] == "SCAN" && len(f) == 2 || strings.Contains(line, "AUTOMATIC")) {
			t.Fatalf("%s scans the events table (%s):\n%s", name, line, plan)
		}
	}
}

func explain(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+q, args...)
	require.NoError(t, err, q)
	return planText(t, rows)
}

func explainTx(t *testing.T, tx *sql.Tx, q string) string {
	t.Helper()
	rows, err := tx.Query("EXPLAIN QUERY PLAN " + q)
	require.NoError(t, err, q)
	return planText(t, rows)
}

func planText(t *testing.T, rows *sql.Rows) string {
	t.Helper()
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		b.WriteString(detail + "\n")
	}
	require.NoError(t, rows.Err())
	return b.String()
}

// withoutComments is stmt without its -- comments (the rules hold no "--" in strings).
func withoutComments(stmt string) string {
	lines := strings.Split(stmt, "\n")
	for i, l := range lines {
		if j := strings.Index(l, "--"); j >= 0 {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}

// sqlOnly is a statement without its leading comment lines.
func sqlOnly(stmt string) string {
	lines := strings.Split(stmt, "\n")
	for len(lines) > 0 && (strings.TrimSpace(lines[0]) == "" || strings.HasPrefix(strings.TrimSpace(lines[0]), "--")) {
		lines = lines[1:]
	}
	return strings.Join(lines, "\n")
}

// tableName is the name a CREATE TEMP TABLE statement creates.
func tableName(stmt string) string {
	f := strings.Fields(stmt)
	if len(f) > 3 && f[0] == "CREATE" && f[1] == "TEMP" && f[2] == "TABLE" {
		return f[3]
	}
	return ""
}

// The rules name the seeded strings by id (00_key_events.sql): the categories they start from
// and the outcomes. A case must give them exactly these ids.
func TestSeededIDsTheRulesUse(t *testing.T) {
	c, err := timeline.Create(context.Background(), filepath.Join(t.TempDir(), "ids.db"))
	require.NoError(t, err)
	defer c.Close()
	got := map[string]int64{}
	rows, err := c.DB().Query(`SELECT value, id FROM strings WHERE value IN
		('secret_read', 'secret_write', 'credential_issue', 'credential_revoke', 'success', 'failure', 'unknown')`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var v string
		var id int64
		require.NoError(t, rows.Scan(&v, &id))
		got[v] = id
	}
	require.NoError(t, rows.Err())
	require.Equal(t, map[string]int64{"secret_read": 1, "secret_write": 2, "credential_issue": 3, "credential_revoke": 4,
		"success": 12, "failure": 13, "unknown": 14}, got)
	var partial string
	require.NoError(t, c.DB().QueryRow("SELECT sql FROM sqlite_master WHERE name = 'events_key_category'").Scan(&partial))
	require.Contains(t, partial, "WHERE category_sid <= 4", "the rules repeat the partial index's condition")
}
