package export

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/timeline"
	"github.com/breachline/breachline/timeline/correlate"
)

// CaseTables returns the source of every table of an open case. The event filter f selects the
// events table's rows (it is the timeline command's filter, the same code); the result tables
// are exported whole, as the last correlate run left them. Only one table's rows may be read at
// a time: the case is read through one connection.
func CaseTables(c *timeline.Case, f timeline.Filter) func(name string) (*Table, error) {
	return func(name string) (*Table, error) {
		switch name {
		case "events":
			return &Table{Name: name, Columns: EventColumns, Rows: func(ctx context.Context, fn func(Row) error) error {
				row := make(Row, len(EventColumns))
				return c.Events(ctx, f, func(e *normalize.Event) error { return fn(eventRow(row, e)) })
			}}, nil
		case "findings":
			return &Table{Name: name, Columns: FindingColumns, Rows: func(ctx context.Context, fn func(Row) error) error {
				row := make(Row, len(FindingColumns))
				return correlate.Findings(ctx, c.DB(), correlate.FindingFilter{}, func(x *correlate.Finding) error {
					ids, _ := json.Marshal(nonNil(x.Events))
					t, err := time.Parse(time.RFC3339Nano, x.Time)
					if err != nil {
						return fmt.Errorf("finding %s: %w", x.ID, err)
					}
					row[0], row[1], row[2], row[3], row[4] = x.ID, x.Rule, x.Severity, t.UTC(), x.Summary
					row[5], row[6], row[7], row[8] = optional(x.Credential), optional(x.SecretRef), optional(x.Owner), optional(x.SrcIP)
					row[9] = string(ids)
					return fn(row)
				})
			}}, nil
		case "credentials":
			return &Table{Name: name, Columns: CredentialColumns, Rows: func(ctx context.Context, fn func(Row) error) error {
				row := make(Row, len(CredentialColumns))
				return correlate.Credentials(ctx, c.DB(), "", func(x *correlate.CredentialStatus) error {
					refs, _ := json.Marshal(nonNil(x.SecretRefs))
					ips, _ := json.Marshal(nonNil(x.NovelIPs))
					derived, _ := json.Marshal(nonNil(x.Derived))
					row[0], row[1], row[2], row[3], row[4] = x.Credential, x.Display, optional(x.Owner), string(refs), x.Status
					var err error
					for _, t := range []struct {
						i int
						s *string
					}{{5, x.FirstExposure}, {6, x.FirstMisuse}, {7, x.LastMisuse}, {10, x.RevokedAt}} {
						if row[t.i], err = optionalTime(t.s); err != nil {
							return fmt.Errorf("credential %s: %w", x.Credential, err)
						}
					}
					row[8], row[9], row[11] = x.MisuseCount, string(ips), string(derived)
					return fn(row)
				})
			}}, nil
		case "exposures":
			return sqlTable(c, name, ExposureColumns, `SELECT event_id, time, secret_ref, read_ref, principal, src_ip,
				outcome, in_window, class, proves, reasons FROM exposures ORDER BY time, event_id, secret_ref, read_ref`), nil
		case "uses":
			return sqlTable(c, name, UseColumns, `SELECT credential, handle, via, event_id, time, source, action, outcome,
				principal, src_ip, user_agent, novel, after_revocation, reasons FROM credential_uses
				ORDER BY time, event_id, credential, handle`), nil
		case "rejects":
			return &Table{Name: name, Columns: RejectColumns, Rows: func(ctx context.Context, fn func(Row) error) error {
				row := make(Row, len(RejectColumns))
				return c.Rejects(ctx, "", 0, func(r *normalize.Reject) error {
					row[0], row[1], row[2], row[3] = r.EvidenceSHA256, r.EvidencePath, r.Offset, r.Length
					row[4] = nil
					if r.Line > 0 {
						row[4] = r.Line
					}
					row[5], row[6] = r.Reason, r.Snippet
					return fn(row)
				})
			}}, nil
		}
		return nil, fmt.Errorf("unknown table %q (known: %s)", name, strings.Join(Tables, ", "))
	}
}

// eventRow fills row with e's values in EventColumns order: empty text becomes nil, as the
// event model's JSON leaves those keys out.
func eventRow(row Row, e *normalize.Event) Row {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	row[0], row[1], row[2], row[3] = e.ID, e.Time.UTC(), str(e.TimeRaw), str(e.TZBasis)
	row[4], row[5], row[6], row[7], row[8] = e.Source, e.Parser, string(e.Category), str(e.Action), string(e.Outcome)
	row[9], row[10], row[11], row[12] = str(e.Principal), str(e.PrincipalType), str(e.SrcIP), str(e.UserAgent)
	row[13], row[14], row[15], row[16], row[17] = str(e.Credential), str(e.Resource), str(e.ResourceType), str(e.SecretRef), str(e.RequestID)
	row[18], row[19], row[20], row[21] = e.EvidenceSHA256, e.EvidencePath, e.Offset, e.Length
	row[22], row[23] = nil, nil
	if e.Line > 0 {
		row[22] = e.Line
	}
	if e.RecordIndex >= 0 {
		row[23] = e.RecordIndex
	}
	row[24] = e.RawSHA256
	row[25] = nil
	if attrs := attrsOf(e); attrs != "" {
		row[25] = attrs
	}
	return row
}

