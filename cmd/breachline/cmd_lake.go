package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/lake"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/parquet"
)

var lakeCommand = &command{
	name:    "lake",
	summary: "Write the case as a lake of Parquet tables for DuckDB, Trino, Athena, Spark or BigQuery",
	usage:   "export --out DIR [--force]",
	example: `breachline lake export --case acme.db --out acme-lake
duckdb -c "SELECT source, count(*) FROM read_parquet('acme-lake/events/**/*.parquet', hive_partitioning = true) GROUP BY ALL"
breachline ingest --to-lake big-lake logs/   # straight from the evidence files, without a case`,
	about: `A lake is a folder of tables, each a folder of Parquet files in report/parquet's layout:
events (Hive-partitioned, events/day=YYYY-MM-DD/source=NAME/part-N.parquet), rejects, evidence
(the evidence list: records = events + rejects per file), inventory, inventory_handles and
indicators (rejects/part-0.parquet, …). lake.json says where the lake came from and what each
table holds; _SHA256SUMS lists every file with its sha256 (sha256sum -c checks them).

The lake is written under a temporary name beside --out and renamed into place when complete;
an existing lake is replaced only with --force. The same case gives the same bytes. The custody
log records the export: the tables and their rows, and the sha256 of _SHA256SUMS. See
docs/scale.md for when a lake is the better home for the evidence and how other engines read it.`,
	new: func() runner { return &lakeCmd{} },
}

type lakeCmd struct {
	out   string
	force bool
}

func (c *lakeCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&c.out, "out", "o", "", "the lake's folder (must not exist, unless --force)")
	fs.BoolVar(&c.force, "force", false, "replace an existing lake")
}

func (c *lakeCmd) check(args []string) error {
	if len(args) != 1 || args[0] != "export" {
		return usagef("say lake export --out DIR")
	}
	if c.out == "" {
		return usagef("say where to write with --out DIR")
	}
	if err := export.Check(c.out, c.force); err != nil {
		return usageError{err}
	}
	return nil
}

func (c *lakeCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCaseForWriting(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	res, err := lake.Export(ctx, cs, c.out, c.force, version(), parquet.Format{})
	if err != nil {
		if errors.Is(err, export.ErrExists) {
			return usageError{err}
		}
		return err
	}
	d := res.Descriptor
	objects := map[string]string{"format": "lake", "table": strings.Join(lake.Tables, ","), "out": c.out,
		"rows": fmt.Sprint(d.Tables[lake.TableEvents].Rows), "sha256": res.SHA256, "as_of_seq": fmt.Sprint(d.AsOfSeq),
		"partition": strings.Join(lake.EventPartition, ",")}
	var counts []string
	for _, t := range lake.Tables {
		objects["rows_"+t] = fmt.Sprint(d.Tables[t].Rows)
		counts = append(counts, fmt.Sprintf("%d %s", d.Tables[t].Rows, t))
	}
	if _, err := cs.Record(ctx, e.actor(), "export", objects); err != nil {
		return fmt.Errorf("%s was written but the custody entry failed: %w", c.out, err)
	}
	e.note("exported a lake to folder %s: %s (sha256 of _SHA256SUMS %s)", c.out, strings.Join(counts, ", "), res.SHA256)
	fmt.Fprintln(e.stdout, c.out)
	return nil
}
