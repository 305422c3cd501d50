// Package exporttest gives format packages the same test tables: the real column lists of every
// table, filled with values that break careless writers (nulls, formula-like text, control
// characters, non-ASCII, times at the edges of the range, long text).
package exporttest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/breachline/breachline/report/export"
)

// Events returns an events table of n rows. Row i's values are a pure function of i, so a test
// can compare what it reads back with Want(i).
func Events(n int) *export.Table {
	return &export.Table{Name: "events", Columns: export.EventColumns, Rows: func(ctx context.Context, fn func(export.Row) error) error {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(EventRow(i)); err != nil {
				return err
			}
		}
		return nil
	}}
}

var base = time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)

// tricky are text values each writer must carry through unchanged (formats that must neutralise
// formulas document it and tests check the neutralised form).
var tricky = []string{
	"=HYPERLINK(\"http://evil.example/\",\"click\")",
	"+1+1",
	"-2+3",
	"@SUM(A1:A2)",
	"\tTAB first",
	"\rCR first",
	"line one\nline two",
	"quote \" and comma , and semicolon ;",
	"ünïcödé – 日本語 – 🙂",
	"GET /x?q=<script>alert(\"1\")</script> HTTP/1.0",
	"",
}

// EventRow is row i of Events.
func EventRow(i int) export.Row {
	t := base.Add(time.Duration(i) * 1500 * time.Millisecond).Add(time.Duration(i%7) * time.Nanosecond)
	sources := []string{"aws-cloudtrail", "access-log", "vault-audit"}
	cats := []string{"secret_read", "credential_use", "http_request", "auth"}
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var line, index any
	if i%3 != 0 {
		line = int64(i + 1)
	}
	if i%4 == 0 {
		index = int64(i % 10)
	}
	var attrs any
	if i%2 == 0 {
		attrs = fmt.Sprintf(`{"n":%d,"note":%q}`, i, tricky[i%len(tricky)])
	}
	principal := tricky[i%len(tricky)]
	ua := ""
	if i%5 == 0 {
		ua = strings.Repeat("Mozilla/5.0 ", 1+i%40)
	}
	return export.Row{
		fmt.Sprintf("%032x", i),            // id
		t,                                  // time
		str(t.Format(time.RFC3339Nano)),    // time_raw
		"explicit",                         // tz_basis
		sources[i%len(sources)],            // source
		sources[i%len(sources)] + "@1.0.0", // parser
		cats[i%len(cats)],                  // category
		str([]string{"GetSecretValue", "GET", ""}[i%3]), // action
		[]string{"success", "failure", "unknown"}[i%3],  // outcome
		str(principal),                          // principal
		str([]string{"user", "role", ""}[i%3]),  // principal_type
		str(fmt.Sprintf("203.0.113.%d", i%256)), // src_ip
		str(ua),                                 // user_agent
		str([]string{"aws-key-id:AKIAEXAMPLE0001", "", "case-hmac:" + strings.Repeat("ab", 32)}[i%3]), // credential
		str(fmt.Sprintf("/secret/%d", i%17)),             // resource
		str([]string{"secret", ""}[i%2]),                 // resource_type
		str([]string{"aws-sm:prod/db", ""}[i%2]),         // secret_ref
		str([]string{"", fmt.Sprintf("req-%d", i)}[i%2]), // request_id
		strings.Repeat(fmt.Sprintf("%x", i%3), 64),       // evidence_sha256
		fmt.Sprintf("logs/file %d.log", i%3),             // evidence_path
		int64(i) * 200,                                   // offset
		int64(150 + i%50),                                // length
		line,                                             // line
		index,                                            // record_index
		fmt.Sprintf("%064x", i),                          // raw_sha256
		attrs,                                            // attrs
	}
}

// Collect reads a table's rows into memory, copying each.
func Collect(ctx context.Context, t *export.Table) ([]export.Row, error) {
	var out []export.Row
	err := t.Rows(ctx, func(r export.Row) error {
		out = append(out, append(export.Row(nil), r...))
		return nil
	})
	return out, err
}

// Meta is the metadata the tests export with.
func Meta(table string) export.Meta {
	return export.Meta{CaseID: "c0ffee00-0000-4000-8000-000000000000", CaseName: "test case", ToolVersion: "test",
		Table: table, Filter: "--since 2026-03-03T00:00:00Z", AsOf: base.Add(-time.Hour), AsOfSeq: 7,
		AsOfHash: strings.Repeat("9", 64),
		Evidence: []export.Evidence{{Path: "logs/file 0.log", SHA256: strings.Repeat("0", 64), Source: "aws-cloudtrail",
			Records: 10, Events: 9, Rejects: 1, FirstEvent: base, LastEvent: base.Add(time.Hour)}}}
}
