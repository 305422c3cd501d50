package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
)

// cellOf is what a test reads from one cell: its type as excelize reports it and its raw text.
type cellOf struct {
	Type excelize.CellType
	Raw  string
}

func readCell(t *testing.T, wb *excelize.File, sheet string, col, row int) cellOf {
	t.Helper()
	ref, err := excelize.CoordinatesToCellName(col, row)
	require.NoError(t, err)
	typ, err := wb.GetCellType(sheet, ref)
	require.NoError(t, err)
	raw, err := wb.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	return cellOf{typ, raw}
}

func styleOf(t *testing.T, wb *excelize.File, sheet string, col, row int) *excelize.Style {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(col, row)
	id, err := wb.GetCellStyle(sheet, ref)
	require.NoError(t, err)
	st, err := wb.GetStyle(id)
	require.NoError(t, err)
	return st
}

// checkRow compares a sheet row with the table row it came from, column by column as the
// layout promises: text as inline strings, whole numbers as numbers, times as a date-styled
// number followed by the exact text.
func checkRow(t *testing.T, wb *excelize.File, sheet string, row int, cols []export.Column, want export.Row, skip int) {
	t.Helper()
	col := 1
	for i, c := range cols {
		got := readCell(t, wb, sheet, col, row)
		v := want[i]
		switch c.Kind {
		case export.Time:
			next := readCell(t, wb, sheet, col+1, row)
			col++
			if v == nil {
				require.Equal(t, cellOf{}, got, "%s %s", sheet, c.Name)
				require.Equal(t, cellOf{}, next)
				break
			}
			tm := v.(time.Time)
			require.Equal(t, excelize.CellTypeUnset, got.Type, "%s!%d %s is a number", sheet, row, c.Name)
			serial, err := strconv.ParseFloat(got.Raw, 64)
			require.NoError(t, err)
			back := fromSerial(serial)
			require.InDelta(t, 0, back.Sub(tm).Seconds(), 5e-6, "%s %s: %s read back as %s", sheet, c.Name, tm, back)
			require.Equal(t, DateFormat, *styleOf(t, wb, sheet, col-1, row).CustomNumFmt)
			require.Equal(t, cellOf{excelize.CellTypeInlineString, tm.Format("2006-01-02T15:04:05.000000000Z")}, next)
		case export.Int64:
			if v == nil {
				require.Equal(t, cellOf{}, got)
			} else {
				require.Equal(t, cellOf{excelize.CellTypeUnset, strconv.FormatInt(v.(int64), 10)}, got, "%s %s", sheet, c.Name)
			}
		case export.Bool:
			require.Equal(t, cellOf{excelize.CellTypeBool, map[bool]string{true: "1", false: "0"}[v.(bool)]}, got)
		default:
			if s, _ := v.(string); s == "" {
				require.Equal(t, cellOf{}, got, "%s!%d %s", sheet, row, c.Name)
			} else {
				require.Equal(t, cellOf{excelize.CellTypeInlineString, cellText(s)}, got, "%s!%d %s", sheet, row, c.Name)
			}
		}
		col++
		if col == skip {
			col++
		}
	}
}

// fromSerial reads an Excel serial back as a time, to the microsecond or so a float64 holds
// (excelize's ExcelDateToTime rounds to the second).
func fromSerial(serial float64) time.Time {
	days := math.Floor(serial)
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days)).
		Add(time.Duration(math.Round((serial - days) * 86400e9)))
}

