package timeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// reportPrefix marks the case_meta rows that record the reports made from the case (one row per
// report, its value the ReportRecord as JSON). They live beside the profile rather than in a table
// of their own so that recording a report needs no schema change, which would keep cases of the
// previous schema from being read until a writing command opened them.
const reportPrefix = "report."

// ReportRecord is a report generated from the case: what it was, the state of the case it shows
// and its bytes' hash. Facts is the canonical facts record the report rendered, kept so that a
// later report can say what changed since this one.
type ReportRecord struct {
	ID       string          `json:"id"`
	Regime   string          `json:"regime"`
	Stage    string          `json:"stage"`
	Format   string          `json:"format"`
	Out      string          `json:"out"`
	SHA256   string          `json:"sha256"`
	AsOf     string          `json:"as_of"`
	AsOfSeq  int64           `json:"as_of_seq"`
	DiffFrom string          `json:"diff_from,omitempty"`
	Facts    json.RawMessage `json:"facts"`
	// Seq is the custody entry that recorded it (set when read back).
	Seq int64 `json:"seq,omitempty"`
}

// RecordReport stores r in the case with its custody entry (action "report"), in one
// transaction. The entry carries everything but the facts, whose sha256 it records instead.
func (c *Case) RecordReport(ctx context.Context, actor Actor, r ReportRecord, factsSHA256 string) (*CustodyEntry, error) {
	if r.ID == "" {
		return nil, fmt.Errorf("report record without an id")
	}
	return c.Change(ctx, actor, "report", func(tx *sql.Tx) (map[string]string, error) {
		var seq int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) + 1 FROM custody").Scan(&seq); err != nil {
			return nil, err
		}
		r.Seq = seq
		b, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO case_meta(key, value) VALUES(?, ?)", reportPrefix+r.ID, string(b)); err != nil {
			return nil, err
		}
		objects := map[string]string{"report_id": r.ID, "regime": r.Regime, "stage": r.Stage, "format": r.Format,
			"out": r.Out, "sha256": r.SHA256, "facts_sha256": factsSHA256, "as_of": r.AsOf, "as_of_seq": fmt.Sprint(r.AsOfSeq)}
		if r.DiffFrom != "" {
			objects["diff_from"] = r.DiffFrom
		}
		return objects, nil
	})
}

// Reports returns the recorded reports in the order they were recorded.
func (c *Case) Reports(ctx context.Context) ([]ReportRecord, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT key, value FROM case_meta WHERE key LIKE 'report.%'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReportRecord
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		var r ReportRecord
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("case_meta %s: %w", k, err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, rows.Err()
}

// Report returns the recorded report whose id is id or starts with it (at least 6 characters).
func (c *Case) Report(ctx context.Context, id string) (*ReportRecord, error) {
	all, err := c.Reports(ctx)
	if err != nil {
		return nil, err
	}
	var found []ReportRecord
	for _, r := range all {
		if r.ID == id || (len(id) >= 6 && strings.HasPrefix(r.ID, id)) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no report %q in the case (breachline report --list shows them)", id)
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("report id %q is ambiguous (%d reports start with it)", id, len(found))
}
