//go:build duckdb

// Package duckdb runs the correlator's rules on DuckDB, over a case's Parquet lake (breachline
// lake export), and stores the results in the case: `breachline correlate --engine duckdb --lake
// DIR`, in a binary built with `make build TAGS=duckdb` (docs/scale.md).
//
// The rules are the SQLite ones (timeline/correlate/rules), rewritten statement by statement by
// correlate.DuckDB. They read the case's compact tables, so the lake is loaded into those: a
// strings dictionary with the case's seeded ids first, then events with *_sid columns, the
// evidence list numbered in ingest order, the inventory, its handles and the indicators. The
// results are copied into the case, where they are counted and hashed as SQLite's are: the same
// lake gives the same results sha256 on both engines.
package duckdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/breachline/breachline/lake"
	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// resultTables are the case's result tables, which the rules fill.
var resultTables = []string{"exposures", "credential_uses", "findings", "credential_summary", "coverage"}

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
	if err := registerFunctions(e.conn); err != nil {
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
		// The evidence list in ingest order (the lake keeps it), numbered as the case numbers it.
		// (The events need no order: the rules use an event's rowid as its identity only.)
		"CREATE TABLE evidence AS SELECT CAST(file_row_number + 1 AS BIGINT) AS id, sha256, version, path, source AS format FROM read_parquet("+
			quote(filepath.Join(dir, lake.TableEvidence, "part-0.parquet"))+", file_row_number = true)",
		"CREATE TABLE strings (id BIGINT PRIMARY KEY, value VARCHAR NOT NULL)",
		"INSERT INTO strings VALUES "+strings.Join(seeds, ", "),
		`INSERT INTO strings
		 SELECT (SELECT max(id) FROM strings) + row_number() OVER (ORDER BY value), value FROM (
		   SELECT DISTINCT value FROM (
		     SELECT unnest([category, outcome, action, principal, src_ip, user_agent, credential, secret_ref]) AS value FROM lake_events)
		   WHERE value IS NOT NULL AND value NOT IN (SELECT value FROM strings))`,
		`CREATE TABLE events AS
		 SELECT from_hex(e.id) AS eid, epoch_ns(e.time) AS time_ns, cat.id AS category_sid, act.id AS action_sid,
		        outc.id AS outcome_sid, pr.id AS principal_sid, ip.id AS src_ip_sid, ua.id AS user_agent_sid,
		        cr.id AS credential_sid, sr.id AS secret_ref_sid, e.request_id, v.id AS evidence_id, e."offset" AS "offset",
		        e.record_index, from_hex(e.raw_sha256) AS raw_hash, CAST(e.attrs AS VARCHAR) AS attrs,
		        CAST(NULL AS BIGINT) AS attrs_shape_sid
		 FROM lake_events e
		 JOIN evidence v ON v.sha256 = e.evidence_sha256
		 JOIN strings cat ON cat.value = e.category
		 JOIN strings outc ON outc.value = e.outcome
		 LEFT JOIN strings act ON act.value = e.action
		 LEFT JOIN strings pr ON pr.value = e.principal
		 LEFT JOIN strings ip ON ip.value = e.src_ip
		 LEFT JOIN strings ua ON ua.value = e.user_agent
		 LEFT JOIN strings cr ON cr.value = e.credential
		 LEFT JOIN strings sr ON sr.value = e.secret_ref`,
		// The inventory's revoked_at is text in the case (normalize.TimeLayout), as the rules read it.
		"CREATE TABLE inventory AS SELECT secret_ref, credential, display, owner, kind, scopes, data_categories, CAST(consumers AS VARCHAR) AS consumers, "+
			"time_text(epoch_ns(revoked_at)) AS revoked_at, source_file, source_line FROM read_parquet("+parquet(lake.TableInventory+"/part-0.parquet")+")",
		"CREATE TABLE inventory_handles AS SELECT credential, handle FROM read_parquet("+parquet(lake.TableInventoryHandles+"/part-0.parquet")+")",
		"CREATE TABLE iocs AS SELECT type, value, note FROM read_parquet("+parquet(lake.TableIndicators+"/part-0.parquet")+")",
	)
	if err != nil {
		return err
	}
	for _, t := range resultTables {
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

// copyResults replaces the case's result tables with DuckDB's, in the correlation's transaction.
func (e *Engine) copyResults(ctx context.Context, tx *sql.Tx) error {
	for _, t := range resultTables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return err
		}
		rows, err := e.conn.QueryContext(ctx, "SELECT * FROM "+t)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
		ins, err := tx.PrepareContext(ctx, "INSERT INTO "+t+" ("+strings.Join(quoted(cols), ", ")+") VALUES ("+marks+")")
		if err != nil {
			rows.Close()
			return err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			for i, v := range vals {
				vals[i] = plain(v)
			}
			if _, err := ins.ExecContext(ctx, vals...); err != nil {
				rows.Close()
				return fmt.Errorf("%s: %w", t, err)
			}
		}
		ins.Close()
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func quoted(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fmt.Sprintf("%q", c)
	}
	return out
}

// plain is a DuckDB value as SQLite stores it.
func plain(v any) any {
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case int32:
		return int64(x)
	}
	return v
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// registerFunctions registers the functions the case's driver registers for the rules
// (timeline/driver.go): time_text and cidr_contains.
func registerFunctions(conn *sql.Conn) error {
	bigint, err := duck.NewTypeInfo(duck.TYPE_BIGINT)
	if err != nil {
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
	if err := duck.RegisterScalarUDF(conn, "time_text", udf{
		in: []duck.TypeInfo{bigint}, out: varchar,
		fn: func(v []driver.Value) (any, error) {
			ns, ok := v[0].(int64)
			if !ok {
				return nil, errors.New("time_text: not a BIGINT")
			}
			return normalize.FormatTime(time.Unix(0, ns)), nil
		},
	}); err != nil {
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
