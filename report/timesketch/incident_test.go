package timesketch

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/timeline"
)

// TestIncidentCase exports the bundled sample incident: one line per event, and every event a
// finding cites carries that finding's rule and severity as tags and its id in findings.
func TestIncidentCase(t *testing.T) {
	c := exporttest.IncidentCase(t)
	tables := export.CaseTables(c, timeline.Filter{})
	events, err := tables("events")
	require.NoError(t, err)
	ft, err := tables("findings")
	require.NoError(t, err)
	fs, err := exporttest.Collect(context.Background(), ft)
	require.NoError(t, err)
	require.NotEmpty(t, fs)
	want := map[string]map[string]bool{} // event id -> finding ids
	for _, f := range fs {
		var ids []string
		require.NoError(t, json.Unmarshal([]byte(f[ft.Index("events")].(string)), &ids))
		for _, id := range ids {
			if want[id] == nil {
				want[id] = map[string]bool{}
			}
			want[id][f[0].(string)] = true
		}
	}
	out := write(t, &export.Request{Table: events, Tables: tables, Meta: exporttest.Meta("events")})
	got := map[string]map[string]bool{}
	n := 0
	for _, l := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		n++
		var line struct {
			ID       string   `json:"id"`
			Tag      []string `json:"tag"`
			Findings []string `json:"findings"`
		}
		require.NoError(t, json.Unmarshal(l, &line))
		if len(line.Findings) > 0 {
			got[line.ID] = map[string]bool{}
			for _, f := range line.Findings {
				got[line.ID][f] = true
			}
			require.NotEmpty(t, line.Tag)
		}
	}
	require.Equal(t, want, got)
	all, err := exporttest.Collect(context.Background(), events)
	require.NoError(t, err)
	require.Equal(t, len(all), n)
}
