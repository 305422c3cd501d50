package correlate

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// Finding is one correlator result. Its JSON form is a contract (breachline findings --format
// jsonl): every key is present, null when it does not apply.
type Finding struct {
	ID         string   `json:"id"`
	Rule       string   `json:"rule"`
	Severity   string   `json:"severity"`
	Time       string   `json:"time"`
	Summary    string   `json:"summary"`
	Credential *string  `json:"credential"`
	SecretRef  *string  `json:"secret_ref"`
	Owner      *string  `json:"owner"`
	SrcIP      *string  `json:"src_ip"`
	Events     []string `json:"events"`
}

// Severities in order, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// FindingFilter selects findings.
type FindingFilter struct {
	Rules       []string
	MinSeverity string
	Credential  string
}

// Findings calls fn for each finding, most severe first, then in time order.
func Findings(ctx context.Context, db *sql.DB, f FindingFilter, fn func(*Finding) error) error {
	q := `SELECT id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events FROM findings`
	var conds []string
	var args []any
	if len(f.Rules) > 0 {
		ph := make([]string, len(f.Rules))
		for i, r := range f.Rules {
			ph[i] = "?"
			args = append(args, r)
		}
		conds = append(conds, "substr(rule, 1, instr(rule, '@') - 1) IN ("+strings.Join(ph, ",")+")")
	}
	if f.MinSeverity != "" {
		rank := severityRank(f.MinSeverity)
		if rank < 0 {
			return fmt.Errorf("unknown severity %q (known: %s)", f.MinSeverity, strings.Join(Severities, ", "))
		}
		ph := make([]string, 0, rank+1)
		for _, s := range Severities[:rank+1] {
			ph = append(ph, "?")
			args = append(args, s)
		}
		conds = append(conds, "severity IN ("+strings.Join(ph, ",")+")")
	}
	if f.Credential != "" {
		conds = append(conds, "credential = ?")
		args = append(args, f.Credential)
	}
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += ` ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, time, id`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FindingByID returns one finding.
func FindingByID(ctx context.Context, db *sql.DB, id string) (*Finding, error) {
	row := db.QueryRowContext(ctx, `SELECT id, rule, severity, time, summary, credential, secret_ref, owner, src_ip, events
		FROM findings WHERE id = ?`, id)
	f, err := scanFinding(row)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("no finding with id %q (run breachline correlate, then breachline findings)", id)
	}
	return f, err
}

type scanner interface{ Scan(...any) error }

func scanFinding(s scanner) (*Finding, error) {
	var f Finding
	var cred, ref, owner, ip sql.NullString
	var events string
	if err := s.Scan(&f.ID, &f.Rule, &f.Severity, &f.Time, &f.Summary, &cred, &ref, &owner, &ip, &events); err != nil {
		return nil, err
	}
	f.Credential, f.SecretRef, f.Owner, f.SrcIP = ptr(cred), ptr(ref), ptr(owner), ptr(ip)
	if err := json.Unmarshal([]byte(events), &f.Events); err != nil {
		return nil, fmt.Errorf("finding %s: events: %w", f.ID, err)
	}
	if f.Events == nil {
		f.Events = []string{}
	}
	return &f, nil
}

func severityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

func ptr(s sql.NullString) *string {
	if !s.Valid || s.String == "" {
		return nil
	}
	return &s.String
}

// CredentialStatus is one line of the credential summary (breachline credentials --format
// jsonl): every key is present, null when unknown.
type CredentialStatus struct {
	Credential    string   `json:"credential"`
	Display       string   `json:"display"`
	Owner         *string  `json:"owner"`
	SecretRefs    []string `json:"secret_refs"`
	Status        string   `json:"status"`
	FirstExposure *string  `json:"first_exposure"`
	FirstMisuse   *string  `json:"first_misuse"`
	LastMisuse    *string  `json:"last_misuse"`
	MisuseCount   int64    `json:"misuse_count"`
	NovelIPs      []string `json:"novel_ips"`
	RevokedAt     *string  `json:"revoked_at"`
	Derived       []string `json:"derived"`
}

// Credentials calls fn for each inventory credential's summary, in the order of Statuses (misused
// first), each by credential. A non-empty status selects one.
func Credentials(ctx context.Context, db *sql.DB, status string, fn func(*CredentialStatus) error) error {
	q := `SELECT credential, display, owner, secret_refs, status, first_exposure, first_misuse, last_misuse,
		misuse_count, novel_ips, revoked_at, derived FROM credential_summary`
	var args []any
	if status != "" {
		q += " WHERE status = ?"
		args = append(args, status)
	}
	order := " ORDER BY CASE status"
	for i, s := range Statuses {
		order += fmt.Sprintf(" WHEN '%s' THEN %d", s, i)
	}
	q += order + fmt.Sprintf(" ELSE %d END, credential", len(Statuses))
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c CredentialStatus
		var owner, first, fm, lm, rev sql.NullString
		var refs, ips, derived string
		if err := rows.Scan(&c.Credential, &c.Display, &owner, &refs, &c.Status, &first, &fm, &lm, &c.MisuseCount,
			&ips, &rev, &derived); err != nil {
			return err
		}
		c.Owner, c.FirstExposure, c.FirstMisuse, c.LastMisuse, c.RevokedAt = ptr(owner), ptr(first), ptr(fm), ptr(lm), ptr(rev)
		for _, p := range []struct {
			text string
			dst  *[]string
		}{{refs, &c.SecretRefs}, {ips, &c.NovelIPs}, {derived, &c.Derived}} {
			if err := json.Unmarshal([]byte(p.text), p.dst); err != nil {
				return fmt.Errorf("credential %s: %w", c.Credential, err)
			}
			if *p.dst == nil {
				*p.dst = []string{}
			}
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// InventoryRow is an inventory entry as stored (masked).
type InventoryRow struct {
	SecretRef, Credential, Display, Owner, Kind, Scopes, DataCategories, RevokedAt string
	Consumers                                                                      []string
}

// Inventory calls fn for each inventory row in file order.
func Inventory(ctx context.Context, db *sql.DB, fn func(*InventoryRow) error) error {
	rows, err := db.QueryContext(ctx, `SELECT secret_ref, credential, display, coalesce(owner, ''), coalesce(kind, ''),
		coalesce(scopes, ''), coalesce(data_categories, ''), consumers, coalesce(revoked_at, '') FROM inventory ORDER BY row`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r InventoryRow
		var consumers string
		if err := rows.Scan(&r.SecretRef, &r.Credential, &r.Display, &r.Owner, &r.Kind, &r.Scopes, &r.DataCategories,
			&consumers, &r.RevokedAt); err != nil {
			return err
		}
		_ = json.Unmarshal([]byte(consumers), &r.Consumers)
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Coverage is one source's coverage of the window.
type Coverage struct {
	Source string `json:"source"`
	First  string `json:"first"`
	Last   string `json:"last"`
	Events int64  `json:"events"`
	Gaps   []struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"gaps"`
}

// CoverageBySource returns the coverage table.
func CoverageBySource(ctx context.Context, db *sql.DB) ([]Coverage, error) {
	rows, err := db.QueryContext(ctx, "SELECT source, first, last, events, gaps FROM coverage ORDER BY source")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Coverage
	for rows.Next() {
		var c Coverage
		var gaps string
		if err := rows.Scan(&c.Source, &c.First, &c.Last, &c.Events, &gaps); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(gaps), &c.Gaps); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
