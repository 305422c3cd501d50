package timeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// compactSchema is migration 5: the strings dictionary and the compact events and rejects
// tables (layout.go), with the contract views over them. The old tables are renamed aside for
// the data step, migrateCompact, which copies their rows and drops them.
func compactSchema() string {
	return `
CREATE TABLE strings (
	id    INTEGER PRIMARY KEY,
	value TEXT NOT NULL UNIQUE
);
` + seedStringsSQL() + `
ALTER TABLE events RENAME TO legacy_events;
ALTER TABLE rejects RENAME TO legacy_rejects;
ALTER TABLE superseded_events RENAME TO legacy_superseded_events;
ALTER TABLE superseded_rejects RENAME TO legacy_superseded_rejects;
CREATE TABLE events (` + eventColumns + `
);
CREATE TABLE superseded_events (` + eventColumns + `
);
CREATE TABLE rejects (` + rejectColumns + `
);
CREATE TABLE superseded_rejects (` + rejectColumns + `
);
CREATE INDEX rejects_evidence_id ON rejects(evidence_id, offset);
ALTER TABLE evidence ADD COLUMN first_event_rowid INTEGER;
ALTER TABLE evidence ADD COLUMN last_event_rowid INTEGER;
CREATE INDEX superseded_events_evidence ON superseded_events(evidence_id);
CREATE INDEX superseded_rejects_evidence ON superseded_rejects(evidence_id);
` + eventsViewSQL("events_v", "events") + `;
` + eventsViewSQL("superseded_events_v", "superseded_events") + `;
` + rejectsViewSQL("rejects_v", "rejects") + `;
` + rejectsViewSQL("superseded_rejects_v", "superseded_rejects") + `;
`
}

// txStrings assigns string ids through a transaction, for the migration.
type txStrings struct {
	ctx  context.Context
	tx   *sql.Tx
	ids  map[string]int64
	seen map[string]struct{}
}

func (t *txStrings) seenSet() map[string]struct{} { return t.seen }

func (t *txStrings) idBytes(b []byte) (int64, error) { return t.id(string(b)) }

func (t *txStrings) id(s string) (int64, error) {
	if id, ok := t.ids[s]; ok {
		return id, nil
	}
	var id int64
	err := t.tx.QueryRowContext(t.ctx, "SELECT id FROM strings WHERE value = ?", s).Scan(&id)
	if err == sql.ErrNoRows {
		var res sql.Result
		if res, err = t.tx.ExecContext(t.ctx, "INSERT INTO strings(value) VALUES(?)", s); err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, err
	}
	if len(t.ids) >= dictCacheMax {
		clear(t.ids)
	}
	t.ids[s] = id
	return id, nil
}

