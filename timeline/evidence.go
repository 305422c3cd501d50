package timeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/breachline/breachline/normalize"
)

// EvidenceRow is an evidence file as the case holds it.
type EvidenceRow struct {
	normalize.Evidence
	// ID is the evidence version's key in the case.
	ID         int64
	IngestedAt string
	Examiner   string
	// SupersededBy is the ID of the version that replaced this one (ingest --reparse), or 0.
	SupersededBy int64
}

// Evidence lists the case's evidence files in the order they were ingested, every version of
// each: superseded versions (SupersededBy set) included.
func (c *Case) Evidence(ctx context.Context) ([]EvidenceRow, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id, sha256, version, path, abs_path, size, compression, decompressed_size,
		format, parser, settings, first_event, last_event, records, events, rejects, complete, notes, ingested_at,
		examiner, rows_sha256, coalesce(superseded_by, 0)
		FROM evidence ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EvidenceRow
	for rows.Next() {
		var r EvidenceRow
		var first, last sql.NullString
		var notes, settings string
		if err := rows.Scan(&r.ID, &r.SHA256, &r.Version, &r.Path, &r.AbsPath, &r.Size, &r.Compression, &r.DecompressedSize,
			&r.Format, &r.Parser, &settings, &first, &last, &r.Records, &r.Events, &r.Rejects, &r.Complete, &notes,
			&r.IngestedAt, &r.Examiner, &r.RowsSHA256, &r.SupersededBy); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(settings), &r.Settings)
		r.FirstEvent, _ = time.Parse(time.RFC3339Nano, first.String)
		r.LastEvent, _ = time.Parse(time.RFC3339Nano, last.String)
		_ = json.Unmarshal([]byte(notes), &r.Notes)
		out = append(out, r)
	}
	return out, rows.Err()
}

// EvidenceBySHA returns the current version of one evidence file, or sql.ErrNoRows.
func (c *Case) EvidenceBySHA(ctx context.Context, sum string) (*EvidenceRow, error) {
	all, err := c.Evidence(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].SHA256 == sum && all[i].SupersededBy == 0 {
			return &all[i], nil
		}
	}
	return nil, sql.ErrNoRows
}

// Rejects calls fn for each reject, in evidence then offset order; evidence, when not empty,
// limits them to the evidence files whose sha256 or path it equals.
func (c *Case) Rejects(ctx context.Context, evidence string, limit int, fn func(*normalize.Reject) error) error {
	q := selectReject
	var args []any
	if evidence != "" {
		q += " WHERE v.sha256 = ? OR v.path = ?"
		args = append(args, evidence, evidence)
	}
	q += " ORDER BY v.path, v.sha256, r.offset"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	return scanRejects(ctx, c.db, q, args, fn)
}
