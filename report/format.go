// Package report renders case data for people and for machines: aligned tables for a terminal,
// JSON lines and CSV for other tools. Every text cell that came from a log is made printable
// first, so a log line can never drive the examiner's terminal.
package report

import "fmt"

// Format is an output form.
type Format string

// The output forms.
const (
	Table Format = "table"
	JSONL Format = "jsonl"
	CSV   Format = "csv"
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case Table, JSONL, CSV:
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown output format %q (known: table, jsonl, csv)", s)
}