// attrsOf is the canonical JSON of an event's attrs, or "" when it has none.
func attrsOf(e *normalize.Event) string {
	if len(e.AttrsJSON) > 2 {
		return string(e.AttrsJSON)
	}
	if len(e.Attrs) == 0 {
		return ""
	}
	b, err := normalize.MarshalAttrs(e.Attrs)
	if err != nil || len(b) <= 2 {
		return ""
	}
	return string(b)
}

// sqlTable is a result table read by one query whose columns are cols, in order: INTEGER 0/1
// columns become Bool, TEXT times Time.
func sqlTable(c *timeline.Case, name string, cols []Column, query string) *Table {
	return &Table{Name: name, Columns: cols, Rows: func(ctx context.Context, fn func(Row) error) error {
		rows, err := c.DB().QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		raw := make([]any, len(cols))
		dst := make([]any, len(cols))
		for i := range raw {
			dst[i] = &raw[i]
		}
		row := make(Row, len(cols))
		for rows.Next() {
			if err := rows.Scan(dst...); err != nil {
				return err
			}
			for i, col := range cols {
				v, err := columnValue(col, raw[i])
				if err != nil {
					return fmt.Errorf("%s.%s: %w", name, col.Name, err)
				}
				row[i] = v
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		return rows.Err()
	}}
}

// columnValue converts a value as the SQLite driver returns it to the Go type of col's kind.
func columnValue(col Column, v any) (any, error) {
	if v == nil {
		if !col.Nullable {
			return nil, fmt.Errorf("NULL in a column that may not be")
		}
		return nil, nil
	}
	switch col.Kind {
	case String, JSON:
		switch s := v.(type) {
		case string:
			return s, nil
		case []byte:
			return string(s), nil
		}
	case Int64:
		if n, ok := v.(int64); ok {
			return n, nil
		}
	case Bool:
		if n, ok := v.(int64); ok {
			return n != 0, nil
		}
	case Time:
		var s string
		switch t := v.(type) {
		case string:
			s = t
		case []byte:
			s = string(t)
		case time.Time:
			return t.UTC(), nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, err
		}
		return t.UTC(), nil
	}
	return nil, fmt.Errorf("unexpected %T for a %s column", v, col.Kind)
}

// OutputActions are the custody actions that record an output made from the case (an export, a
// report, a bundle), not a change to it. The "as of" entry of an export skips them, so exporting
// twice gives the same bytes.
var OutputActions = map[string]bool{"export": true, "report": true, "bundle": true}

// CaseMeta gathers the metadata of an export of table from c: the case's identity, the state it
// is in (its last custody entry that changed it) and its current evidence files.
func CaseMeta(ctx context.Context, c *timeline.Case, table, filter, toolVersion string) (Meta, error) {
	m := Meta{Table: table, Filter: filter, ToolVersion: toolVersion}
	meta, err := c.Meta(ctx)
	if err != nil {
		return m, err
	}
	m.CaseName = meta["name"]
	entries, err := c.Custody(ctx)
	if err != nil {
		return m, err
	}
	if len(entries) > 0 {
		// The first custody entry's hash names the case: it is fixed at init and differs
		// between any two cases.
		m.CaseID = entries[0].Hash
		last := entries[0]
		for _, e := range entries {
			if !OutputActions[e.Action] {
				last = e
			}
		}
		m.AsOfSeq, m.AsOfHash = last.Seq, last.Hash
		m.AsOf, _ = time.Parse(time.RFC3339Nano, last.Time)
		m.AsOf = m.AsOf.UTC()
	}
	evidence, err := c.Evidence(ctx)
	if err != nil {
		return m, err
	}
	for _, e := range evidence {
		if e.SupersededBy != 0 {
			continue
		}
		m.Evidence = append(m.Evidence, Evidence{Path: e.Path, SHA256: e.SHA256, Source: e.Format, Records: e.Records,
			Events: e.Events, Rejects: e.Rejects, FirstEvent: e.FirstEvent.UTC(), LastEvent: e.LastEvent.UTC()})
	}
	return m, nil
}

func optional(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func optionalTime(s *string) (any, error) {
	if s == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return nil, err
	}
	return t.UTC(), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
