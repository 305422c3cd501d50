package timeline

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// Filter selects events for the timeline. Zero fields do not filter.
type Filter struct {
	Since, Until time.Time // Since inclusive, Until exclusive
	Sources      []string
	Categories   []string
	Principal    string
	// IP is an address or a CIDR prefix.
	IP         string
	Credential string
	SecretRef  string
	// Contains is a case-insensitive substring of action, principal, resource, user agent,
	// secret ref, request id or attrs.
	Contains string
	// IDs, when set, selects exactly these events.
	IDs   []string
	Limit int
}

// where builds the SQL condition for f. A CIDR is matched in Go (see match), the rest in SQL.
func (f *Filter) where() (string, []any, error) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	if !f.Since.IsZero() {
		add("time >= ?", normalize.FormatTime(f.Since))
	}
	if !f.Until.IsZero() {
		add("time < ?", normalize.FormatTime(f.Until))
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")
		a := make([]any, len(vals))
		for i, v := range vals {
			a[i] = v
		}
		add(col+" IN ("+ph+")", a...)
	}
	in("source", f.Sources)
	in("category", f.Categories)
	in("id", f.IDs)
	if f.Principal != "" {
		add("principal = ?", f.Principal)
	}
	if f.Credential != "" {
		add("credential = ?", f.Credential)
	}
	if f.SecretRef != "" {
		add("secret_ref = ?", f.SecretRef)
	}
	if f.IP != "" {
		if strings.Contains(f.IP, "/") {
			if _, err := netip.ParsePrefix(f.IP); err != nil {
				return "", nil, fmt.Errorf("--ip %q: %w", f.IP, err)
			}
			add("src_ip IS NOT NULL")
		} else {
			ip, _ := normalize.SplitAddress(f.IP)
			if ip == "" {
				return "", nil, fmt.Errorf("--ip %q is not an IP address or CIDR prefix", f.IP)
			}
			add("src_ip = ?", ip)
		}
	}
	if f.Contains != "" {
		add(`instr(lower(coalesce(action,'') || char(31) || coalesce(principal,'') || char(31) ||
			coalesce(resource,'') || char(31) || coalesce(user_agent,'') || char(31) || coalesce(secret_ref,'') ||
			char(31) || coalesce(request_id,'') || char(31) || coalesce(attrs,'')), lower(?)) > 0`, f.Contains)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// match applies the filters SQL cannot: a CIDR prefix.
func (f *Filter) match(e *normalize.Event) bool {
	if strings.Contains(f.IP, "/") {
		p, _ := netip.ParsePrefix(f.IP)
		a, err := netip.ParseAddr(e.SrcIP)
		return err == nil && p.Contains(a)
	}
	return true
}

const selectEvent = `SELECT id, time, time_raw, tz_basis, source, parser, category, action, outcome, principal,
	principal_type, src_ip, user_agent, credential, resource, resource_type, secret_ref, request_id,
	evidence_sha256, evidence_path, offset, length, line, record_index, raw_sha256, attrs FROM events`

// eventOrder is the timeline's order: time, and for events of the same instant their evidence
// file then their place in it, so that same-second events of one log print in log order and the
// order is the same on every machine, whatever order the files were ingested in.
const eventOrder = " ORDER BY time, evidence_sha256, offset, record_index"

// Events calls fn for each event f selects, in timeline order (eventOrder). It stops early when
// fn returns an error.
func (c *Case) Events(ctx context.Context, f Filter, fn func(*normalize.Event) error) error {
	where, args, err := f.where()
	if err != nil {
		return err
	}
	q := selectEvent + where + eventOrder
	cidr := strings.Contains(f.IP, "/")
	if f.Limit > 0 && !cidr {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return err
		}
		if !f.match(e) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
		if n++; f.Limit > 0 && n >= f.Limit {
			break
		}
	}
	return rows.Err()
}

// EventsWhere calls fn for each event satisfying cond, an SQL condition over the events table,
// in timeline order. It serves packages that select events through their own tables (the
// correlator's pivots); limit 0 means all.
func (c *Case) EventsWhere(ctx context.Context, cond string, args []any, limit int, fn func(*normalize.Event) error) error {
	q := selectEvent + " WHERE " + cond + eventOrder
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return scanEvents(ctx, c.db, q, args, fn)
}

// CountEvents returns how many events f selects, ignoring its limit.
func (c *Case) CountEvents(ctx context.Context, f Filter) (int64, error) {
	if strings.Contains(f.IP, "/") {
		var n int64
		f.Limit = 0
		err := c.Events(ctx, f, func(*normalize.Event) error { n++; return nil })
		return n, err
	}
	where, args, err := f.where()
	if err != nil {
		return 0, err
	}
	var n int64
	err = c.db.QueryRowContext(ctx, "SELECT count(*) FROM events"+where, args...).Scan(&n)
	return n, err
}

// Event returns the event with the given id, or an error saying there is none.
func (c *Case) Event(ctx context.Context, id string) (*normalize.Event, error) {
	row := c.db.QueryRowContext(ctx, selectEvent+" WHERE id = ?", id)
	e, err := scanEvent(row)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("no event with id %q in this case", id)
	}
	return e, err
}

type scanner interface{ Scan(...any) error }

func scanEvent(s scanner) (*normalize.Event, error) {
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
