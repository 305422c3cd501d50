package xlsx

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/timeline"
)

// TestIncidentCase exports the bundled sample incident, a real case with every table filled,
// and follows each Findings link: the Timeline cell it points at holds the linked event's id,
// and that id is the first event the finding cites.
func TestIncidentCase(t *testing.T) {
	c := exporttest.IncidentCase(t)
	tables := export.CaseTables(c, timeline.Filter{})
	events, err := tables("events")
	require.NoError(t, err)
	path := export1(t, Format{}, &export.Request{Table: events, Tables: tables, Meta: exporttest.Meta("events")})
	wb, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer wb.Close()

	rows, err := wb.GetRows("Findings")
	require.NoError(t, err)
	require.Greater(t, len(rows), 1, "the incident has findings")
	header := rows[0]
	linkCol, eventsCol := -1, -1
	for i, h := range header {
		switch h {
		case LinkColumn:
			linkCol = i
		case "events":
			eventsCol = i
		}
	}
	require.Equal(t, eventsCol+1, linkCol)
	linked := 0
	for r := 2; r <= len(rows); r++ {
		ref, _ := excelize.CoordinatesToCellName(linkCol+1, r)
		ok, target, err := wb.GetCellHyperLink("Findings", ref)
		require.NoError(t, err)
		if !ok {
			continue
		}
		linked++
		id, _ := wb.GetCellValue("Findings", ref)
		sheet, cell, found := strings.Cut(target, "!")
		require.True(t, found, target)
		got, err := wb.GetCellValue(strings.Trim(sheet, "'"), cell)
		require.NoError(t, err)
		require.Equal(t, id, got, "%s points at its event", target)
		var cited []string
		raw, _ := wb.GetCellValue("Findings", mustCell(eventsCol+1, r))
		require.NoError(t, json.Unmarshal([]byte(raw), &cited))
		require.Equal(t, cited[0], id, "the whole timeline is exported, so the first cited event is linked")
	}
	require.Greater(t, linked, 0)
	summary, _ := wb.GetRows("Summary")
	for _, r := range summary {
		if len(r) > 1 && r[0] == "findings" {
			require.Equal(t, strconv.Itoa(len(rows)-1), r[1])
		}
	}
}

func mustCell(col, row int) string {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(err)
	}
	return ref
}
