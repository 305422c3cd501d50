package timeline

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/breachline/breachline/normalize"
)

// The layout of events and rejects before schema 5: one text column per field of the event
// model, provenance on every row. The migrations read it to carry old cases forward.

const legacySelectEvent = `SELECT id, time, time_raw, tz_basis, source, parser, category, action, outcome, principal,
	principal_type, src_ip, user_agent, credential, resource, resource_type, secret_ref, request_id,
	evidence_sha256, evidence_path, offset, length, line, record_index, raw_sha256, attrs FROM `

const legacySelectReject = "SELECT evidence_sha256, evidence_path, offset, length, line, reason, snippet FROM "

func legacyScanEvent(s scanner) (*normalize.Event, error) {
	var e normalize.Event
	var t string
	var timeRaw, action, principal, ptype, ip, ua, cred, res, rtype, ref, reqID, attrs sql.NullString
	var line, index sql.NullInt64
	var cat, outcome string
	if err := s.Scan(&e.ID, &t, &timeRaw, &e.TZBasis, &e.Source, &e.Parser, &cat, &action, &outcome, &principal,
		&ptype, &ip, &ua, &cred, &res, &rtype, &ref, &reqID, &e.EvidenceSHA256, &e.EvidencePath, &e.Offset,
		&e.Length, &line, &index, &e.RawSHA256, &attrs); err != nil {
		return nil, err
	}
	var err error
	if e.Time, err = time.Parse(time.RFC3339Nano, t); err != nil {
		return nil, fmt.Errorf("event %s: stored time %q: %w", e.ID, t, err)
	}
	e.Category, e.Outcome = normalize.Category(cat), normalize.Outcome(outcome)
	e.TimeRaw, e.Action, e.Principal, e.PrincipalType = timeRaw.String, action.String, principal.String, ptype.String
	e.SrcIP, e.UserAgent, e.Credential, e.Resource = ip.String, ua.String, cred.String, res.String
	e.ResourceType, e.SecretRef, e.RequestID = rtype.String, ref.String, reqID.String
	e.Line = line.Int64
	e.RecordIndex = normalize.NoIndex
	if index.Valid {
		e.RecordIndex = index.Int64
	}
	if attrs.Valid {
		e.AttrsJSON = []byte(attrs.String)
	}
	return &e, nil
}

func legacyScanReject(s scanner) (*normalize.Reject, error) {
	var r normalize.Reject
	var line sql.NullInt64
	if err := s.Scan(&r.EvidenceSHA256, &r.EvidencePath, &r.Offset, &r.Length, &line, &r.Reason, &r.Snippet); err != nil {
		return nil, err
	}
	r.Line = line.Int64
	return &r, nil
}

// legacyHashAllRows is hashAllRows over the layout before schema 5, for the data step of schema
// 4: every current evidence version's rows, keyed by evidence id.
func legacyHashAllRows(ctx context.Context, q queryer) (map[int64]*rowHasher, error) {
	ids := map[string]int64{}
	out := map[int64]*rowHasher{}
	rows, err := q.QueryContext(ctx, "SELECT id, sha256 FROM evidence WHERE superseded_by IS NULL")
	if err != nil {
		return nil, err
	}
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
		if out[id] == nil {
			out[id] = newRowHasher()
		}
		return out[id]
	}
	err = eachRow(ctx, q, legacySelectEvent+"events ORDER BY rowid", func(s scanner) error {
		e, err := legacyScanEvent(s)
		if err == nil {
			of(e.EvidenceSHA256).event(e)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, legacySelectReject+"rejects ORDER BY rowid", func(s scanner) error {
		r, err := legacyScanReject(s)
		if err == nil {
			of(r.EvidenceSHA256).reject(r)
		}
		return err
	})
	return out, err
}

// eachRow calls fn for each row of query.
func eachRow(ctx context.Context, q queryer, query string, fn func(scanner) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
