package correlate

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/breachline/breachline/timeline"
)

// ImportInventory replaces the case's secrets inventory with the contents of files, in one
// change recorded in the custody log with each file's sha256. The inventory is the platform's
// snapshot of which credential sits in which secret; importing again replaces it.
func ImportInventory(ctx context.Context, c *timeline.Case, actor timeline.Actor, files []string) (int, error) {
	key, err := c.HandleKey(ctx)
	if err != nil {
		return 0, err
	}
	var all []Secret
	objects := map[string]string{}
	for _, f := range files {
		rows, sum, err := ReadInventory(f, key)
		if err != nil {
			return 0, err
		}
		all = append(all, rows...)
		objects["file "+f] = sum
	}
	_, err = c.Change(ctx, actor, "inventory-import", func(tx *sql.Tx) (map[string]string, error) {
		for _, s := range []string{"DELETE FROM inventory", "DELETE FROM inventory_handles"} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return nil, err
			}
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO inventory(secret_ref, credential, display, owner, kind, scopes,
			data_categories, consumers, revoked_at, source_file, source_line) VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return nil, err
		}
		defer ins.Close()
		handles, err := tx.PrepareContext(ctx, "INSERT OR IGNORE INTO inventory_handles(credential, handle) VALUES (?, ?)")
		if err != nil {
			return nil, err
		}
		defer handles.Close()
		creds := map[string]bool{}
		for _, s := range all {
			consumers, _ := json.Marshal(nonNil(s.Consumers))
			if _, err := ins.ExecContext(ctx, s.SecretRef, s.Credential, s.Display, nullable(s.Owner), nullable(s.Kind),
				nullable(s.Scopes), nullable(s.DataCategories), string(consumers), nullable(s.RevokedAt), s.File, s.Line); err != nil {
				return nil, err
			}
			for _, h := range s.Handles {
				if _, err := handles.ExecContext(ctx, s.Credential, h); err != nil {
					return nil, err
				}
			}
			creds[s.Credential] = true
		}
		objects["rows"] = strconv.Itoa(len(all))
		objects["credentials"] = strconv.Itoa(len(creds))
		return objects, nil
	})
	return len(all), err
}

// ImportIndicators replaces the case's indicators of compromise with the contents of files.
func ImportIndicators(ctx context.Context, c *timeline.Case, actor timeline.Actor, files []string) (int, error) {
	var all []Indicator
	objects := map[string]string{}
	for _, f := range files {
		inds, sum, err := ReadIndicators(f)
		if err != nil {
			return 0, err
		}
		all = append(all, inds...)
		objects["file "+f] = sum
	}
	_, err := c.Change(ctx, actor, "ioc-import", func(tx *sql.Tx) (map[string]string, error) {
		if _, err := tx.ExecContext(ctx, "DELETE FROM iocs"); err != nil {
			return nil, err
		}
		for _, ind := range all {
			if _, err := tx.ExecContext(ctx, "INSERT INTO iocs(type, value, note) VALUES (?, ?, ?)", ind.Type, ind.Value, ind.Note); err != nil {
				return nil, err
			}
		}
		objects["indicators"] = strconv.Itoa(len(all))
		return objects, nil
	})
	return len(all), err
}

func nullable(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
