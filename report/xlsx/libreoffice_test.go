package xlsx

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// TestLibreOffice converts the Timeline sheet to CSV with LibreOffice, the values as a
// spreadsheet shows them, and compares them with the events: dates in DateFormat, formula-like
// text shown as text (an evaluated =HYPERLINK would show "click"). It needs soffice, which CI
// does not install, so it is skipped without it.
func TestLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed (apt-get install libreoffice-calc-nogui); skipping the LibreOffice check")
	}
	const n = 15
	path := export1(t, Format{}, testRequest(n))
	out, profile := t.TempDir(), t.TempDir()
	// Filter options: comma, double quote, UTF-8, from row 1, default column types, default
	// language, not all quoted, detect numbers, save as shown, no formulas, keep spaces, sheet 2.
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+profile, "--headless", "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,2", "--outdir", out, path)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	f, err := os.Open(filepath.Join(out, "case-Timeline.csv"))
	require.NoError(t, err, "%s", msg)
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, n+1)
	require.Equal(t, "time (UTC)", rows[0][1])
	for i := range n {
		want, got := exporttest.EventRow(i), rows[i+1]
		col := 0
		for k, c := range export.EventColumns {
			cell := ""
			if col < len(got) {
				cell = got[col]
			}
			switch v := want[k].(type) {
			case nil:
				require.Equal(t, "", cell, "row %d %s", i, c.Name)
			case time.Time:
				require.Equal(t, v.Round(time.Millisecond).Format("2006-01-02 15:04:05.000"), cell, "row %d %s", i, c.Name)
				col++
				require.Equal(t, exactTime(v), got[col])
			case int64:
				require.Equal(t, strconv.FormatInt(v, 10), cell, "row %d %s", i, c.Name)
			case string:
				norm := func(s string) string { return strings.ReplaceAll(s, "\r", "\n") }
				require.Equal(t, norm(cellText(v)), norm(cell), "row %d %s", i, c.Name)
			}
			col++
		}
	}
}
