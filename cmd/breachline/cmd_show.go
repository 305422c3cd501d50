package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

var showCommand = &command{
	name:    "show",
	summary: "Print an event and its original record, after re-verifying the evidence file's hash",
	usage:   "[--raw] [--evidence-root DIR] EVENT-ID",
	example: `breachline show --case acme.db 9d1910dafaa249c520aeac79aa33cf5c
breachline show --case acme.db --raw 9d1910dafaa249c520aeac79aa33cf5c > record.json`,
	about: `The evidence file is read again (read-only), its sha256 compared with the one recorded at
ingest, and the record at the event's offset printed; its sha256 must equal the event's
raw_sha256. The record is shown as the case stores text: every credential value replaced by its
handle, odd bytes as \xNN, and on a terminal control characters escaped. --raw writes the exact
bytes instead, credentials included, with a warning on stderr. Relative evidence paths are
resolved from the current directory, or from --evidence-root.

The case's own rows are checked too: the content hash of every row stored from the event's
evidence file is recomputed and compared with the rows_sha256 its ingest recorded in the custody
log, so a row altered in the case file is printed as NOT VERIFIED and show exits 1 (this reads
the case's events once).`,
	new: func() runner { return &showCmd{} },
}

type showCmd struct {
	raw  bool
	root string
}

func (c *showCmd) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&c.raw, "raw", false, "print only the original record's exact bytes (credentials included)")
	fs.StringVar(&c.root, "evidence-root", "", "directory that relative evidence paths are under")
}

func (c *showCmd) check(args []string) error {
	if len(args) != 1 {
		return usagef("name one event id")
	}
	return nil
}

func (c *showCmd) run(ctx context.Context, e *env, args []string) error {
	cs, err := e.openCase(ctx)
	if err != nil {
		return err
	}
	defer cs.Close()
	ev, err := cs.Event(ctx, args[0])
	if err != nil {
		return err
	}
	rec, err := ingest.Original(evidenceFile(c.root, ev.EvidencePath), ev.EvidenceSHA256, ev.Offset, ev.Length)
	if err != nil {
		return err
	}
	if got := sha256Hex(rec); got != ev.RawSHA256 {
		return fmt.Errorf("the bytes at offset %d hash to %s, the event recorded %s", ev.Offset, got, ev.RawSHA256)
	}
	// The row itself is checked too: its evidence file's rows against the content hash the
	// ingest recorded, so a row altered in the case is never printed as verified.
	rows, err := cs.VerifyEvidenceRows(ctx, ev.EvidenceSHA256)
	if err != nil {
		return err
	}
	rowsState := rows.Computed + " (verified: the case holds this file's rows as ingested)"
	var rowsErr error
	if rows.Problem != "" {
		rowsState = "NOT VERIFIED: " + rows.Problem
		rowsErr = fmt.Errorf("the case's rows of %s do not match its custody entry: %s (breachline custody --deep)", ev.EvidencePath, rows.Problem)
	}
	if c.raw {
		if rowsErr != nil {
			return rowsErr
		}
		// Not a note: -q must not hide that the output holds what the case never stores.
		fmt.Fprintf(e.stderr, "warning: --raw prints the record exactly as logged; the output may contain credentials\n")
		_, err := e.stdout.Write(rec)
		return err
	}
	w := e.stdout
	for _, kv := range [][2]string{
		{"id", ev.ID}, {"time", normalize.FormatTime(ev.Time)}, {"time_raw", ev.TimeRaw}, {"tz_basis", ev.TZBasis},
		{"source", ev.Source}, {"parser", ev.Parser}, {"category", string(ev.Category)}, {"action", ev.Action},
		{"outcome", string(ev.Outcome)}, {"principal", ev.Principal}, {"principal_type", ev.PrincipalType},
		{"src_ip", ev.SrcIP}, {"user_agent", ev.UserAgent}, {"credential", ev.Credential}, {"resource", ev.Resource},
		{"resource_type", ev.ResourceType}, {"secret_ref", ev.SecretRef}, {"request_id", ev.RequestID},
		{"evidence", ev.EvidencePath}, {"evidence_sha256", ev.EvidenceSHA256 + " (verified)"},
		{"offset", strconv.FormatInt(ev.Offset, 10)}, {"length", strconv.FormatInt(ev.Length, 10)},
		{"line", lineText(ev.Line)}, {"raw_sha256", ev.RawSHA256 + " (verified)"}, {"attrs", string(ev.AttrsJSON)},
		{"rows_sha256", rowsState},
	} {
		if kv[1] != "" {
			fmt.Fprintf(w, "%-16s %s\n", kv[0]+":", normalize.Printable(kv[1]))
		}
	}
	fmt.Fprintf(w, "\noriginal record (credentials replaced by handles; --raw for the exact bytes):\n")
	text := e.redactedRecord(rec)
	if e.stdoutTTY {
		text = normalize.PrintableText(text)
	}
	if _, err = fmt.Fprintln(w, text); err != nil {
		return err
	}
	return rowsErr
}

func lineText(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
