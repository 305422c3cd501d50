package timeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"sort"
	"strings"
)

// profilePrefix marks the case_meta rows that hold the case profile: what only a person can say
// about the breach (the controller, the time of awareness, the narrative…), as opposed to what
// the evidence shows. The keys and their meaning belong to the report packages.
const profilePrefix = "profile."

// Profile returns the case profile, key (without the prefix) to value.
func (c *Case) Profile(ctx context.Context) (map[string]string, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT key, value FROM case_meta WHERE key LIKE 'profile.%' ORDER BY key")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	p := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		p[strings.TrimPrefix(k, profilePrefix)] = v
	}
	return p, rows.Err()
}

// SetProfile stores values in the case profile in one change with its custody entry (action):
// an empty value removes the key. The entry records, for each key, the sha256 of the value
// entered ("" for a removal), so that the custody log says who entered what and when without
// carrying the text; objects adds to it (the imported file's hash).
func (c *Case) SetProfile(ctx context.Context, actor Actor, action string, values map[string]string, objects map[string]string) (*CustodyEntry, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return c.Change(ctx, actor, action, func(tx *sql.Tx) (map[string]string, error) {
		out := map[string]string{}
		for k, v := range objects {
			out[k] = v
		}
		for _, k := range keys {
			v := values[k]
			if v == "" {
				if _, err := tx.ExecContext(ctx, "DELETE FROM case_meta WHERE key = ?", profilePrefix+k); err != nil {
					return nil, err
				}
				out[profilePrefix+k] = ""
				continue
			}
			if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO case_meta(key, value) VALUES(?, ?)", profilePrefix+k, v); err != nil {
				return nil, err
			}
			sum := sha256.Sum256([]byte(v))
			out[profilePrefix+k] = "sha256:" + hex.EncodeToString(sum[:])
		}
		return out, nil
	})
}

// ProfileValueHash is the form SetProfile records a value under in the custody log.
func ProfileValueHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return "sha256:" + hex.EncodeToString(sum[:])
}
