package timeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Each timeline filter that has an index uses it: a change that turns one of them into a scan of
// every event fails here, not on an investigator's hundred-million-event case.
func TestTimelineFiltersUseTheirIndexes(t *testing.T) {
	ctx := context.Background()
	c := newCase(t)
	require.NoError(t, c.EnsureIndexes(ctx))
	for _, tc := range []struct {
		f     Filter
		index string
	}{
		{Filter{Credential: "aws-key-id:AKIAEXAMPLE"}, "events_credential_sid"},
		{Filter{SecretRef: "vault:x"}, "events_secret_ref_sid"},
		{Filter{IP: "203.0.113.7"}, "events_src_ip_sid"},
		{Filter{Principal: "alice"}, "events_principal_sid"},
		{Filter{Since: time.Unix(1, 0), Until: time.Unix(2, 0)}, "events_time_ns"},
		{Filter{IDs: []string{strings.Repeat("ab", 16)}}, "events_eid"},
		{Filter{}, "events_time_ns"},
	} {
		where, args, err := tc.f.where()
		require.NoError(t, err)
		var plan []string
		require.NoError(t, eachRow(ctx, c.db, "EXPLAIN QUERY PLAN "+selectEvent+where+eventOrder, func(s scanner) error {
			var id, parent, notused int
			var detail string
			err := s.Scan(&id, &parent, &notused, &detail)
			plan = append(plan, detail)
			return err
		}, args...))
		require.Contains(t, strings.Join(plan, "\n"), "USING INDEX "+tc.index, "%+v", tc.f)
	}
}