func TestWorkbook(t *testing.T) {
	const n = 40
	path := export1(t, Format{}, testRequest(n))
	wb, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer wb.Close()

	require.Equal(t, []string{"Summary", "Timeline", "Findings", "Credentials", "Exposures", "Rejects"}, wb.GetSheetList())
	require.Equal(t, 0, wb.GetActiveSheetIndex(), "the workbook opens on its Summary")

	header, err := wb.GetRows("Timeline")
	require.NoError(t, err)
	require.Len(t, header, n+1)
	require.Equal(t, []string{"id", "time (UTC)", "time_utc", "time_raw"}, header[0][:4])
	for i := range n {
		checkRow(t, wb, "Timeline", i+2, export.EventColumns, exporttest.EventRow(i), 0)
	}

	panes, err := wb.GetPanes("Timeline")
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	require.Equal(t, 1, panes.YSplit)
	require.Equal(t, "A2", panes.TopLeftCell)
	width, err := wb.GetColWidth("Timeline", "A")
	require.NoError(t, err)
	require.Equal(t, 34.0, width)

	filters := map[string]string{}
	for _, d := range wb.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filters[d.Scope] = d.RefersTo
		}
	}
	require.Equal(t, map[string]string{
		"Timeline": "'Timeline'!$A$1:$AA$41", "Findings": "'Findings'!$A$1:$L$5",
		"Credentials": "'Credentials'!$A$1:$P$3", "Exposures": "'Exposures'!$A$1:$L$2", "Rejects": "'Rejects'!$A$1:$G$2",
	}, filters)

	// Findings: rows in their order, filled by severity; timeline_event (column L) links the
	// first cited event the Timeline holds.
	frows := findingRows()
	linkCol := 12
	for i, r := range frows {
		checkRow(t, wb, "Findings", i+2, export.FindingColumns, r, linkCol)
	}
	links := map[string]string{}
	for row := 2; row <= len(frows)+1; row++ {
		ref, _ := excelize.CoordinatesToCellName(linkCol, row)
		ok, target, err := wb.GetCellHyperLink("Findings", ref)
		require.NoError(t, err)
		v, _ := wb.GetCellValue("Findings", ref)
		if ok {
			links[v] = target
		} else {
			links[v] = ""
		}
	}
	require.Equal(t, map[string]string{eventID(3): "Timeline!A5", eventID(10): "Timeline!A12", eventID(2): "Timeline!A4", "": ""}, links)
	for i, sev := range []string{"critical", "high", "medium", "info"} {
		require.Equal(t, []string{severityFill[sev]}, styleOf(t, wb, "Findings", 1, i+2).Fill.Color, sev)
	}
	require.Equal(t, "0563C1", styleOf(t, wb, "Findings", linkCol, 2).Font.Color)

	cr, _ := testTables(0)("credentials")
	crows, _ := exporttest.Collect(t.Context(), cr)
	for i, r := range crows {
		checkRow(t, wb, "Credentials", i+2, export.CredentialColumns, r, 0)
	}
	ex, _ := testTables(0)("exposures")
	exrows, _ := exporttest.Collect(t.Context(), ex)
	checkRow(t, wb, "Exposures", 2, export.ExposureColumns, exrows[0], 0)
	require.Equal(t, cellOf{excelize.CellTypeInlineString, `@bad line\x01`}, readCell(t, wb, "Rejects", 7, 2))

	summary, err := wb.GetRows("Summary")
	require.NoError(t, err)
	kv := map[string][]string{}
	for _, r := range summary {
		if len(r) > 1 {
			kv[r[0]] = r[1:]
		}
	}
	meta := exporttest.Meta("events")
	require.Equal(t, meta.CaseID, kv["Case ID"][0])
	require.Equal(t, "test case", kv["Case name"][0])
	require.Equal(t, "breachline test", kv["Tool version"][0])
	require.Equal(t, "--since 2026-03-03T00:00:00Z", kv["Filter"][0])
	require.Equal(t, []string{"2026-03-03 09:00:00.000", "2026-03-03T09:00:00.000000000Z"}, kv["As of (UTC)"])
	require.Equal(t, "7", kv["As-of custody entry"][0])
	require.Equal(t, strings.Repeat("9", 64), kv["As-of custody hash"][0])
	require.Equal(t, "40", kv["Events"][0])
	require.Equal(t, "2026-03-03T10:00:00.000000000Z", kv["First event (UTC)"][1])
	require.Equal(t, "2026-03-03T10:00:58.500000004Z", kv["Last event (UTC)"][1])
	require.Equal(t, []string{"40", "Timeline"}, kv["events"])
	require.Equal(t, []string{"4", "Findings"}, kv["findings"])
	require.Equal(t, []string{"1", "Rejects"}, kv["rejects"])
	require.Equal(t, []string{strings.Repeat("0", 64), "aws-cloudtrail", "10", "9", "1", "2026-03-03 10:00:00.000", "2026-03-03 11:00:00.000"},
		kv["logs/file 0.log"])

	props, err := wb.GetDocProps()
	require.NoError(t, err)
	require.Equal(t, "2026-03-03T09:00:00Z", props.Created)
	require.Equal(t, "2026-03-03T09:00:00Z", props.Modified)
	require.Equal(t, "breachline test", props.Creator)
}

