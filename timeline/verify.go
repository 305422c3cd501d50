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
	out := map[int64]*rowHasher{}
	if err := eachRow(ctx, q, "SELECT id FROM evidence WHERE superseded_by IS NULL", func(s scanner) error {
		var id int64
		err := s.Scan(&id)
		out[id] = newRowHasher()
		return err
	}); err != nil {
		return nil, err
	}
	of := func(id int64) *rowHasher {
		h := out[id]
		if h == nil {
			h = out[0]
			if h == nil {
				h = newRowHasher()
				out[0] = h
			}
		}
		return h
	}
	if err := eachRow(ctx, q, strings.Replace(selectEvent, "SELECT ", "SELECT e.evidence_id, ", 1)+" ORDER BY e.rowid", func(s scanner) error {
		var id int64
		e, err := scanEvent(prefixScanner{s, &id})
		if err == nil {
			of(id).event(e)
		}
		return err
	}); err != nil {
		return nil, err
	}
	err := eachRow(ctx, q, strings.Replace(selectReject, "SELECT ", "SELECT r.evidence_id, ", 1)+" ORDER BY r.rowid", func(s scanner) error {
		var id int64
		r, err := scanReject(prefixScanner{s, &id})
		if err == nil {
			of(id).reject(r)
		}
		return err
	})
	return out, err
}

// hashEvidenceRows recomputes the content hash of the rows of one evidence version, current (in
// events and rejects) or superseded by a reparse (in superseded_events and superseded_rejects).
// A current version's events are read from its range of rowids (evidence.first_event_rowid to
// last_event_rowid) and from the rows after every file's range, rather than by scanning the
// table: a row added behind breachline's back with an explicit rowid in another file's range is
// found by the full pass of VerifyRows (custody --deep), which reads every row.
func hashEvidenceRows(ctx context.Context, q queryer, id int64, superseded bool) (*rowHasher, error) {
	events, rejects := "events", "rejects"
	conds := []struct {
		sql  string
		args []any
	}{{" WHERE e.evidence_id = ?", []any{id}}}
	if superseded {
		events, rejects = "superseded_events", "superseded_rejects"
	} else {
		var first, last, end sql.NullInt64
		if err := eachRow(ctx, q, `SELECT first_event_rowid, last_event_rowid, (SELECT max(last_event_rowid) FROM evidence)
			FROM evidence WHERE id = ?`, func(s scanner) error {
			return s.Scan(&first, &last, &end)
		}, id); err != nil {
			return nil, err
		}
		conds[0].sql, conds[0].args = " WHERE e.rowid BETWEEN ? AND ? AND e.evidence_id = ?", []any{first.Int64, last.Int64, id}
		conds = append(conds, struct {
			sql  string
			args []any
		}{" WHERE e.rowid > ? AND e.evidence_id = ?", []any{max(end.Int64, last.Int64), id}})
	}
	h := newRowHasher()
	for _, c := range conds {
		if err := scanEvents(ctx, q, selectEventsFrom(events)+c.sql+" ORDER BY e.rowid", c.args,
			func(e *normalize.Event) error { h.event(e); return nil }); err != nil {
			return nil, err
		}
	}
	err := eachRow(ctx, q, selectRejectsFrom(rejects)+" WHERE r.evidence_id = ? ORDER BY r.rowid", func(s scanner) error {
		r, err := scanReject(s)
		if err == nil {
			h.reject(r)
		}
		return err
	}, id)
	return h, err
}

// hashSupersededRows recomputes the content hash of the rows a reparse superseded.
func hashSupersededRows(ctx context.Context, q queryer, id int64) (*rowHasher, error) {
	return hashEvidenceRows(ctx, q, id, true)
}

func scanEvents(ctx context.Context, q queryer, query string, args []any, fn func(*normalize.Event) error) error {
	return eachRow(ctx, q, query, func(s scanner) error {
		e, err := scanEvent(s)
		if err != nil {
			return err
		}
		return fn(e)
	}, args...)
}

// selectRejectsFrom is the SELECT of rejects in the form scanReject reads, over table (rejects or
// superseded_rejects) aliased r.
func selectRejectsFrom(table string) string {
	return "SELECT v.sha256, v.path, r.offset, r.length, r.line, r.reason, r.snippet FROM " + table +
		" r LEFT JOIN evidence v ON v.id = r.evidence_id"
}

var selectReject = selectRejectsFrom("rejects")

func scanReject(s scanner) (*normalize.Reject, error) {
	var r normalize.Reject
	var sum, path sql.NullString
	var line sql.NullInt64
	if err := s.Scan(&sum, &path, &r.Offset, &r.Length, &line, &r.Reason, &r.Snippet); err != nil {
		return nil, err
	}
	r.EvidenceSHA256, r.EvidencePath, r.Line = sum.String, path.String, line.Int64
	return &r, nil
}

func scanRejects(ctx context.Context, q queryer, query string, args []any, fn func(*normalize.Reject) error) error {
	return eachRow(ctx, q, query, func(s scanner) error {
		r, err := scanReject(s)
		if err != nil {
			return err
		}
		return fn(r)
	}, args...)
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
	h, err := hashEvidenceRows(ctx, c.db, ev.ID, false)
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
		err := eachRow(ctx, c.db, "SELECT v.sha256, t.n FROM (SELECT evidence_id, count(*) AS n FROM "+table+
			" GROUP BY evidence_id) t JOIN evidence v ON v.id = t.evidence_id", func(s scanner) error {
			var sum string
			var n int64
			if err := s.Scan(&sum, &n); err != nil {
				return err
			}
			v := out[sum]
			v[i] = n
			out[sum] = v
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
