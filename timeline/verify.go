package timeline

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// queryer is what rows are read through: the case's database or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// hashAllRows recomputes the content hash of the rows of every current evidence version, keyed by
// evidence id, in one pass over events and one over rejects. Rows whose evidence is not current
// are hashed under id 0, so that they show up as rows of no evidence.
func hashAllRows(ctx context.Context, q queryer) (map[int64]*rowHasher, error) {
	ids := map[string]int64{}
	rows, err := q.QueryContext(ctx, "SELECT id, sha256 FROM evidence WHERE superseded_by IS NULL")
	if err != nil {
		return nil, err
	}
	out := map[int64]*rowHasher{}
	for rows.Next() {
		var id int64
		var sum string
		if err := rows.Scan(&id, &sum); err != nil {
			rows.Close()
			return nil, err
		}
		ids[sum] = id
		out[id] = newRowHasher()
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	of := func(sum string) *rowHasher {
		id := ids[sum]
		h := out[id]
		if h == nil {
			h = newRowHasher()
			out[id] = h
		}
		return h
	}
	if err := scanEvents(ctx, q, selectEvent+" ORDER BY rowid", nil, func(e *normalize.Event) error {
		of(e.EvidenceSHA256).event(e)
		return nil
	}); err != nil {
		return nil, err
	}
	err = scanRejects(ctx, q, selectReject+" ORDER BY rowid", nil, func(r *normalize.Reject) error {
		of(r.EvidenceSHA256).reject(r)
		return nil
	})
	return out, err
}

// hashEvidenceRows recomputes the content hash of the rows of the current version of one
// evidence file.
func hashEvidenceRows(ctx context.Context, q queryer, sum string) (*rowHasher, error) {
	return hashRows(ctx, q, "events", "rejects", "evidence_sha256", sum)
}

// hashSupersededRows recomputes the content hash of the rows an evidence version stored before a
// reparse superseded it: kept in superseded_events and superseded_rejects, they are checked like
// current rows.
func hashSupersededRows(ctx context.Context, q queryer, id int64) (*rowHasher, error) {
	return hashRows(ctx, q, "superseded_events", "superseded_rejects", "evidence_id", id)
}

// hashRows hashes, in storage order, the rows of the events and rejects tables named whose
// column col equals v.
func hashRows(ctx context.Context, q queryer, events, rejects, col string, v any) (*rowHasher, error) {
	h := newRowHasher()
	where := " WHERE " + col + " = ? ORDER BY rowid"
	if err := scanEvents(ctx, q, strings.Replace(selectEvent, " FROM events", " FROM "+events, 1)+where, []any{v},
		func(e *normalize.Event) error { h.event(e); return nil }); err != nil {
		return nil, err
	}
	err := scanRejects(ctx, q, strings.Replace(selectReject, " FROM rejects", " FROM "+rejects, 1)+where, []any{v},
		func(r *normalize.Reject) error { h.reject(r); return nil })
	return h, err
}

func scanEvents(ctx context.Context, q queryer, query string, args []any, fn func(*normalize.Event) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

const selectReject = "SELECT evidence_sha256, evidence_path, offset, length, line, reason, snippet FROM rejects"

func scanRejects(ctx context.Context, q queryer, query string, args []any, fn func(*normalize.Reject) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
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

// RowCheck is what verifying one evidence version's rows found.
type RowCheck struct {
	EvidenceID int64
	SHA256     string
	Path       string
	Version    int64
	// Recorded is the rows_sha256 the custody log holds for this version; Computed is the hash
	// of the rows the case holds now.
	Recorded, Computed string
	// Events and Rejects count the rows the case holds now.
	Events, Rejects int64
	// Problem says what does not match; empty when the rows are as stored.
	Problem string
}

// VerifyRows recomputes the content hash of every evidence version's rows, current ones from
// events and rejects and superseded ones from superseded_events and superseded_rejects, and
// compares it with the one its custody entry recorded (the ingest, reparse or migrate entry),
// and checks that the evidence row itself still carries that hash. Rows that belong to no
// current evidence are reported under EvidenceID 0. It reads the whole events table once.
func (c *Case) VerifyRows(ctx context.Context) ([]RowCheck, error) {
	recorded, err := c.recordedRowHashes(ctx)
	if err != nil {
		return nil, err
	}
	sums, err := hashAllRows(ctx, c.db)
	if err != nil {
		return nil, err
	}
	evs, err := c.Evidence(ctx)
	if err != nil {
		return nil, err
	}
	var out []RowCheck
	for _, ev := range evs {
		if ev.SupersededBy != 0 {
			h, err := hashSupersededRows(ctx, c.db, ev.ID)
			if err != nil {
				return nil, err
			}
			sums[ev.ID] = h
		}
		h := sums[ev.ID]
		if h == nil {
			h = newRowHasher()
		}
		rc := RowCheck{EvidenceID: ev.ID, SHA256: ev.SHA256, Path: ev.Path, Version: ev.Version,
			Recorded: recorded[versionKey(ev.SHA256, ev.Version)], Computed: h.sum(), Events: h.nEvents, Rejects: h.nRejects}
		rc.Problem = rowProblem(rc, ev)
		out = append(out, rc)
	}
	if h := sums[0]; h != nil {
		out = append(out, RowCheck{Computed: h.sum(), Events: h.nEvents, Rejects: h.nRejects,
			Problem: fmt.Sprintf("%d events and %d rejects belong to no evidence file of the case (added after ingest)", h.nEvents, h.nRejects)})
	}
	return out, nil
}

// VerifyEvidenceRows is VerifyRows for the current version of one evidence file, for `show`.
func (c *Case) VerifyEvidenceRows(ctx context.Context, sum string) (*RowCheck, error) {
	ev, err := c.EvidenceBySHA(ctx, sum)
	if err != nil {
		return nil, fmt.Errorf("evidence %s is not in the case: %w", sum, err)
	}
	recorded, err := c.recordedRowHashes(ctx)
	if err != nil {
		return nil, err
	}
	h, err := hashEvidenceRows(ctx, c.db, sum)
	if err != nil {
		return nil, err
	}
	rc := RowCheck{EvidenceID: ev.ID, SHA256: ev.SHA256, Path: ev.Path, Version: ev.Version,
		Recorded: recorded[versionKey(ev.SHA256, ev.Version)], Computed: h.sum(), Events: h.nEvents, Rejects: h.nRejects}
	rc.Problem = rowProblem(rc, *ev)
	return &rc, nil
}

func rowProblem(rc RowCheck, ev EvidenceRow) string {
	switch {
	case rc.Recorded == "":
		return "no custody entry records the content hash of this evidence's rows"
	case ev.RowsSHA256 != rc.Recorded:
		return "the evidence row's rows_sha256 differs from the one its custody entry recorded (the evidence row was altered)"
	case rc.Events != ev.Events || rc.Rejects != ev.Rejects:
		return fmt.Sprintf("the case holds %d events and %d rejects of it, the ingest stored %d and %d (rows deleted or added)",
			rc.Events, rc.Rejects, ev.Events, ev.Rejects)
	case rc.Computed != rc.Recorded:
		return "the rows' content hash differs from the one recorded at ingest (rows altered after ingest)"
	}
	return ""
}

func versionKey(sum string, version int64) string { return fmt.Sprintf("%s@%d", sum, version) }

// recordedRowHashes returns, by evidence sha256@version, the rows_sha256 the custody log recorded:
// in ingest and reparse entries, and in the migrate entry for evidence ingested before
// versions of breachline that recorded it. A later entry wins.
func (c *Case) recordedRowHashes(ctx context.Context) (map[string]string, error) {
	entries, err := c.Custody(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		switch e.Action {
		case "ingest", "reparse":
			if h := e.Objects["rows_sha256"]; h != "" {
				v := e.Objects["evidence_version"]
				if v == "" {
					v = "1"
				}
				out[e.Objects["evidence_sha256"]+"@"+v] = h
			}
		case "migrate":
			for k, v := range e.Objects {
				sum, ok := strings.CutPrefix(k, "evidence:")
				if !ok {
					continue
				}
				var events, rejects int64
				var h string
				if _, err := fmt.Sscanf(v, "events=%d rejects=%d rows_sha256=%s", &events, &rejects, &h); err == nil {
					// Cases before schema 4 held one version of each file.
					out[versionKey(sum, 1)] = h
				}
			}
		}
	}
	return out, nil
}

// StoredCounts returns, by evidence sha256, how many events and rejects the case holds now of
// each current evidence file, so that `evidence` can say when rows are missing.
func (c *Case) StoredCounts(ctx context.Context) (map[string][2]int64, error) {
	out := map[string][2]int64{}
	for i, table := range []string{"events", "rejects"} {
		rows, err := c.db.QueryContext(ctx, "SELECT evidence_sha256, count(*) FROM "+table+" GROUP BY evidence_sha256")
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var sum string
			var n int64
			if err := rows.Scan(&sum, &n); err != nil {
				rows.Close()
				return nil, err
			}
			v := out[sum]
			v[i] = n
			out[sum] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
