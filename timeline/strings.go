package timeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/breachline/breachline/normalize"
)

// The strings table is the case's dictionary: each distinct value of the event model's
// low-cardinality text fields (tz_basis, category, action, outcome, principal, principal_type,
// src_ip, user_agent, credential, resource_type, secret_ref) and each attrs shape is stored once,
// and events hold its integer id in the column named for the field with the suffix _sid. A
// principal written on a million events then costs one row here and a byte or three per event.
//
// The closed vocabularies are seeded with fixed ids when a case is created, so that rules and
// partial indexes can name them: seededStrings[i] has id i+1.
var seededStrings = func() []string {
	var s []string
	for _, c := range normalize.Categories {
		s = append(s, string(c))
	}
	return append(s, string(normalize.Success), string(normalize.Failure), string(normalize.Unknown),
		normalize.TZExplicit, normalize.TZUTCBySpec)
}()

// keyCategories is the number of categories, from the first, that the partial index
// events_category covers: the secret reads and writes, credential issues and revocations the
// correlator starts from. normalize.Categories lists them first.
const keyCategories = 4

// seedStringsSQL inserts the seeded strings; it runs in the migration that creates the table.
func seedStringsSQL() string {
	q := ""
	for i, s := range seededStrings {
		q += fmt.Sprintf("INSERT INTO strings(id, value) VALUES(%d, '%s');\n", i+1, s)
	}
	return q
}

// dictCacheMax bounds the ids an ingest keeps in memory: past it the cache starts again empty and
// looks values up in the table, so memory stays bounded whatever the number of distinct values.
const dictCacheMax = 300_000

// dict assigns string ids during an ingest. It lives as long as the sink, across the files'
// transactions; ids added in a transaction that is rolled back are forgotten with it.
type dict struct {
	ids map[string]int64
	// complete says ids holds every row of the table, so a miss needs no lookup.
	complete bool
	// added lists the values inserted in the current transaction.
	added []string
	seen  map[string]struct{}
}

func loadDict(ctx context.Context, db *sql.DB) (*dict, error) {
	d := &dict{ids: map[string]int64{}, seen: map[string]struct{}{}}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM strings").Scan(&n); err != nil {
		return nil, err
	}
	if n > dictCacheMax/2 {
		return d, nil
	}
	rows, err := db.QueryContext(ctx, "SELECT id, value FROM strings")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		d.ids[v] = id
	}
	d.complete = true
	return d, rows.Err()
}

// dictStmts are a file transaction's statements on the strings table.
type dictStmts struct {
	sel, ins    driver.Stmt
	arg         []driver.NamedValue
	d           *dict
	rowsScratch []driver.Value
}

func (t *dictStmts) idBytes(b []byte) (int64, error) {
	if id, ok := t.d.ids[string(b)]; ok {
		return id, nil
	}
	return t.id(string(b))
}

// id returns the id of s, inserting it when new. s is not empty.
func (t *dictStmts) id(s string) (int64, error) {
	d := t.d
	if id, ok := d.ids[s]; ok {
		return id, nil
	}
	t.arg[0].Value = s
	if !d.complete {
		rows, err := t.sel.(driver.StmtQueryContext).QueryContext(context.Background(), t.arg)
		if err != nil {
			return 0, err
		}
		err = rows.Next(t.rowsScratch)
		rows.Close()
		if err == nil {
			id := t.rowsScratch[0].(int64)
			t.remember(s, id)
			return id, nil
		}
	}
	res, err := t.ins.(driver.StmtExecContext).ExecContext(context.Background(), t.arg)
	if err != nil {
		return 0, fmt.Errorf("store string: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	t.remember(s, id)
	d.added = append(d.added, s)
	return id, nil
}

func (t *dictStmts) remember(s string, id int64) {
	d := t.d
	if len(d.ids) >= dictCacheMax {
		clear(d.ids)
		d.complete = false
	}
	d.ids[s] = id
}

func (t *dictStmts) seenSet() map[string]struct{} { return t.d.seen }

// commit keeps the values added in the transaction; rollback forgets them.
func (d *dict) commit() { d.added = d.added[:0] }

func (d *dict) rollback() {
	for _, s := range d.added {
		delete(d.ids, s)
	}
	d.added = d.added[:0]
}

// SeededStrings are the strings every case is created with, in id order (the first has id 1):
// another engine that loads a case's events numbers them the same, so that the rules' seeded
// ids hold there too.
func SeededStrings() []string { return append([]string(nil), seededStrings...) }
