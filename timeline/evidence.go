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
	IngestedAt string
	Examiner   string
}

// Evidence lists the case's evidence files in the order they were ingested.
func (c *Case) Evidence(ctx context.Context) ([]EvidenceRow, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT sha256, path, size, compression, decompressed_size, format, parser,
		first_event, last_event, records, events, rejects, complete, notes, ingested_at, examiner
		FROM evidence ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EvidenceRow
	for rows.Next() {
		var r EvidenceRow
		var first, last sql.NullString
		var notes string
		if err := rows.Scan(&r.SHA256, &r.Path, &r.Size, &r.Compression, &r.DecompressedSize, &r.Format, &r.Parser,
			&first, &last, &r.Records, &r.Events, &r.Rejects, &r.Complete, &notes, &r.IngestedAt, &r.Examiner); err != nil {
			return nil, err
		}
		r.FirstEvent, _ = time.Parse(time.RFC3339Nano, first.String)
		r.LastEvent, _ = time.Parse(time.RFC3339Nano, last.String)
		_ = json.Unmarshal([]byte(notes), &r.Notes)
		out = append(out, r)
	}
	return out, rows.Err()
}

// EvidenceBySHA returns one evidence file, or sql.ErrNoRows.
func (c *Case) EvidenceBySHA(ctx context.Context, sum string) (*EvidenceRow, error) {
	all, err := c.Evidence(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].SHA256 == sum {
			return &all[i], nil
		}
	}
	return nil, sql.ErrNoRows
}

// Rejects calls fn for each reject, in evidence then offset order; evidence, when not empty,
// limits them to the evidence files whose sha256 or path it equals.
func (c *Case) Rejects(ctx context.Context, evidence string, limit int, fn func(*normalize.Reject) error) error {
	q := "SELECT evidence_sha256, evidence_path, offset, length, line, reason, snippet FROM rejects"
	var args []any
	if evidence != "" {
		q += " WHERE evidence_sha256 = ? OR evidence_path = ?"
		args = append(args, evidence, evidence)
	}
	q += " ORDER BY evidence_path, evidence_sha256, offset"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r normalize.Reject
		var line sql.NullInt64
		if err := rows.Scan(&r.EvidenceSHA256, &r.EvidencePath, &r.Offset, &r.Length, &line, &r.Reason, &r.Snippet); err != nil {
			return err
		}
		r.Line = line.Int64
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}
