package correlate

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// PivotKind is what a pivot starts from.
type PivotKind string

// The pivots.
const (
	PivotIP         PivotKind = "ip"
	PivotCredential PivotKind = "credential"
	PivotPrincipal  PivotKind = "principal"
	PivotSecret     PivotKind = "secret"
)

// PivotCondition returns the SQL condition over the events table aliased e (timeline's
// EventsWhere) for the cross-source timeline around a value: for an address (or CIDR prefix),
// every event from it; for a principal, everything it did; for a credential, every event
// presenting any of its handles or a credential derived from it, the reads of the secrets holding
// it and its revocations; for a secret, its reads and every use of the credentials it holds.
//
// The values are looked up in strings first, and the events found by their ids through the
// indexes on src_ip_sid, principal_sid, credential_sid, secret_ref_sid and eid; the results
// tables cite events by id as hex text.
func PivotCondition(kind PivotKind, value string) (string, []any, error) {
	switch kind {
	case PivotIP:
		if strings.Contains(value, "/") {
			p, err := netip.ParsePrefix(value)
			if err != nil {
				return "", nil, fmt.Errorf("--ip %q: %w", value, err)
			}
			// Each distinct value is tested once, not each event: the addresses in the prefix
			// are then found by index. A string that is not an address never matches.
			return "e.src_ip_sid IN (SELECT id FROM strings WHERE cidr_contains(?, value))", []any{p.Masked().String()}, nil
		}
		ip, _ := normalize.SplitAddress(value)
		if ip == "" {
			return "", nil, fmt.Errorf("--ip %q is not an IP address or CIDR prefix", value)
		}
		return "e.src_ip_sid = (SELECT id FROM strings WHERE value = ?)", []any{ip}, nil
	case PivotPrincipal:
		return "e.principal_sid = (SELECT id FROM strings WHERE value = ?)", []any{value}, nil
	case PivotCredential:
		if err := normalize.CheckHandle(value); err != nil {
			return "", nil, fmt.Errorf("--credential: %w", err)
		}
		// The credential's inventory identity, if any handle of it was given.
		root := `(SELECT credential FROM inventory_handles WHERE handle = ?1 UNION SELECT ?1)`
		handles := `(SELECT handle FROM inventory_handles WHERE credential IN ` + root + `
			UNION SELECT ?1
			UNION SELECT handle FROM credential_uses WHERE credential IN ` + root + `)`
		// A revocation is one of the key categories (credential_revoke is seeded id 4), which the
		// partial index events_key_category serves when the condition repeats its own.
		return `e.credential_sid IN (SELECT id FROM strings WHERE value IN ` + handles + `)
			OR e.eid IN (SELECT unhex(x.event_id) FROM exposures x JOIN inventory i ON i.secret_ref = x.secret_ref WHERE i.credential IN ` + root + `)
			OR (e.category_sid <= 4 AND e.category_sid = 4 AND ` + attrSQL("e", "revoked_credential") + ` IN ` + handles + `)`, []any{value}, nil
	case PivotSecret:
		return `e.secret_ref_sid = (SELECT id FROM strings WHERE value = ?1)
			OR e.eid IN (SELECT unhex(event_id) FROM exposures WHERE secret_ref = ?1)
			OR e.eid IN (SELECT unhex(u.event_id) FROM credential_uses u JOIN inventory i ON i.credential = u.credential WHERE i.secret_ref = ?1)`,
			[]any{value}, nil
	}
	return "", nil, fmt.Errorf("unknown pivot %q", kind)
}

// attrSQL is the SQL of attribute key of the events table aliased e: attrs is the JSON object,
// or, with a shape, the array of its values in the order of the shape's keys
// (timeline/attrscodec.go). It serves the few events a condition has already narrowed down.
func attrSQL(e, key string) string {
	return `CASE WHEN ` + e + `.attrs_shape_sid IS NULL THEN json_extract(` + e + `.attrs, '$.` + key + `')
		ELSE json_extract(` + e + `.attrs, (SELECT '$[' || k.key || ']' FROM strings s, json_each(s.value) k
			WHERE s.id = ` + e + `.attrs_shape_sid AND k.value = '` + key + `')) END`
}