// TestNoFormulas reads the sheets' XML: no cell has a formula, and every text cell, including
// each formula-like value from the logs, is an inline string.
func TestNoFormulas(t *testing.T) {
	path := export1(t, Format{}, testRequest(30))
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	seen := map[string]bool{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, err := f.Open()
		require.NoError(t, err)
		cells := sheetCells(t, rc)
		rc.Close()
		for _, c := range cells {
			require.False(t, c.formula, "%s %s has a formula", f.Name, c.ref)
			require.Contains(t, []string{"", "inlineStr", "b"}, c.typ, "%s %s", f.Name, c.ref)
			if c.text != "" {
				require.Equal(t, "inlineStr", c.typ, "%s %s %q", f.Name, c.ref, c.text)
				if strings.ContainsAny(c.text[:1], "=+-@\t\r") {
					seen[c.text[:1]] = true
				}
			}
		}
	}
	for _, lead := range []string{"=", "+", "-", "@", "\t", "\r"} {
		require.True(t, seen[lead], "a text cell starting with %q was checked", lead)
	}
}

type xmlCell struct {
	ref, typ, text string
	formula        bool
}

func sheetCells(t *testing.T, r io.Reader) []xmlCell {
	dec := xml.NewDecoder(r)
	var cells []xmlCell
	var cur *xmlCell
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return cells
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "c":
				cells = append(cells, xmlCell{})
				cur = &cells[len(cells)-1]
				for _, a := range tok.Attr {
					switch a.Name.Local {
					case "r":
						cur.ref = a.Value
					case "t":
						cur.typ = a.Value
					}
				}
			case "f":
				cur.formula = true
			case "t":
				inText = true
			}
		case xml.EndElement:
			if tok.Name.Local == "t" {
				inText = false
			}
		case xml.CharData:
			if inText && cur != nil {
				cur.text += string(tok)
			}
		}
	}
}

func TestSplit(t *testing.T) {
	path := export1(t, Format{RowLimit: 4}, testRequest(10))
	wb, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer wb.Close()
	require.Equal(t, []string{"Summary", "Timeline", "Timeline (2)", "Timeline (3)", "Findings", "Credentials", "Exposures", "Rejects"},
		wb.GetSheetList())
	i := 0
	for _, sheet := range []string{"Timeline", "Timeline (2)", "Timeline (3)"} {
		rows, err := wb.GetRows(sheet)
		require.NoError(t, err)
		require.Equal(t, "time (UTC)", rows[0][1], "%s has the header", sheet)
		for row := 2; row <= len(rows); row++ {
			checkRow(t, wb, sheet, row, export.EventColumns, exporttest.EventRow(i), 0)
			i++
		}
		panes, _ := wb.GetPanes(sheet)
		require.True(t, panes.Freeze)
	}
	require.Equal(t, 10, i)
	// Event 5 is the second row of Timeline (2), event 2 the fourth of Timeline.
	ok, target, err := wb.GetCellHyperLink("Findings", "L2")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "Timeline!A5", target)
	ok, target, _ = wb.GetCellHyperLink("Findings", "L4")
	require.True(t, ok)
	require.Equal(t, "Timeline!A4", target)
	_, target, _ = wb.GetCellHyperLink("Findings", "L3") // event 10 is not in a 10-event timeline
	require.Equal(t, "", target)

	path = export1(t, Format{RowLimit: 2}, testRequest(10))
	wb2, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer wb2.Close()
	_, target, _ = wb2.GetCellHyperLink("Findings", "L2") // event 3: second row of Timeline (2)
	require.Equal(t, "'Timeline (2)'!A3", target)
	summary, _ := wb2.GetRows("Summary")
	var note string
	for _, r := range summary {
		if len(r) > 2 && r[0] == "events" {
			note = r[2]
		}
	}
	require.Equal(t, "Timeline, Timeline (2), Timeline (3), Timeline (4), Timeline (5) (more rows than one sheet holds: 2 per sheet)", note)
}

