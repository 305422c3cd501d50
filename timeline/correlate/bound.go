package correlate

import (
	"context"
	"database/sql"
	"fmt"
)

// Bound says why a credential is in the proven bound (misused, exposed) or only in the upper
// one (possibly-misused, possibly-exposed): the read its status rests on, with its reasons, and
// what ties its novel uses to the intrusion, or that nothing does.
type Bound struct {
	Credential, Status string
	// Why holds one sentence per fact, in the order they decide the status.
	Why []string
}

// CredentialBound explains the status of one inventory credential from the results of the last
// correlation. It returns nil when the credential is not in the summary.
func CredentialBound(ctx context.Context, db *sql.DB, credential string) (*Bound, error) {
	var b *Bound
	if err := Credentials(ctx, db, "", func(s *CredentialStatus) error {
		if s.Credential == credential {
			b = &Bound{Credential: credential, Status: s.Status}
		}
		return nil
	}); err != nil || b == nil {
		return nil, err
	}
	// The reads in the window of its secrets that did not fail: the first proving one, else the
	// first of them, decides its exposure.
	var n, proving int
	var first, firstProving sql.NullString
	err := db.QueryRowContext(ctx, `SELECT count(DISTINCT x.event_id), count(DISTINCT CASE WHEN x.proves THEN x.event_id END),
		(SELECT x2.time || ' ' || x2.secret_ref || ' by ' || coalesce(x2.principal, 'an unknown principal') || coalesce(' from ' || x2.src_ip, '') || ' (' ||
			(SELECT group_concat(value, '; ') FROM json_each(x2.reasons)) || ')'
		   FROM exposures x2 JOIN inventory i2 ON i2.secret_ref = x2.secret_ref
		  WHERE i2.credential = ?1 AND x2.in_window AND x2.outcome <> 'failure' ORDER BY x2.time, x2.event_id LIMIT 1),
		(SELECT x3.time || ' ' || x3.secret_ref || ' by ' || coalesce(x3.principal, 'an unknown principal') || coalesce(' from ' || x3.src_ip, '') || ' (' ||
			(SELECT group_concat(value, '; ') FROM json_each(x3.reasons)) || ')'
		   FROM exposures x3 JOIN inventory i3 ON i3.secret_ref = x3.secret_ref
		  WHERE i3.credential = ?1 AND x3.proves ORDER BY x3.time, x3.event_id LIMIT 1)
		FROM exposures x JOIN inventory i ON i.secret_ref = x.secret_ref
		WHERE i.credential = ?1 AND x.in_window AND x.outcome <> 'failure'`, credential).Scan(&n, &proving, &first, &firstProving)
	if err != nil {
		return nil, err
	}
	switch {
	case firstProving.Valid:
		b.Why = append(b.Why, fmt.Sprintf("proven exposure: %d suspicious read(s) in the window, the first at %s", proving, firstProving.String))
	case first.Valid:
		b.Why = append(b.Why, fmt.Sprintf("possible exposure only: %d read(s) in the window, none suspicious (declared consumers, past readers); the first at %s", n, first.String))
	default:
		b.Why = append(b.Why, "not exposed: no read of its secrets in the window went through")
		return b, nil
	}
	// Its novel uses, grouped by what the rules concluded of them.
	rows, err := db.QueryContext(ctx, `SELECT r.value, count(*), sum(u.outcome <> 'failure'), min(u.time)
		FROM credential_uses u, json_each(u.reasons) r
		WHERE u.credential = ? AND u.novel AND (r.value LIKE 'misuse:%' OR r.value LIKE 'possible misuse:%')
		GROUP BY r.value ORDER BY min(u.time), r.value`, credential)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var reason, since string
		var count, through int
		if err := rows.Scan(&reason, &count, &through, &since); err != nil {
			return nil, err
		}
		b.Why = append(b.Why, fmt.Sprintf("%s: %d novel use(s) from %s, %d went through", reason, count, since, through))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(b.Why) == 1 {
		b.Why = append(b.Why, "no novel use: every use after the exposure came from its owner's addresses and clients")
	}
	switch b.Status {
	case "misused", "exposed":
		b.Why = append(b.Why, "in the proven bound")
	default:
		b.Why = append(b.Why, "in the upper bound only: "+b.Status+" is not proven, and never counts as misuse")
	}
	return b, nil
}
