package lake

import (
	"context"
	"time"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/parquet"
	"github.com/breachline/breachline/timeline"
)

// Result says what a lake export or ingest wrote.
type Result struct {
	// Export is the folder's result: its path, and the sha256 of its manifest (_SHA256SUMS).
	export.Result
	Descriptor *Descriptor
}

// Export writes the case c as a lake at out (which must not exist, unless force), with
// report/parquet as Format: every table of Tables, the events in timeline order partitioned by
// day and source. The same case gives the same bytes: the files carry the case's as-of custody
// entry, never the clock.
func Export(ctx context.Context, c *timeline.Case, out string, force bool, toolVersion string, pf parquet.Format) (*Result, error) {
	meta, err := export.CaseMeta(ctx, c, "", "", toolVersion)
	if err != nil {
		return nil, err
	}
	// The evidence list is a table of its own; in every file's metadata it would cost its size
	// times the number of partition files.
	meta.Evidence = nil
	key, err := c.HandleKey(ctx)
	if err != nil {
		return nil, err
	}
	tables, err := caseTables(c)
	if err != nil {
		return nil, err
	}
	d := &Descriptor{Version: Version, MadeBy: "lake export", ToolVersion: toolVersion, CaseID: meta.CaseID,
		CaseName: meta.CaseName, AsOfSeq: meta.AsOfSeq, AsOfHash: meta.AsOfHash, HandleKeyID: key.ID(),
		Tables: map[string]TableInfo{}}
	if !meta.AsOf.IsZero() {
		d.AsOf = meta.AsOf.UTC().Format(time.RFC3339Nano)
	}
	write := func(ctx context.Context, root string) error {
		for _, t := range tables {
			var partition []string
			if t.Name == TableEvents {
				partition = EventPartition
			}
			info, err := writeTable(ctx, pf, root, t, meta, partition)
			if err != nil {
				return err
			}
			d.Tables[t.Name] = info
		}
		return writeDescriptor(root, d)
	}
	res, err := export.Write(ctx, folder{write: write}, out, force, &export.Request{})
	if err != nil {
		return nil, err
	}
	res.Rows = d.Tables[TableEvents].Rows
	return &Result{Result: *res, Descriptor: d}, nil
}
