"""Reads a breachline workbook with openpyxl, a reader independent of excelize, and prints
what the Go test compares as JSON: sheet names, row counts, the Timeline's first rows with
each cell's value, data type and number format, and the Findings' links, fills, frozen panes
and autofilters. Usage: read_workbook.py WORKBOOK [TIMELINE_ROWS]"""
import datetime
import json
import sys

import openpyxl


def value(v):
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    return v


def main():
    path = sys.argv[1]
    nrows = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    out = {"sheets": [], "rows": {}, "timeline": [], "freeze": {}, "autofilter": {}, "links": {}, "fills": []}

    # Streamed sheets declare a one-cell dimension: reset it, or read-only mode sees one cell.
    wb = openpyxl.load_workbook(path, read_only=True)
    out["sheets"] = wb.sheetnames
    for ws in wb.worksheets:
        ws.reset_dimensions()
        out["rows"][ws.title] = sum(1 for _ in ws.iter_rows(values_only=True))
    ws = wb["Timeline"]
    ws.reset_dimensions()
    for row in ws.iter_rows(min_row=1, max_row=nrows + 1):
        out["timeline"].append([{"v": value(c.value), "t": c.data_type, "f": c.number_format} for c in row])
    wb.close()

    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        out["freeze"][ws.title] = ws.freeze_panes
        out["autofilter"][ws.title] = ws.auto_filter.ref
    ws = wb["Findings"]
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if c.hyperlink is not None:
                out["links"][c.coordinate] = c.hyperlink.location
        out["fills"].append(row[0].fill.fgColor.rgb)
    print(json.dumps(out, sort_keys=True))


main()
