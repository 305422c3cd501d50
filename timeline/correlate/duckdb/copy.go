//go:build duckdb

package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/breachline/breachline/timeline/correlate"
)

// idleMemoryLimit is DuckDB's limit once the results are copied into the case.
const idleMemoryLimit = "64MB"

// copyResults replaces the case's result tables with DuckDB's, in the correlation's transaction.
// Their indexes are dropped first and built again after: a large run's millions of uses would
// otherwise go into three indexes row by row, in no order of their keys (half of the run's time
// at 10 million events).
func (e *Engine) copyResults(ctx context.Context, tx *sql.Tx) error {
	indexes, err := resultIndexes(ctx, tx)
	if err != nil {
		return err
	}
	for name := range indexes {
		if _, err := tx.ExecContext(ctx, "DROP INDEX "+name); err != nil {
			return err
		}
	}
	if err := e.copyRows(ctx, tx); err != nil {
		return err
	}
	// DuckDB's work is done but for dropping its tables: its memory goes back before the case
	// builds its indexes.
	if err := e.exec(ctx, "SET memory_limit = '"+idleMemoryLimit+"'"); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(indexes)) {
		if _, err := tx.ExecContext(ctx, indexes[name]); err != nil {
			return fmt.Errorf("index %s: %w", name, err)
		}
	}
	return nil
}

// resultIndexes are the indexes of the case's result tables, by name, with the SQL that makes
// each.
func resultIndexes(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(correlate.ResultTables)), ", ")
	args := make([]any, len(correlate.ResultTables))
	for i, t := range correlate.ResultTables {
		args[i] = t.Name
	}
	rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ("+marks+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, stmt string
		if err := rows.Scan(&name, &stmt); err != nil {
			return nil, err
		}
		out[name] = stmt
	}
	return out, rows.Err()
}

// copyRows fills the case's result tables with DuckDB's rows, in each table's total order (so
// that they sit in the case in the same order on every run), batchRows rows to an INSERT.
func (e *Engine) copyRows(ctx context.Context, tx *sql.Tx) error {
	for _, r := range correlate.ResultTables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+r.Name); err != nil {
			return err
		}
		if err := e.copyTable(ctx, tx, r.Name, r.Order); err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
	}
	return nil
}

// batchRows is the rows of one INSERT: one statement per row spent more time in the driver
// than in SQLite.
const batchRows = 128

// copyChunk is the rows fetched from DuckDB at a time. The driver holds a query's whole result
// in memory, outside DuckDB's memory limit: the ten million uses of a 100M-event run at once
// took gigabytes. (A variable for the test of a copy in many chunks.)
var copyChunk int64 = 100_000

// copyTable copies table, in order, copyChunk rows at a time: DuckDB numbers its rows in order
// once, then each chunk is the rows of a range of numbers (a range query reads only the row
// groups that hold it: 30 ms for 100,000 of 10 million rows).
func (e *Engine) copyTable(ctx context.Context, tx *sql.Tx, table, order string) error {
	numbered := "copy_" + table
	if err := e.exec(ctx, "CREATE TEMP TABLE "+numbered+" AS SELECT row_number() OVER (ORDER BY "+order+") AS copy_n, * FROM "+table); err != nil {
		return err
	}
	var total int64
	if err := e.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+numbered).Scan(&total); err != nil {
		return err
	}
	ins := &inserter{ctx: ctx, tx: tx, table: table}
	defer ins.close()
	for lo := int64(0); lo < total; lo += copyChunk {
		if err := e.copyRange(ctx, ins, numbered, lo, lo+copyChunk); err != nil {
			return err
		}
	}
	if err := ins.flush(); err != nil {
		return err
	}
	return e.exec(ctx, "DROP TABLE "+numbered)
}

// copyRange hands the rows numbered lo+1 to hi to ins.
func (e *Engine) copyRange(ctx context.Context, ins *inserter, numbered string, lo, hi int64) error {
	rows, err := e.conn.QueryContext(ctx, "SELECT * EXCLUDE (copy_n) FROM "+numbered+" WHERE copy_n > ? AND copy_n <= ? ORDER BY copy_n", lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := ins.add(cols, vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inserter inserts rows into a table of the case, batchRows rows to an INSERT.
type inserter struct {
	ctx   context.Context
	tx    *sql.Tx
	table string
	cols  []string
	full  *sql.Stmt // the INSERT of batchRows rows
	batch []any
}

func (in *inserter) add(cols []string, vals []any) error {
	if in.full == nil {
		in.cols = cols
		full, err := in.prepare(batchRows)
		if err != nil {
			return err
		}
		in.full, in.batch = full, make([]any, 0, batchRows*len(cols))
	}
	for _, v := range vals {
		in.batch = append(in.batch, plain(v))
	}
	if len(in.batch) < cap(in.batch) {
		return nil
	}
	_, err := in.full.ExecContext(in.ctx, in.batch...)
	in.batch = in.batch[:0]
	return err
}

// flush inserts the rows of the last, partial batch.
func (in *inserter) flush() error {
	if len(in.batch) == 0 {
		return nil
	}
	rest, err := in.prepare(len(in.batch) / len(in.cols))
	if err != nil {
		return err
	}
	defer rest.Close()
	_, err = rest.ExecContext(in.ctx, in.batch...)
	in.batch = in.batch[:0]
	return err
}

func (in *inserter) prepare(rows int) (*sql.Stmt, error) {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(in.cols)), ", ") + ")"
	return in.tx.PrepareContext(in.ctx, "INSERT INTO "+in.table+" ("+strings.Join(quoted(in.cols), ", ")+") VALUES "+
		strings.TrimSuffix(strings.Repeat(row+", ", rows), ", "))
}

func (in *inserter) close() {
	if in.full != nil {
		in.full.Close()
	}
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