// migrateCompact is the data step of schema 5. It copies every event and reject, current and
// superseded, in storage order into the compact tables, then reads them back: each evidence
// version's rows must hash as before (the content hash is over the event model's JSON, not the
// layout) or the migration fails and the transaction leaves the case as it was. The counts and
// the hash over all versions' hashes, before and after, go to the custody entry.
func migrateCompact(ctx context.Context, c *Case, tx *sql.Tx, fresh bool) (map[string]string, error) {
	current := map[string]int64{}
	if err := eachRow(ctx, tx, "SELECT id, sha256 FROM evidence WHERE superseded_by IS NULL", func(s scanner) error {
		var id int64
		var sum string
		err := s.Scan(&id, &sum)
		current[sum] = id
		return err
	}); err != nil {
		return nil, err
	}
	ids := &txStrings{ctx: ctx, tx: tx, ids: map[string]int64{}, seen: map[string]struct{}{}}
	enc := newEncoder(ids)
	before := map[int64]*rowHasher{}
	of := func(id int64) *rowHasher {
		if before[id] == nil {
			before[id] = newRowHasher()
		}
		return before[id]
	}
	insEvent := "INSERT INTO %s(evidence_id, " + strings.Join(eventInsertColumns, ", ") + ") VALUES(?" + strings.Repeat(",?", nEventCols) + ")"
	insReject := "INSERT INTO %s(evidence_id, offset, length, line, reason, snippet) VALUES(?,?,?,?,?,?)"
	orphans := int64(0)
	for _, t := range []struct {
		from, to   string
		superseded bool
	}{{"legacy_events", "events", false}, {"legacy_superseded_events", "superseded_events", true}} {
		st, err := tx.PrepareContext(ctx, fmt.Sprintf(insEvent, t.to))
		if err != nil {
			return nil, err
		}
		q := legacySelectEvent + t.from + " ORDER BY rowid"
		if t.superseded {
			q = "SELECT evidence_id, " + q[len("SELECT "):]
		}
		row := make(anyRow, 0, nEventCols+1)
		err = eachRow(ctx, tx, q, func(s scanner) error {
			var evID int64
			var e *normalize.Event
			var err error
			if t.superseded {
				e, err = legacyScanEvent(prefixScanner{s, &evID})
			} else {
				e, err = legacyScanEvent(s)
				evID = current[e.EvidenceSHA256]
			}
			if err != nil {
				return err
			}
			if evID == 0 {
				orphans++
			}
			of(evID).event(e)
			row = append(row[:0], evID)
			if err := enc.encode(e, &row); err != nil {
				return err
			}
			_, err = st.ExecContext(ctx, row...)
			return err
		})
		st.Close()
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.from, err)
		}
	}
	for _, t := range []struct {
		from, to   string
		superseded bool
	}{{"legacy_rejects", "rejects", false}, {"legacy_superseded_rejects", "superseded_rejects", true}} {
		q := legacySelectReject + t.from + " ORDER BY rowid"
		if t.superseded {
			q = "SELECT evidence_id, " + q[len("SELECT "):]
		}
		err := eachRow(ctx, tx, q, func(s scanner) error {
			var evID int64
			var r *normalize.Reject
			var err error
			if t.superseded {
				r, err = legacyScanReject(prefixScanner{s, &evID})
			} else {
				r, err = legacyScanReject(s)
				evID = current[r.EvidenceSHA256]
			}
			if err != nil {
				return err
			}
			if evID == 0 {
				orphans++
			}
			of(evID).reject(r)
			var line any
			if r.Line > 0 {
				line = r.Line
			}
			_, err = tx.ExecContext(ctx, fmt.Sprintf(insReject, t.to), evID, r.Offset, r.Length, line, r.Reason, r.Snippet)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.from, err)
		}
	}
	if orphans > 0 {
		return nil, fmt.Errorf("%d rows belong to no evidence file of the case (added after ingest: `breachline custody --deep` "+
			"names them); the compact layout keeps provenance per evidence file and cannot carry them: nothing was changed", orphans)
	}
	for _, t := range []string{"legacy_events", "legacy_rejects", "legacy_superseded_events", "legacy_superseded_rejects"} {
		if _, err := tx.ExecContext(ctx, "DROP TABLE "+t); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE evidence SET first_event_rowid = t.lo, last_event_rowid = t.hi
		FROM (SELECT evidence_id, min(rowid) AS lo, max(rowid) AS hi FROM events GROUP BY evidence_id) t
		WHERE t.evidence_id = evidence.id`); err != nil {
		return nil, err
	}
	if fresh {
		return nil, nil
	}
	after, err := hashAllVersions(ctx, tx)
	if err != nil {
		return nil, err
	}
	sumBefore, nBefore := combinedRowHash(before)
	sumAfter, nAfter := combinedRowHash(after)
	if sumBefore != sumAfter {
		return nil, fmt.Errorf("the compact rows do not hash as the rows they were copied from (%s, then %s): nothing was changed", sumBefore, sumAfter)
	}
	objects := map[string]string{
		"events_rejects_before": strconv.FormatInt(nBefore, 10),
		"events_rejects_after":  strconv.FormatInt(nAfter, 10),
		"rows_sha256_before":    sumBefore,
		"rows_sha256_after":     sumAfter,
	}
	if orphans > 0 {
		objects["rows_of_no_evidence"] = strconv.FormatInt(orphans, 10)
	}
	return objects, nil
}

// prefixScanner reads a leading evidence_id column before the legacy columns.
type prefixScanner struct {
	s  scanner
	id *int64
}

func (p prefixScanner) Scan(dst ...any) error { return p.s.Scan(append([]any{p.id}, dst...)...) }

// hashAllVersions hashes the rows of every evidence version, current and superseded, by evidence
// id (0: rows of no evidence).
func hashAllVersions(ctx context.Context, q queryer) (map[int64]*rowHasher, error) {
	sums, err := hashAllRows(ctx, q)
	if err != nil {
		return nil, err
	}
	var superseded []int64
	if err := eachRow(ctx, q, "SELECT id FROM evidence WHERE superseded_by IS NOT NULL", func(s scanner) error {
		var id int64
		err := s.Scan(&id)
		superseded = append(superseded, id)
		return err
	}); err != nil {
		return nil, err
	}
	for _, id := range superseded {
		if sums[id], err = hashSupersededRows(ctx, q, id); err != nil {
			return nil, err
		}
	}
	return sums, nil
}

// combinedRowHash is the sha256 over "id:rows_sha256\n" of every evidence version in id order,
// with the rows counted.
func combinedRowHash(m map[int64]*rowHasher) (string, int64) {
	ids := make([]int64, 0, len(m))
	for id, h := range m {
		if h.nEvents+h.nRejects > 0 {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	h := sha256.New()
	var n int64
	for _, id := range ids {
		fmt.Fprintf(h, "%d:%s\n", id, m[id].sum())
		n += m[id].nEvents + m[id].nRejects
	}
	return hex.EncodeToString(h.Sum(nil)), n
}