// TestDeterministic exports the same case twice, more than a second apart, and compares the
// bytes; the zip entries carry the as-of time.
func TestDeterministic(t *testing.T) {
	a, err := os.ReadFile(export1(t, Format{RowLimit: 7}, testRequest(30)))
	require.NoError(t, err)
	time.Sleep(1100 * time.Millisecond)
	b, err := os.ReadFile(export1(t, Format{RowLimit: 7}, testRequest(30)))
	require.NoError(t, err)
	require.True(t, bytes.Equal(a, b), "two exports of the same case differ")
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	require.NoError(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		require.True(t, f.Modified.Equal(exporttest.Meta("").AsOf), "%s: %s", f.Name, f.Modified)
	}
	require.Equal(t, "[Content_Types].xml", names[0])
	require.IsNonDecreasing(t, names)
}

func TestCellText(t *testing.T) {
	require.Equal(t, "=1+1", cellText("=1+1"))
	require.Equal(t, "tab\tlf\ncr\r", cellText("tab\tlf\ncr\r"))
	require.Equal(t, `esc\x1b[31m nul\x00 \uFFFE`, cellText("esc\x1b[31m nul\x00 \uFFFE"))

	long := strings.Repeat("ab", 20000) // 40,000 bytes
	got := cellText(long)
	require.Len(t, []rune(got), MaxCellChars-1) // the marker is one digit shorter than reserved
	require.True(t, strings.HasPrefix(long, strings.TrimSuffix(got, got[strings.Index(got, "…"):])))
	kept := strings.Index(got, "…")
	require.Equal(t, "…[cut "+strconv.Itoa(len(long)-kept)+" bytes]", got[kept:])

	// Astral characters are two UTF-16 units: the cut counts units and keeps whole characters.
	emoji := strings.Repeat("🙂", 20000)
	got = cellText(emoji)
	kept = strings.Index(got, "…")
	require.Zero(t, kept%4)
	require.LessOrEqual(t, kept/4*2+len([]rune(got[kept:])), MaxCellChars)
	require.Equal(t, "…[cut "+strconv.Itoa(len(emoji)-kept)+" bytes]", got[kept:])
}

func TestExcelSerial(t *testing.T) {
	s, ok := excelSerial(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC))
	require.True(t, ok)
	require.Equal(t, 61.0, s)
	s, ok = excelSerial(time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC))
	require.True(t, ok)
	require.Equal(t, 46084.5, s)
	s, _ = excelSerial(time.Date(2026, 3, 3, 0, 0, 0, 1_000_000, time.UTC)) // one millisecond
	require.InDelta(t, 46084+1.0/86400000, s, 1e-10)
	require.Equal(t, "46084.4166666667", strconv.FormatFloat(must(excelSerial(t0)), 'f', -1, 64))
	_, ok = excelSerial(time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC))
	require.False(t, ok)
	_, ok = excelSerial(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	require.False(t, ok)
	require.False(t, math.IsNaN(s))
}

// TestOutOfRangeAndLong: a time Excel cannot show is written as text in the date column, and a
// long value is cut with the marker.
func TestOutOfRangeAndLong(t *testing.T) {
	old := time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)
	long := strings.Repeat("x", 40000)
	rows := []export.Row{{"e1", "r", "low", old, long, nil, nil, nil, nil, `[]`}}
	req := &export.Request{Table: rowsTable("findings", export.FindingColumns, rows), Meta: exporttest.Meta("findings")}
	path := export1(t, Format{}, req)
	wb, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer wb.Close()
	require.Equal(t, []string{"Summary", "Findings"}, wb.GetSheetList()[:2])
	require.Equal(t, cellOf{excelize.CellTypeInlineString, "1601-01-01T00:00:00.000000000Z"}, readCell(t, wb, "Findings", 4, 2))
	got := readCell(t, wb, "Findings", 6, 2)
	require.True(t, strings.HasSuffix(got.Raw, "…[cut 7251 bytes]"), got.Raw[len(got.Raw)-30:])
	require.Len(t, []rune(got.Raw), MaxCellChars-1)
}

func must(v float64, ok bool) float64 {
	if !ok {
		panic("not a date")
	}
	return v
}
