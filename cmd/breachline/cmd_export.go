package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/internal/progress"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/all"
	"github.com/breachline/breachline/timeline"
)

var exportCommand = &command{
	name:    "export",
	summary: "Write a table of the case to a file: Arrow, Parquet, XLSX, CSV, JSON lines or Timesketch",
	usage:   "--to FORMAT --out PATH [--table TABLE] [timeline filters] [--partition day,source] [--force]",
	example: `breachline export --case acme.db --to parquet --out events.parquet
breachline export --case acme.db --to parquet --partition day,source --out lake/events
breachline export --case acme.db --to xlsx --out acme.xlsx --since 2026-03-03
breachline export --case acme.db --to csv --table findings --out findings.csv
breachline export --case acme.db --to timesketch --out acme-timesketch.jsonl`,
	about: "Formats (--to):\n" + formatList() + `
Tables (--table, default events): events, findings, credentials, exposures (each read of a
secret and how it was classed), uses (each use of an inventory credential), rejects. The
timeline filters (--since, --until, --source, --category, --principal, --ip, --credential,
--secret, --contains) select events, with exactly timeline's meaning; the other tables are
exported whole. An xlsx workbook holds every table, one sheet each, with the filter applied to
its Timeline sheet.

The file is written under a temporary name beside --out and renamed into place only when it is
complete, so an interrupted export leaves no file under the final name. A partitioned Parquet
export is a folder (Hive layout day=…/source=…/part-0.parquet) with a _SHA256SUMS file. The
custody log records the export: format, table, filter, rows and the output's sha256 (for a
folder, the sha256 of its _SHA256SUMS). The same case exports to the same bytes: files carry
the case's last custody entry as their "as of" time, never the clock. See docs/exports.md.`,
	new: func() runner { return &exportCmd{} },
}

type exportCmd struct {
	to, out, table string
	partition      []string
	force          bool
	filters        filterFlags
	filter         timeline.Filter
	format         export.Format
}

func formatList() string {
	var b strings.Builder
	for _, f := range all.Formats {
		fmt.Fprintf(&b, "  %-11s %s\n", f.Name(), f.Summary())
	}
	return b.String()
}

func (c *exportCmd) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.to, "to", "", "output format: "+strings.Join(all.Names(), ", "))
	fs.StringVarP(&c.out, "out", "o", "", "output file (or folder, for a partitioned export)")
	fs.StringVar(&c.table, "table", "events", "table: "+strings.Join(export.Tables, ", "))
	fs.StringSliceVar(&c.partition, "partition", nil, "partition keys of a folder export (parquet: day, source)")
	fs.BoolVar(&c.force, "force", false, "replace an existing output")
	c.filters.AddFlags(fs)
}

func (c *exportCmd) check(args []string) error {
	if len(args) > 0 {
		return usagef("export takes no arguments (say --out PATH)")
	}
	if c.to == "" {
		return usagef("say which format with --to (%s)", strings.Join(all.Names(), ", "))
	}
	var err error
	if c.format, err = all.Lookup(c.to); err != nil {
		return usageError{err}
	}
	if c.out == "" {
		return usagef("say where to write with --out PATH")
	}
	if !slices.Contains(export.Tables, c.table) {
		return usagef("--table: unknown table %q (known: %s)", c.table, strings.Join(export.Tables, ", "))
	}
	if tf, ok := c.format.(export.TableFormat); ok && !slices.Contains(tf.Tables(), c.table) {
		return usagef("--table %s: %s writes only %s", c.table, c.to, strings.Join(tf.Tables(), ", "))
	}
	if c.table != "events" && c.filters.set() && c.to != "xlsx" {
		return usagef("the timeline filters select events; --table %s is exported whole (drop the filters)", c.table)
	}
	if len(c.partition) > 0 {
		p, ok := c.format.(export.Partitioner)
		if !ok {
			return usagef("--partition: %s writes one file; only %s partition", c.to, partitionFormats())
		}
		for i, k := range c.partition {
			if !slices.Contains(p.Partitions(), k) {
				return usagef("--partition: unknown key %q (known: %s)", k, strings.Join(p.Partitions(), ", "))
			}
			if slices.Contains(c.partition[:i], k) {
				return usagef("--partition: %q given twice", k)
			}
		}
	}
	if err := export.Check(c.out, c.force); err != nil {
		return usageError{err}
	}
	c.filter, err = c.filters.filter()
	return err
}

func partitionFormats() string {
	var names []string
	for _, f := range all.Formats {
		if _, ok := f.(export.Partitioner); ok {
			names = append(names, f.Name())
		}
	}
	return strings.Join(names, ", ")
}

func (c *exportCmd) run(ctx context.Context, e *env, _ []string) error {
	cs, err := e.openCaseForWriting(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	f, err := c.filters.forCase(ctx, e, cs, c.filter)
	if err != nil {
		return err
	}
	meta, err := export.CaseMeta(ctx, cs, c.table, c.filters.text(e.key), version())
	if err != nil {
		return err
	}
	tables := export.CaseTables(cs, f)
	table, err := tables(c.table)
	if err != nil {
		return err
	}
	var total int64
	if c.table == "events" {
		if total, err = cs.CountEvents(ctx, f); err != nil {
			return err
		}
	}
	bar := progress.NewRows(e.stderr, total, "export "+c.table, e.quiet)
	rows := table.Rows
	table.Rows = func(ctx context.Context, fn func(export.Row) error) error {
		return rows(ctx, func(r export.Row) error { bar.Add(1); return fn(r) })
	}
	req := &export.Request{Table: table, Tables: tables, Meta: meta, Partition: c.partition}
	res, err := export.Write(ctx, c.format, c.out, c.force, req)
	bar.Finish()
	if err != nil {
		if errors.Is(err, export.ErrExists) {
			return usageError{err}
		}
		return err
	}
	objects := map[string]string{"format": c.to, "table": c.table, "filter": meta.Filter, "out": c.out,
		"rows": fmt.Sprint(res.Rows), "sha256": res.SHA256, "as_of_seq": fmt.Sprint(meta.AsOfSeq)}
	if len(c.partition) > 0 {
		objects["partition"] = strings.Join(c.partition, ",")
	}
	if _, err := cs.Record(ctx, e.actor(), "export", objects); err != nil {
		return fmt.Errorf("%s was written but the custody entry failed: %w", c.out, err)
	}
	kind := "file"
	if res.Dir {
		kind = "folder"
	}
	e.note("exported %d %s rows to %s %s (sha256 %s)", res.Rows, c.table, kind, c.out, res.SHA256)
	fmt.Fprintln(e.stdout, c.out)
	return nil
}
