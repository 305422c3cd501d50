package timeline

import (
	"context"
	"database/sql"
	"encoding/hex"
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
		add("e.time_ns >= ?", f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		add("e.time_ns < ?", f.Until.UnixNano())
	}
	list := func(vals []string) (string, []any) {
		a := make([]any, len(vals))
		for i, v := range vals {
			a[i] = v
		}
		return strings.TrimSuffix(strings.Repeat("?,", len(vals)), ","), a
	}
	if len(f.Sources) > 0 {
		ph, a := list(f.Sources)
		add("e.evidence_id IN (SELECT id FROM evidence WHERE format IN ("+ph+"))", a...)
	}
	if len(f.Categories) > 0 {
		ph, a := list(f.Categories)
		add("e.category_sid IN (SELECT id FROM strings WHERE value IN ("+ph+"))", a...)
	}
	if len(f.IDs) > 0 {
		ids := make([]any, 0, len(f.IDs))
		for _, id := range f.IDs {
			if b, err := hex.DecodeString(id); err == nil && len(b) == 16 {
				ids = append(ids, b)
			}
		}
		if len(ids) == 0 {
			add("0")
		} else {
			add("e.eid IN ("+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+")", ids...)
		}
	}
	byString := func(col, v string) { add("e."+col+" = (SELECT id FROM strings WHERE value = ?)", v) }
	if f.Principal != "" {
		byString("principal_sid", f.Principal)
	}
	if f.Credential != "" {
		byString("credential_sid", f.Credential)
	}
	if f.SecretRef != "" {
		byString("secret_ref_sid", f.SecretRef)
	}
	if f.IP != "" {
		if strings.Contains(f.IP, "/") {
			if _, err := netip.ParsePrefix(f.IP); err != nil {
				return "", nil, fmt.Errorf("--ip %q: %w", f.IP, err)
			}
			add("e.src_ip_sid IS NOT NULL")
		} else {
			ip, _ := normalize.SplitAddress(f.IP)
			if ip == "" {
				return "", nil, fmt.Errorf("--ip %q is not an IP address or CIDR prefix", f.IP)
			}
			byString("src_ip_sid", ip)
		}
	}
	if f.Contains != "" {
		// attrs are searched in their stored form: the shape's keys, the values written out, and
		// the strings the values written as ids stand for, all JSON text as the object is.
		add(`instr(lower(coalesce(s_action.value,'') || char(31) || coalesce(s_principal.value,'') || char(31) ||
			coalesce(e.resource,'') || char(31) || coalesce(s_user_agent.value,'') || char(31) || coalesce(s_secret_ref.value,'') ||
			char(31) || coalesce(e.request_id,'') || char(31) || coalesce(s_shape.value,'') || char(31) || coalesce(e.attrs,'') ||
			char(31) || coalesce(`+attrsCodedSQL("e")+`,'')), lower(?)) > 0`, f.Contains)
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

// eventOrder is the timeline's order: time, and for events of the same instant their evidence
// file then their place in it, so that same-second events of one log print in log order and the
// order is the same on every machine, whatever order the files were ingested in.
const eventOrder = " ORDER BY e.time_ns, v.sha256, e.offset, e.record_index"

// Events calls fn for each event f selects, in timeline order (eventOrder). It stops early when
// fn returns an error.
func (c *Case) Events(ctx context.Context, f Filter, fn func(*normalize.Event) error) error {
	if f.Limit == 0 || f.Limit > 10000 { // a long read: worth holding the dictionary
		if done, err := c.eventsByDict(ctx, f, fn); done || err != nil {
			return err
		}
	}
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
	q := "SELECT count(*) FROM events e"
	if f.Contains != "" { // it reads the joined strings
		q = "SELECT count(*) FROM (" + selectEvent + where + ")"
		where = ""
	}
	err = c.db.QueryRowContext(ctx, q+where, args...).Scan(&n)
	return n, err
}

// Event returns the event with the given id, or an error saying there is none.
func (c *Case) Event(ctx context.Context, id string) (*normalize.Event, error) {
	b, err := hex.DecodeString(id)
	if err != nil || len(b) != 16 {
		return nil, fmt.Errorf("no event with id %q in this case (an event id is 32 hex digits)", id)
	}
	row := c.db.QueryRowContext(ctx, selectEvent+" WHERE e.eid = ?", b)
	e, err := scanEvent(row)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("no event with id %q in this case", id)
	}
	return e, err
}
