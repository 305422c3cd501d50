package report

import (
	"bufio"
	"io"
	"strconv"

	"github.com/breachline/breachline/normalize"
)

// EventWriter writes events in one of the formats.
type EventWriter struct {
	format Format
	bw     *bufio.Writer
	table  *TableWriter
	csv    *CSVWriter
	buf    []byte
}

// NewEventWriter starts event output on w.
func NewEventWriter(w io.Writer, f Format) *EventWriter {
	ew := &EventWriter{format: f, bw: bufio.NewWriterSize(w, 64<<10)}
	switch f {
	case Table:
		ew.table = NewTable(ew.bw, "TIME", "SOURCE", "CATEGORY", "ACTION", "OUTCOME", "PRINCIPAL", "SRC_IP", "CREDENTIAL", "RESOURCE/SECRET", "ID")
		ew.table.Width = TerminalWidth(w) // w, not the buffer in front of it
		ew.table.FreeText(3, 5, 8)        // action, principal, resource: the ids, handles and addresses stay whole
	case CSV:
		ew.csv = NewCSV(ew.bw, normalize.Fields...)
	}
	return ew
}

// Write writes one event.
func (w *EventWriter) Write(e *normalize.Event) error {
	switch w.format {
	case Table:
		target := e.SecretRef
		if target == "" {
			target = e.Resource
		}
		w.table.Row(normalize.FormatTime(e.Time)[:23]+"Z", e.Source, string(e.Category), e.Action,
			string(e.Outcome), e.Principal, e.SrcIP, ShortHandle(e.Credential), target, e.ID)
	case CSV:
		w.csv.Row(EventRecord(e)...)
	default:
		w.buf = e.AppendJSON(w.buf[:0])
		w.buf = append(w.buf, '\n')
		_, err := w.bw.Write(w.buf)
		return err
	}
	return nil
}

// Close flushes the output.
func (w *EventWriter) Close() error {
	switch w.format {
	case Table:
		if err := w.table.Flush(); err != nil {
			return err
		}
	case CSV:
		if err := w.csv.Flush(); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}

// EventRecord returns e's fields as text in normalize.Fields order.
func EventRecord(e *normalize.Event) []string {
	line, index := "", ""
	if e.Line > 0 {
		line = strconv.FormatInt(e.Line, 10)
	}
	if e.RecordIndex >= 0 {
		index = strconv.FormatInt(e.RecordIndex, 10)
	}
	attrs := string(e.AttrsJSON)
	if attrs == "" && len(e.Attrs) > 0 {
		b, _ := normalize.MarshalAttrs(e.Attrs)
		attrs = string(b)
	}
	return []string{
		e.ID, normalize.FormatTime(e.Time), e.TimeRaw, e.TZBasis, e.Source, e.Parser, string(e.Category),
		e.Action, string(e.Outcome), e.Principal, e.PrincipalType, e.SrcIP, e.UserAgent, e.Credential,
		e.Resource, e.ResourceType, e.SecretRef, e.RequestID, e.EvidenceSHA256, e.EvidencePath,
		strconv.FormatInt(e.Offset, 10), strconv.FormatInt(e.Length, 10), line, index, e.RawSHA256, attrs,
	}
}

// ShortHandle abbreviates a hash handle for tables (sha256:ffbec83e6b53…); other handles are
// identifiers people recognise and stay whole. Machine formats always carry the full handle. A
// hash is told by its scheme or, for schemes added later (keyed hashes), by a value of 32 or more
// hex digits.
func ShortHandle(h string) string {
	scheme, value, ok := normalize.SplitHandle(h)
	if ok && len(value) > 16 && (scheme == normalize.SchemeSHA256 || scheme == normalize.SchemeVaultHMAC ||
		scheme == normalize.SchemeGitHubHashedToken || (len(value) >= 32 && isHex(value))) {
		return scheme + ":" + value[:12] + "…"
	}
	return h
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
