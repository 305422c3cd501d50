package correlate

import (
	"context"
	"database/sql"
)

// MissingCitation is an event a finding cites that the case no longer holds: deleted after
// correlation, or superseded by a reparse of its evidence file.
type MissingCitation struct {
	Finding, Event string
}

// missingCitationsSQL lists the citations of events the case does not hold. Findings cite events
// by id as hex text; the events table holds the id's bytes, indexed.
const missingCitationsSQL = `SELECT f.id, j.value FROM findings f, json_each(f.events) j
	WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.eid = unhex(j.value)) ORDER BY f.id, j.key`

// MissingCitations lists every cited event that is not in the case, by finding then citation.
func MissingCitations(ctx context.Context, db *sql.DB) ([]MissingCitation, error) {
	rows, err := db.QueryContext(ctx, missingCitationsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MissingCitation
	for rows.Next() {
		var m MissingCitation
		if err := rows.Scan(&m.Finding, &m.Event); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
