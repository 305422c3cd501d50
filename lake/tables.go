package lake

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/timeline"
)

// The columns of the tables a lake adds to the export tables (events and rejects are
// export.EventColumns and export.RejectColumns). Names are the case's column names, so that a
// rule reads the same column in the case and in the lake.

// EvidenceColumns are the evidence list: one row per evidence file (its current version).
var EvidenceColumns = []export.Column{
	{Name: "sha256", Kind: export.String},
	{Name: "version", Kind: export.Int64},
	{Name: "path", Kind: export.String},
	{Name: "abs_path", Kind: export.String, Nullable: true},
	{Name: "size", Kind: export.Int64},
	{Name: "compression", Kind: export.String, Dict: true, Nullable: true},
	{Name: "decompressed_size", Kind: export.Int64},
	{Name: "source", Kind: export.String, Dict: true, Nullable: true},
	{Name: "parser", Kind: export.String, Dict: true, Nullable: true},
	{Name: "settings", Kind: export.JSON},
	{Name: "first_event", Kind: export.Time, Nullable: true},
	{Name: "last_event", Kind: export.Time, Nullable: true},
	{Name: "records", Kind: export.Int64},
	{Name: "events", Kind: export.Int64},
	{Name: "rejects", Kind: export.Int64},
	{Name: "complete", Kind: export.Bool},
	{Name: "notes", Kind: export.JSON},
	{Name: "rows_sha256", Kind: export.String, Nullable: true},
	{Name: "ingested_at", Kind: export.Time, Nullable: true},
	{Name: "examiner", Kind: export.String, Nullable: true},
}

// InventoryColumns are the secrets inventory's rows, as `inventory import` stored them.
var InventoryColumns = []export.Column{
	{Name: "secret_ref", Kind: export.String},
	{Name: "credential", Kind: export.String},
	{Name: "display", Kind: export.String},
	{Name: "owner", Kind: export.String, Nullable: true},
	{Name: "kind", Kind: export.String, Dict: true, Nullable: true},
	{Name: "scopes", Kind: export.String, Nullable: true},
	{Name: "data_categories", Kind: export.String, Nullable: true},
	{Name: "consumers", Kind: export.JSON},
	{Name: "revoked_at", Kind: export.Time, Nullable: true},
	{Name: "source_file", Kind: export.String, Dict: true},
	{Name: "source_line", Kind: export.Int64},
}

// InventoryHandleColumns pair each inventory credential (its primary handle) with every handle
// it can appear under in logs, the primary included.
var InventoryHandleColumns = []export.Column{
	{Name: "credential", Kind: export.String},
	{Name: "handle", Kind: export.String},
}

// IndicatorColumns are the indicators of compromise: type is ip, cidr, principal or user_agent.
var IndicatorColumns = []export.Column{
	{Name: "type", Kind: export.String, Dict: true},
	{Name: "value", Kind: export.String},
	{Name: "note", Kind: export.String, Nullable: true},
}

// caseTables are the tables of a case's lake, in Tables order.
func caseTables(c *timeline.Case) ([]*export.Table, error) {
	tables := export.CaseTables(c, timeline.Filter{})
	events, err := tables("events")
	if err != nil {
		return nil, err
	}
	rejects, err := tables("rejects")
	if err != nil {
		return nil, err
	}
	return []*export.Table{
		events, rejects, caseEvidence(c),
		export.SQLTable(c, TableInventory, InventoryColumns, `SELECT secret_ref, credential, display, owner, kind, scopes,
			data_categories, consumers, revoked_at, source_file, source_line FROM inventory ORDER BY row`),
		export.SQLTable(c, TableInventoryHandles, InventoryHandleColumns,
			"SELECT credential, handle FROM inventory_handles ORDER BY credential, handle"),
		export.SQLTable(c, TableIndicators, IndicatorColumns, "SELECT type, value, note FROM iocs ORDER BY rowid"),
	}, nil
}

// caseEvidence is the evidence list of a case: the current version of each file, the files
// whose events the lake holds, in the order their first versions were ingested. A file parsed
// again keeps its first version's place, as in the case, where that order decides which copy of
// a record stored twice is the one the correlator cites.
func caseEvidence(c *timeline.Case) *export.Table {
	return &export.Table{Name: TableEvidence, Columns: EvidenceColumns, Rows: func(ctx context.Context, fn func(export.Row) error) error {
		all, err := c.Evidence(ctx)
		if err != nil {
			return err
		}
		// all is in id order, so a file's first version comes first.
		place := map[string]int{}
		var current []*timeline.EvidenceRow
		for i := range all {
			if _, seen := place[all[i].SHA256]; !seen {
				place[all[i].SHA256] = len(place)
			}
			if all[i].SupersededBy == 0 {
				current = append(current, &all[i])
			}
		}
		slices.SortStableFunc(current, func(a, b *timeline.EvidenceRow) int { return cmp.Compare(place[a.SHA256], place[b.SHA256]) })
		row := make(export.Row, len(EvidenceColumns))
		for _, e := range current {
			at, err := time.Parse(time.RFC3339Nano, e.IngestedAt)
			var ingested any
			if err == nil {
				ingested = at.UTC()
			}
			evidenceRow(row, &e.Evidence, ingested, e.Examiner)
			if err := fn(row); err != nil {
				return err
			}
		}
		return nil
	}}
}

// evidenceRow fills row with ev's values in EvidenceColumns order.
func evidenceRow(row export.Row, ev *normalize.Evidence, ingestedAt any, examiner string) export.Row {
	settings, _ := json.Marshal(nonNilMap(ev.Settings))
	notes, _ := json.Marshal(nonNil(ev.Notes))
	version := ev.Version
	if version == 0 {
		version = 1
	}
	row[0], row[1], row[2], row[3] = ev.SHA256, version, ev.Path, text(ev.AbsPath)
	row[4], row[5], row[6] = ev.Size, text(ev.Compression), ev.DecompressedSize
	row[7], row[8], row[9] = text(ev.Format), text(ev.Parser), string(settings)
	row[10], row[11] = instant(ev.FirstEvent), instant(ev.LastEvent)
	row[12], row[13], row[14], row[15] = ev.Records, ev.Events, ev.Rejects, ev.Complete
	row[16], row[17], row[18], row[19] = string(notes), text(ev.RowsSHA256), ingestedAt, text(examiner)
	return row
}

func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func instant(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
