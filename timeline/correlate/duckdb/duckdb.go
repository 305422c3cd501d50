//go:build duckdb

// Package duckdb runs the correlator's rules on DuckDB, over a case's Parquet lake (breachline
// lake export), and stores the results in the case: `breachline correlate --engine duckdb --lake
// DIR`, in a binary built with `make build TAGS=duckdb` (docs/scale.md).
//
// The rules are the SQLite ones (timeline/correlate/rules), rewritten statement by statement by
// correlate.DuckDB. They read the case's compact tables, so the lake is loaded into those: a
// strings dictionary with the case's seeded ids first, then events with *_sid columns, the
// evidence list numbered in the order of the files' first versions, the inventory, its handles and the indicators. The
// results are copied into the case, where they are counted and hashed as SQLite's are: the same
// lake gives the same results sha256 on both engines.
package duckdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/breachline/breachline/lake"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// Engine is a DuckDB database holding a lake's tables as the rules read them.
type Engine struct {
	db   *sql.DB
	conn *sql.Conn
	base map[string]bool
	work string
}

// Run correlates the lake at dir on DuckDB and replaces c's results with DuckDB's. The lake must
// be an export of c as it is now (its case id and last change), so that every event a finding
// cites is in the case and `explain` shows it.
func Run(ctx context.Context, c *timeline.Case, actor timeline.Actor, opt correlate.Options, dir string) (*correlate.Result, error) {
	d, err := lake.ReadDescriptor(dir)
	if err != nil {
		return nil, err
	}
	if err := sameCase(ctx, c, d, dir); err != nil {
		return nil, err
	}
	sums, err := os.ReadFile(filepath.Join(dir, "_SHA256SUMS"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	eng, err := Open(ctx, dir, c)
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	var version string
	if err := eng.conn.QueryRowContext(ctx, "SELECT version()").Scan(&version); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(sums)
	abs, _ := filepath.Abs(dir)
	extra := map[string]string{"engine": "duckdb " + version, "lake": abs, "lake_sha256sums": hex.EncodeToString(sum[:])}
	return correlate.RunOn(ctx, c, actor, opt, eng, eng.copyResults, extra)
}

// sameCase refuses a lake that is not an export of c as it is: made from another case, or
// before c last changed (anything but an output or a correlation).
func sameCase(ctx context.Context, c *timeline.Case, d *lake.Descriptor, dir string) error {
	if d.CaseID == "" {
		return fmt.Errorf("%s was made by an ingest, not from this case: correlate it with a case made from the same evidence, or export this case's lake (breachline lake export)", dir)
	}
	meta, err := export.CaseMeta(ctx, c, "", "", "")
	if err != nil {
		return err
	}
	if d.CaseID != meta.CaseID {
		return fmt.Errorf("%s is the lake of another case (%s, not %s)", dir, d.CaseID, meta.CaseID)
	}
	entries, err := c.Custody(ctx)
	if err != nil {
		return err
	}
	at := -1
	for i := range entries {
		if entries[i].Hash == d.AsOfHash {
			at = i
		}
	}
	if at < 0 {
		return fmt.Errorf("%s shows the case as of custody entry %d, which this case does not hold", dir, d.AsOfSeq)
	}
	for _, e := range entries[at+1:] {
		if !export.OutputActions[e.Action] && e.Action != "correlate" {
			return fmt.Errorf("%s shows the case as of custody entry %d, but the case changed since (entry %d, %s): export the lake again", dir, d.AsOfSeq, e.Seq, e.Action)
		}
	}
	return nil
}

// dictColumns are the events' columns the case keeps as ids in its strings dictionary.
var dictColumns = []string{"category", "outcome", "action", "principal", "src_ip", "user_agent", "credential", "secret_ref"}

// keyCategories are the seeded ids of the categories whose attrs the rules read: the key events
// (secret_read, credential_issue, credential_revoke; rules/00_key_events.sql). The attrs of the
// others are left out of DuckDB's events table, which would otherwise hold a copy of every
// event's attributes for nothing.
const keyCategories = "1, 3, 4"

// numberStrings makes the load number the dictionary's values as if two of them had the same
// hash, for the test of that path.
var numberStrings = false

// hashID is the dictionary id of the value of expr: a hash of it, 2^62 and above, clear of the
// seeded ids. Ids are internal to the rules, which only compare them and look values up by them,
// so a hash serves as well as a number, and lets each event find its ids without eight joins to
// a dictionary of millions of values.
func hashID(expr string) string {
	return "CAST(hash(" + expr + ") >> 2 AS BIGINT) + 4611686018427387904"
}

// MemoryLimit bounds the memory DuckDB uses for its tables and joins; beyond it, it spills to
// its temporary folder. (Its default, 80 % of the machine's memory, would crowd out everything
// else on an examiner's machine.)
const MemoryLimit = "3GB"

// Open loads the lake at dir into a new DuckDB database, with c's result tables. The database
// and DuckDB's spill files live in a temporary folder, removed by Close, so that a lake larger
// than memory can be correlated.
func Open(ctx context.Context, dir string, c *timeline.Case) (*Engine, error) {
	work, err := os.MkdirTemp("", "breachline-duckdb-")
	if err != nil {
		return nil, err
	}
	connector, err := duck.NewConnector(filepath.Join(work, "rules.duckdb"), nil)
	if err != nil {
		os.RemoveAll(work)
		return nil, err
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		os.RemoveAll(work)
		return nil, err
	}
	e := &Engine{db: db, conn: conn, work: work}
	if err := e.exec(ctx, "SET memory_limit = '"+MemoryLimit+"'", "SET temp_directory = "+quote(filepath.Join(work, "spill")),
		"SET preserve_insertion_order = false"); err != nil {
		e.Close()
		return nil, err
	}
	if err := e.load(ctx, dir, c); err != nil {
		e.Close()
		return nil, fmt.Errorf("loading the lake %s into DuckDB: %w", dir, err)
	}
	return e, nil
}

// Close closes the database and removes its folder.
func (e *Engine) Close() error {
	e.conn.Close()
	err := e.db.Close()
	if rerr := os.RemoveAll(e.work); err == nil {
		err = rerr
	}
	return err
}

func (e *Engine) exec(ctx context.Context, stmts ...string) error {
	for _, s := range stmts {
		if _, err := e.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return nil
}

func (e *Engine) load(ctx context.Context, dir string, c *timeline.Case) error {
	if err := registerFunctions(ctx, e.conn); err != nil {
		return err
	}
	parquet := func(table string) string {
		return quote(filepath.Join(dir, table))
	}
	var seeds []string
	for i, s := range timeline.SeededStrings() {
		seeds = append(seeds, fmt.Sprintf("(%d, %s)", i+1, quote(s)))
	}
	events := "read_parquet(" + quote(filepath.Join(dir, lake.TableEvents, "**", "*.parquet")) + ", hive_partitioning = true)"
	err := e.exec(ctx,
		"CREATE MACRO sha256_hex(s) AS sha256(s)",
		"CREATE VIEW lake_events AS SELECT * FROM "+events,
		// The evidence list in the lake's order, the order of the files' first versions in the
		// case, numbered from 1: the rules only compare the numbers, to choose the canonical copy
		// of a record stored twice. (The events need no order: the rules use an event's rowid as
		// its identity only.)
		"CREATE TABLE evidence AS SELECT CAST(file_row_number + 1 AS BIGINT) AS id, sha256, version, path, source AS format FROM read_parquet("+
			quote(filepath.Join(dir, lake.TableEvidence, "part-0.parquet"))+", file_row_number = true)",
		"CREATE TABLE seeds AS SELECT * FROM (VALUES "+strings.Join(seeds, ", ")+") s(id, value)",
		`CREATE TABLE strings AS
		 SELECT id, value FROM seeds
		 UNION ALL
		 SELECT `+hashID("value")+`, value FROM (
		   SELECT DISTINCT value FROM (
		     SELECT unnest([`+strings.Join(dictColumns, ", ")+`]) AS value FROM lake_events)
		   WHERE value IS NOT NULL AND value NOT IN (SELECT value FROM seeds))`,
	)
	if err != nil {
		return err
	}
	// Two values with the same hash (about one chance in 10^5 for ten million values) are
	// numbered instead, and every event is then joined to the dictionary to find its ids.
	var clashes int64
	if err := e.conn.QueryRowContext(ctx, "SELECT count(*) - count(DISTINCT id) FROM strings").Scan(&clashes); err != nil {
		return err
	}
	sid := func(col string) (expr, join string) {
		alias := "s_" + col
		return fmt.Sprintf("CASE WHEN e.%s IS NOT NULL THEN coalesce(%s.id, %s) END", col, alias, hashID("e."+col)),
			fmt.Sprintf(" LEFT JOIN seeds %s ON %s.value = e.%s", alias, alias, col)
	}
	if clashes > 0 || numberStrings {
		if err := e.exec(ctx, `CREATE OR REPLACE TABLE strings AS
			SELECT id, value FROM seeds
			UNION ALL
			SELECT (SELECT max(id) FROM seeds) + row_number() OVER (ORDER BY value), value FROM strings WHERE id NOT IN (SELECT id FROM seeds)`); err != nil {
			return err
		}
		sid = func(col string) (expr, join string) {
			alias := "s_" + col
			return alias + ".id", fmt.Sprintf(" LEFT JOIN strings %s ON %s.value = e.%s", alias, alias, col)
		}
	}
	var cols, joins []string
	for _, col := range dictColumns {
		expr, join := sid(col)
		cols = append(cols, expr+" AS "+col+"_sid")
		joins = append(joins, join)
	}
	err = e.exec(ctx,
		`CREATE TABLE events AS
		 SELECT from_hex(e.id) AS eid, epoch_ns(e.time) AS time_ns, `+strings.Join(cols, ", ")+`,
		        e.request_id, v.id AS evidence_id, e."offset" AS "offset",
		        e.record_index, from_hex(e.raw_sha256) AS raw_hash,
		        CASE WHEN s_category.id IN (`+keyCategories+`) THEN CAST(e.attrs AS VARCHAR) END AS attrs,
		        CAST(NULL AS BIGINT) AS attrs_shape_sid
		 FROM lake_events e
		 JOIN evidence v ON v.sha256 = e.evidence_sha256`+strings.Join(joins, ""),
		// The inventory's revoked_at is text in the case (normalize.TimeLayout), as the rules read it.
		"CREATE TABLE inventory AS SELECT secret_ref, credential, display, owner, kind, scopes, data_categories, CAST(consumers AS VARCHAR) AS consumers, "+
			"time_text(epoch_ns(revoked_at)) AS revoked_at, source_file, source_line FROM read_parquet("+parquet(lake.TableInventory+"/part-0.parquet")+")",
		"CREATE TABLE inventory_handles AS SELECT credential, handle FROM read_parquet("+parquet(lake.TableInventoryHandles+"/part-0.parquet")+")",
		"CREATE TABLE iocs AS SELECT type, value, note FROM read_parquet("+parquet(lake.TableIndicators+"/part-0.parquet")+")",
	)
	if err != nil {
		return err
	}
	for _, r := range correlate.ResultTables {
		t := r.Name
		cols, err := columns(ctx, c, t)
		if err != nil {
			return err
		}
		var defs []string
		for _, col := range cols {
			defs = append(defs, fmt.Sprintf("%q %s", col.name, duckType(col.typ)))
		}
		if err := e.exec(ctx, "CREATE TABLE "+t+" ("+strings.Join(defs, ", ")+")"); err != nil {
			return err
		}
	}
	e.base, err = e.objects(ctx)
	return err
}

type column struct{ name, typ string }

// columns are the case's columns of table, in order.
func columns(ctx context.Context, c *timeline.Case, table string) ([]column, error) {
	rows, err := c.DB().QueryContext(ctx, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var col column
		if err := rows.Scan(&col.name, &col.typ); err != nil {
			return nil, err
		}
		out = append(out, col)
	}
	if len(out) == 0 && rows.Err() == nil {
		return nil, fmt.Errorf("the case has no table %s", table)
	}
	return out, rows.Err()
}

func duckType(sqlite string) string {
	switch strings.ToUpper(sqlite) {
	case "INTEGER":
		return "BIGINT"
	case "REAL":
		return "DOUBLE"
	case "BLOB":
		return "BLOB"
	}
	return "VARCHAR"
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Exec runs a rule statement rewritten for DuckDB.
func (e *Engine) Exec(ctx context.Context, stmt string, args ...any) (int64, error) {
	s := correlate.DuckDB(stmt)
	if s == "" {
		return 0, nil
	}
	r, err := e.conn.ExecContext(ctx, s, args...)
	if err != nil {
		return 0, fmt.Errorf("%w (DuckDB ran: %s)", err, oneLine(s))
	}
	return r.RowsAffected()
}

// QueryRow runs a query rewritten for DuckDB.
func (e *Engine) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return e.conn.QueryRowContext(ctx, correlate.DuckDB(query), args...)
}

// Scratch names the tables and views the rules made: those the load did not.
func (e *Engine) Scratch(ctx context.Context) (map[string]bool, error) {
	all, err := e.objects(ctx)
	if err != nil {
		return nil, err
	}
	for k := range e.base {
		delete(all, k)
	}
	return all, nil
}

func (e *Engine) objects(ctx context.Context) (map[string]bool, error) {
	rows, err := e.conn.QueryContext(ctx, "SELECT table_type, table_name FROM information_schema.tables WHERE table_schema = 'main'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var typ, name string
		if err := rows.Scan(&typ, &name); err != nil {
			return nil, err
		}
		kind := "TABLE"
		if typ == "VIEW" {
			kind = "VIEW"
		}
		out[kind+" IF EXISTS "+name] = true
	}
	return out, rows.Err()
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// registerFunctions gives DuckDB the functions the case's driver registers for the rules
// (timeline/driver.go): time_text, a macro of DuckDB's own functions (a Go function is called
// row by row, and it runs on every use: a fifth of the rules' time at 10 million events), and
// cidr_contains, timeline.CIDRContains in Go (it runs on the few values indicators are compared
// with).
func registerFunctions(ctx context.Context, conn *sql.Conn) error {
	// The seconds, rounded down, go through strftime, and the nanoseconds are written after them:
	// strftime's %n writes six digits and stray bytes in DuckDB 2.0, and a TIMESTAMP_NS cannot
	// hold the largest int64 (DuckDB's infinity).
	if _, err := conn.ExecContext(ctx, `CREATE MACRO time_text(ns) AS
		strftime(make_timestamp((ns // 1000000000 - CASE WHEN ns % 1000000000 < 0 THEN 1 ELSE 0 END) * 1000000), '%Y-%m-%dT%H:%M:%S.')
		|| lpad(CAST((ns % 1000000000 + 1000000000) % 1000000000 AS VARCHAR), 9, '0') || 'Z'`); err != nil {
		return err
	}
	varchar, err := duck.NewTypeInfo(duck.TYPE_VARCHAR)
	if err != nil {
		return err
	}
	boolean, err := duck.NewTypeInfo(duck.TYPE_BOOLEAN)
	if err != nil {
		return err
	}
	return duck.RegisterScalarUDF(conn, "cidr_contains", udf{
		in: []duck.TypeInfo{varchar, varchar}, out: boolean,
		fn: func(v []driver.Value) (any, error) {
			cidr, _ := v[0].(string)
			ip, _ := v[1].(string)
			return timeline.CIDRContains(cidr, ip), nil
		},
	})
}

type udf struct {
	in  []duck.TypeInfo
	out duck.TypeInfo
	fn  func([]driver.Value) (any, error)
}

func (u udf) Config() duck.ScalarFuncConfig {
	return duck.ScalarFuncConfig{InputTypeInfos: u.in, ResultTypeInfo: u.out}
}

func (u udf) Executor() duck.ScalarFuncExecutor {
	return duck.ScalarFuncExecutor{RowExecutor: u.fn}
}
