package timeline

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// unkeyedHandle matches a handle of the unkeyed sha256 scheme as earlier versions stored it.
var unkeyedHandle = regexp.MustCompile(`\bsha256:[0-9a-f]{64}\b`)

// rekeyColumns are the text columns in which earlier versions could have stored sha256 handles:
// every field the redaction ran over, the inventory and the correlator's results.
var rekeyColumns = map[string][]string{
	"events":             {"time_raw", "action", "principal", "user_agent", "credential", "resource", "secret_ref", "request_id", "attrs"},
	"rejects":            {"reason", "snippet"},
	"inventory":          {"credential"},
	"exposures":          {"reasons"},
	"credential_uses":    {"credential", "handle", "via", "user_agent", "reasons"},
	"findings":           {"summary", "credential"},
	"credential_summary": {"credential", "derived"},
}

// migrateKeyed is the data step of schema 4. A new case gets its handle key. An existing one gets
// a key too, and every sha256 handle it holds becomes the keyed handle of the same value
// (normalize.HandleKey.FromSHA256 needs only the sha256, never the secret); inventory displays
// lose the characters earlier versions showed; each evidence file's rows get their content hash.
// The returned objects go to the migration's custody entry.
func migrateKeyed(ctx context.Context, c *Case, tx *sql.Tx, fresh bool) (map[string]string, error) {
	key, err := c.storeHandleKey(ctx, tx)
	if err != nil || fresh {
		return nil, err
	}
	objects := map[string]string{"handle_key_id": key.ID()}
	total := 0
	for _, table := range []string{"events", "rejects", "inventory", "exposures", "credential_uses", "findings", "credential_summary"} {
		n, err := rekeyTable(ctx, tx, key, table, rekeyColumns[table])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		total += n
	}
	n, err := rekeyInventoryHandles(ctx, tx, key)
	if err != nil {
		return nil, err
	}
	objects["rekeyed_rows"] = fmt.Sprint(total + n)
	if err := remaskInventory(ctx, tx); err != nil {
		return nil, err
	}
	// GitHub's hashed_token form is kept only for GitHub tokens: for any other value it is an
	// unkeyed hash that a dictionary reverses.
	if _, err := tx.ExecContext(ctx, `DELETE FROM inventory_handles WHERE handle LIKE 'github-hashed-token:%'
		AND credential NOT IN (SELECT credential FROM inventory WHERE display GLOB 'gh[pousr]_*' OR display GLOB 'github_pat_*')`); err != nil {
		return nil, err
	}
	sums, err := legacyHashAllRows(ctx, tx)
	if err != nil {
		return nil, err
	}
	for id, h := range sums {
		if _, err := tx.ExecContext(ctx, "UPDATE evidence SET rows_sha256 = ? WHERE id = ?", h.sum(), id); err != nil {
			return nil, err
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT sha256, events, rejects, rows_sha256 FROM evidence ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sum, rowsSum string
		var events, rejects int64
		if err := rows.Scan(&sum, &events, &rejects, &rowsSum); err != nil {
			return nil, err
		}
		objects["evidence:"+sum] = fmt.Sprintf("events=%d rejects=%d rows_sha256=%s", events, rejects, rowsSum)
	}
	return objects, rows.Err()
}

// rekeyText replaces the sha256 handles in s by keyed ones. A sha256 right after '@' is a
// container image digest (name@sha256:…), a public identifier that redaction never made, and
// stays; other digests logged as "sha256:<hex>" cannot be told from handles and are keyed too
// (docs/handles.md says so).
func rekeyText(key *normalize.HandleKey, s string) string {
	locs := unkeyedHandle.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if l[0] > 0 && s[l[0]-1] == '@' {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(key.Keyed(s[l[0]:l[1]]))
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// rekeyTable rewrites the sha256 handles in the given columns of table; it returns the number of
// rows changed.
func rekeyTable(ctx context.Context, tx *sql.Tx, key *normalize.HandleKey, table string, cols []string) (int, error) {
	conds := make([]string, len(cols))
	for i, col := range cols {
		conds[i] = col + " LIKE '%sha256:%'"
	}
	rows, err := tx.QueryContext(ctx, "SELECT rowid, "+strings.Join(cols, ", ")+" FROM "+table+" WHERE "+strings.Join(conds, " OR "))
	if err != nil {
		return 0, err
	}
	type change struct {
		rowid int64
		vals  []any
	}
	var changes []change
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		dest := []any{new(int64)}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return 0, err
		}
		ch := change{rowid: *dest[0].(*int64)}
		for _, v := range vals {
			if !v.Valid {
				ch.vals = append(ch.vals, nil)
				continue
			}
			ch.vals = append(ch.vals, rekeyText(key, v.String))
		}
		changes = append(changes, ch)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	set := make([]string, len(cols))
	for i, col := range cols {
		set[i] = col + " = ?"
	}
	stmt, err := tx.PrepareContext(ctx, "UPDATE "+table+" SET "+strings.Join(set, ", ")+" WHERE rowid = ?")
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	for _, ch := range changes {
		if _, err := stmt.ExecContext(ctx, append(ch.vals, ch.rowid)...); err != nil {
			return 0, err
		}
	}
	return len(changes), nil
}

// oldMask matches what earlier masks showed after the vendor prefix: an ellipsis and the
// value's last four characters, or the value's length.
var oldMask = regexp.MustCompile(`…[^\s…]{4}|\(\d+ characters\)`)

// remaskInventory cuts the displays earlier versions stored, in the inventory and in the
// correlator's results, to the vendor prefix: "hf_…c3d9" becomes "hf_…".
func remaskInventory(ctx context.Context, tx *sql.Tx) error {
	for _, tc := range [][2]string{{"inventory", "display"}, {"credential_summary", "display"}, {"findings", "summary"}} {
		rows, err := tx.QueryContext(ctx, "SELECT rowid, "+tc[1]+" FROM "+tc[0]+" WHERE "+tc[1]+" LIKE '%…%' OR "+tc[1]+" LIKE '%characters)%'")
		if err != nil {
			return err
		}
		type change struct {
			rowid int64
			v     string
		}
		var changes []change
		for rows.Next() {
			var ch change
			if err := rows.Scan(&ch.rowid, &ch.v); err != nil {
				rows.Close()
				return err
			}
			ch.v = oldMask.ReplaceAllString(ch.v, "…")
			changes = append(changes, ch)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, ch := range changes {
			if _, err := tx.ExecContext(ctx, "UPDATE "+tc[0]+" SET "+tc[1]+" = ? WHERE rowid = ?", ch.v, ch.rowid); err != nil {
				return err
			}
		}
	}
	return nil
}

// rekeyInventoryHandles rewrites inventory_handles, a table without rowids, whole.
func rekeyInventoryHandles(ctx context.Context, tx *sql.Tx, key *normalize.HandleKey) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT credential, handle FROM inventory_handles")
	if err != nil {
		return 0, err
	}
	var pairs [][2]string
	changed := 0
	for rows.Next() {
		var cred, h string
		if err := rows.Scan(&cred, &h); err != nil {
			rows.Close()
			return 0, err
		}
		p := [2]string{key.Keyed(cred), key.Keyed(h)}
		if p != [2]string{cred, h} {
			changed++
		}
		pairs = append(pairs, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM inventory_handles"); err != nil {
		return 0, err
	}
	for _, p := range pairs {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO inventory_handles(credential, handle) VALUES(?, ?)", p[0], p[1]); err != nil {
			return 0, err
		}
	}
	return changed, nil
}
