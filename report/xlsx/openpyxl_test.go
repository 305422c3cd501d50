package xlsx

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// systemPython is Debian's python3, where python3-openpyxl installs; not whatever python3 is
// first on PATH.
const systemPython = "/usr/bin/python3"

// needOpenpyxl skips the test when the system python lacks openpyxl, but fails it under CI,
// where .ci/run installs python3-openpyxl.
func needOpenpyxl(t *testing.T) {
	t.Helper()
	if err := exec.Command(systemPython, "-c", "import openpyxl").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import openpyxl (apt-get install -y python3-openpyxl): %v", systemPython, err)
		}
		t.Skipf("%s cannot import openpyxl (apt-get install -y python3-openpyxl); skipping the independent reader", systemPython)
	}
}

type openpyxlCell struct {
	V any    `json:"v"`
	T string `json:"t"`
	F string `json:"f"`
}

type openpyxlOut struct {
	Sheets     []string           `json:"sheets"`
	Rows       map[string]int     `json:"rows"`
	Timeline   [][]openpyxlCell   `json:"timeline"`
	Freeze     map[string]*string `json:"freeze"`
	Autofilter map[string]*string `json:"autofilter"`
	Links      map[string]string  `json:"links"`
	Fills      []string           `json:"fills"`
}

// TestOpenpyxl reads the workbook with openpyxl and compares sheets, row counts, the Timeline's
// values and types, links, fills, frozen panes and autofilters with what was exported.
func TestOpenpyxl(t *testing.T) {
	needOpenpyxl(t)
	const n, shown = 25, 12
	path := export1(t, Format{RowLimit: 20}, testRequest(n))
	out, err := exec.Command(systemPython, "testdata/read_workbook.py", path, "12").Output()
	require.NoError(t, err, "%s", out)
	var got openpyxlOut
	require.NoError(t, json.Unmarshal(out, &got))

	require.Equal(t, []string{"Summary", "Timeline", "Timeline (2)", "Findings", "Credentials", "Exposures", "Rejects"}, got.Sheets)
	require.Equal(t, 21, got.Rows["Timeline"])
	require.Equal(t, 6, got.Rows["Timeline (2)"])
	require.Equal(t, 5, got.Rows["Findings"])
	require.Equal(t, 2, got.Rows["Rejects"])
	for _, s := range got.Sheets[1:] {
		require.Equal(t, "A2", *got.Freeze[s], s)
		require.NotNil(t, got.Autofilter[s], s)
	}
	require.Equal(t, "$A$1:$AA$21", *got.Autofilter["Timeline"])
	require.Equal(t, map[string]string{"L2": "Timeline!A5", "L3": "Timeline!A12", "L4": "Timeline!A4"}, got.Links)
	require.Equal(t, []string{"FF" + severityFill["critical"], "FF" + severityFill["high"], "FF" + severityFill["medium"], "FF" + severityFill["info"]}, got.Fills)

	header := got.Timeline[0]
	require.Equal(t, "time (UTC)", header[1].V)
	require.Len(t, got.Timeline, shown+1)
	for i := range shown {
		want := exporttest.EventRow(i)
		cells := got.Timeline[i+1]
		col := 0
		for k, c := range export.EventColumns {
			// A read-only row ends at its last non-empty cell.
			for len(cells) < col+2 {
				cells = append(cells, openpyxlCell{})
			}
			cell, v := cells[col], want[k]
			switch c.Kind {
			case export.Time:
				tm := v.(time.Time)
				require.Equal(t, "d", cell.T, "row %d %s", i, c.Name)
				require.Equal(t, DateFormat, cell.F)
				// openpyxl rounds to the microsecond; the date cell holds about 9 µs.
				read, err := time.Parse("2006-01-02T15:04:05.999999", cell.V.(string))
				require.NoError(t, err)
				require.InDelta(t, 0, read.Sub(tm).Seconds(), 5e-6, "row %d: %s read as %s", i, tm, read)
				col++
				require.Equal(t, openpyxlCell{V: exactTime(tm), T: "s", F: "General"}, cells[col])
			case export.Int64:
				if v == nil {
					require.Nil(t, cell.V)
				} else {
					require.Equal(t, "n", cell.T)
					require.Equal(t, float64(v.(int64)), cell.V)
				}
			default:
				if s, _ := v.(string); s == "" {
					require.Nil(t, cell.V, "row %d %s", i, c.Name)
				} else {
					require.Equal(t, "s", cell.T, "row %d %s: %q is text", i, c.Name, s)
					// openpyxl gives \r\n as \n, as XML parsers must.
					require.Equal(t, strings.ReplaceAll(cellText(s), "\r", "\n"), strings.ReplaceAll(cell.V.(string), "\r", "\n"), "row %d %s", i, c.Name)
				}
			}
			col++
		}
	}
}
