package correlate

import (
	"context"
	"database/sql"
	"strings"
)

// Engine is where the rule statements run: SQLite, in the case's own transaction (the default),
// or another SQL engine holding the same tables, such as DuckDB over a lake
// (timeline/correlate/duckdb). The rules are one set of files; an engine that speaks another
// dialect rewrites each statement as it runs it (Dialect).
type Engine interface {
	// Exec runs one statement (a rule statement or the correlator's own) and returns the number
	// of rows it changed.
	Exec(ctx context.Context, stmt string, args ...any) (int64, error)
	// QueryRow runs a query of one row.
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	// Scratch names the working tables and views the rules have made, each as what follows DROP
	// to remove it ("TABLE IF EXISTS temp.x").
	Scratch(ctx context.Context) (map[string]bool, error)
}

// sqliteEngine runs the rules in the case's transaction, as they are written.
type sqliteEngine struct{ tx *sql.Tx }

func (e sqliteEngine) Exec(ctx context.Context, stmt string, args ...any) (int64, error) {
	r, err := e.tx.ExecContext(ctx, stmt, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func (e sqliteEngine) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return e.tx.QueryRowContext(ctx, query, args...)
}

// Scratch names the temporary tables and views: the rules make every working table in temp.
func (e sqliteEngine) Scratch(ctx context.Context) (map[string]bool, error) {
	rows, err := e.tx.QueryContext(ctx, "SELECT type, name FROM temp.sqlite_master WHERE type IN ('table', 'view')")
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
		out[strings.ToUpper(typ)+" IF EXISTS temp."+name] = true
	}
	return out, rows.Err()
}
