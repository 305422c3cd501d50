// Package lake writes evidence as a folder of Parquet tables that DuckDB, Trino, Athena, Spark
// and BigQuery read in place: the events Hive-partitioned by day and source, and the rejects,
// the evidence list, the secrets inventory and the indicators as tables of their own. A lake is
// made from a case (breachline lake export) or straight from the evidence files, without a case
// (breachline ingest --to-lake), for evidence too large for one SQLite file (docs/scale.md).
//
// Every table is written by report/parquet through report/export, so a lake's files are the
// files `breachline export --to parquet` writes: the same columns, types and metadata, and the
// same guarantees (a temporary folder renamed into place, a _SHA256SUMS manifest, the same bytes
// from the same input).
package lake

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/parquet"
)

// The tables of a lake, each a folder under the lake's root. Events are partitioned
// (events/day=…/source=…/part-N.parquet); the others are one file each (rejects/part-0.parquet).
const (
	TableEvents           = "events"
	TableRejects          = "rejects"
	TableEvidence         = "evidence"
	TableInventory        = "inventory"
	TableInventoryHandles = "inventory_handles"
	TableIndicators       = "indicators"
)

// Tables lists the tables in the order a lake writes and describes them.
var Tables = []string{TableEvents, TableRejects, TableEvidence, TableInventory, TableInventoryHandles, TableIndicators}

// EventPartition is how the events table is partitioned: by the UTC day of the event, then by
// its source, the keys of report/parquet.
var EventPartition = []string{parquet.KeyDay, parquet.KeySource}

// DescriptorName is the file at a lake's root that says what the lake holds (Descriptor).
const DescriptorName = "lake.json"

// KeyFileName is the file in a lake made by an ingest that holds the handle key the ingest
// generated (mode 0600). It is written after the manifest, so that the lake can be shared without
// it: whoever holds the key can test guesses against the credential handles.
const KeyFileName = "handle.key"

// Version is the lake layout's version, in the descriptor.
const Version = 1

// Descriptor is lake.json: where the lake came from and what each table holds.
type Descriptor struct {
	Version int `json:"lake_version"`
	// MadeBy is "lake export" (from a case) or "ingest" (from evidence files, without a case).
	MadeBy      string `json:"made_by"`
	ToolVersion string `json:"tool_version"`
	// CaseID, CaseName and the as-of entry name the case a lake export shows (export.Meta);
	// empty for a lake made by an ingest.
	CaseID   string `json:"case_id,omitempty"`
	CaseName string `json:"case_name,omitempty"`
	AsOf     string `json:"as_of,omitempty"`
	AsOfSeq  int64  `json:"as_of_seq,omitempty"`
	AsOfHash string `json:"as_of_hash,omitempty"`
	// HandleKeyID is the public fingerprint of the handle key the credential handles were made
	// under (normalize.HandleKey.ID): two lakes, or a lake and a case, compare handles only when
	// it is the same.
	HandleKeyID string `json:"handle_key_id"`
	// Examiner and Args say who made the lake and how (the command line, credentials redacted),
	// for a lake made by an ingest, which has no custody log of its own.
	Examiner string   `json:"examiner,omitempty"`
	Args     []string `json:"args,omitempty"`
	// Tables maps each table to its folder, partition keys and rows.
	Tables map[string]TableInfo `json:"tables"`
}

// TableInfo describes one table of a lake.
type TableInfo struct {
	Path      string   `json:"path"`
	Partition []string `json:"partition,omitempty"`
	Rows      int64    `json:"rows"`
}

// ReadDescriptor reads the lake.json of the lake at root.
func ReadDescriptor(root string) (*Descriptor, error) {
	b, err := os.ReadFile(filepath.Join(root, DescriptorName))
	if err != nil {
		return nil, fmt.Errorf("%s is not a lake: %w", root, err)
	}
	var d Descriptor
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(root, DescriptorName), err)
	}
	if d.Version != Version {
		return nil, fmt.Errorf("%s: lake version %d, this breachline reads version %d", root, d.Version, Version)
	}
	return &d, nil
}

// writeDescriptor writes d at root, keys in a fixed order (encoding/json sorts map keys).
func writeDescriptor(root string, d *Descriptor) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, DescriptorName), append(b, '\n'), 0o644)
}

// folder is the export format of a whole lake: export.Write gives it a temporary folder, which
// write fills, and renames that into place once the manifest of every file is written.
type folder struct {
	write func(ctx context.Context, root string) error
}

func (folder) Name() string             { return "lake" }
func (folder) Summary() string          { return "a folder of Parquet tables" }
func (folder) Dir(*export.Request) bool { return true }
func (f folder) Write(ctx context.Context, root string, _ *export.Request) error {
	if err := os.Mkdir(root, 0o755); err != nil {
		return err
	}
	return f.write(ctx, root)
}

// writeTable writes t as the table folder root/t.Name with pf: Hive-partitioned by partition,
// or as one file part-0.parquet. It returns the table's description.
func writeTable(ctx context.Context, pf parquet.Format, root string, t *export.Table, meta export.Meta, partition []string) (TableInfo, error) {
	info := TableInfo{Path: t.Name, Partition: partition}
	counted := *t
	counted.Rows = func(ctx context.Context, fn func(export.Row) error) error {
		info.Rows = 0
		return t.Rows(ctx, func(r export.Row) error { info.Rows++; return fn(r) })
	}
	meta.Table = t.Name
	req := &export.Request{Table: &counted, Meta: meta, Partition: partition}
	dir := filepath.Join(root, t.Name)
	path := dir // a partitioned table: report/parquet makes the folder
	if len(partition) == 0 {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return info, err
		}
		path = filepath.Join(dir, "part-0.parquet")
	}
	if err := pf.Write(ctx, path, req); err != nil {
		return info, fmt.Errorf("%s: %w", t.Name, err)
	}
	return info, nil
}
