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

// PivotCondition returns the SQL condition over events for the cross-source timeline around a
// value: for an address (or CIDR prefix), every event from it; for a principal, everything it
// did; for a credential, every event presenting any of its handles or a credential derived from
// it, the reads of the secrets holding it and its revocations; for a secret, its reads and every
// use of the credentials it holds.
func PivotCondition(kind PivotKind, value string) (string, []any, error) {
	switch kind {
	case PivotIP:
		if strings.Contains(value, "/") {
			p, err := netip.ParsePrefix(value)
			if err != nil {
				return "", nil, fmt.Errorf("--ip %q: %w", value, err)
			}
			return "src_ip IS NOT NULL AND cidr_contains(?, src_ip)", []any{p.Masked().String()}, nil
		}
		ip, _ := normalize.SplitAddress(value)
		if ip == "" {
			return "", nil, fmt.Errorf("--ip %q is not an IP address or CIDR prefix", value)
		}
		return "src_ip = ?", []any{ip}, nil
	case PivotPrincipal:
		return "principal = ?", []any{value}, nil
	case PivotCredential:
		if err := normalize.CheckHandle(value); err != nil {
			return "", nil, fmt.Errorf("--credential: %w", err)
		}
		// The credential's inventory identity, if any handle of it was given.
		root := `(SELECT credential FROM inventory_handles WHERE handle = ?1 UNION SELECT ?1)`
		handles := `(SELECT handle FROM inventory_handles WHERE credential IN ` + root + `
			UNION SELECT ?1
			UNION SELECT handle FROM credential_uses WHERE credential IN ` + root + `)`
		return `credential IN ` + handles + `
			OR id IN (SELECT x.event_id FROM exposures x JOIN inventory i ON i.secret_ref = x.secret_ref WHERE i.credential IN ` + root + `)
			OR (category = 'credential_revoke' AND json_extract(attrs, '$.revoked_credential') IN ` + handles + `)`, []any{value}, nil
	case PivotSecret:
		return `secret_ref = ?1
			OR id IN (SELECT event_id FROM exposures WHERE secret_ref = ?1)
			OR id IN (SELECT u.event_id FROM credential_uses u JOIN inventory i ON i.credential = u.credential WHERE i.secret_ref = ?1)`,
			[]any{value}, nil
	}
	return "", nil, fmt.Errorf("unknown pivot %q", kind)
}
