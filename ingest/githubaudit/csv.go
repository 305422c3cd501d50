package githubaudit

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

// csvSlack is how far past --max-record the tap lets encoding/csv read before it stops it: room
// for the reader's read-ahead, so that whether a row fits does not depend on buffering. Rows are
// then held to the exact limit.
const csvSlack = 64 << 10

// csvFile reads the CSV export: a header row naming the fields, then one event per row. Rows
// are parsed by encoding/csv (quoted fields may span lines); each row's offset is the reader's
// InputOffset after the previous row, past the blank lines csv.Reader skips, and its bytes come
// from the tap.
type csvFile struct {
	src  *ingest.Source
	emit ingest.Emitter
	tap  *tap
	cr   *csv.Reader
	base int64 // stream offset at which cr started reading
	prev int64 // stream offset where the previous row ended (after its newline)
	line int64 // line number at prev

	cols      []int  // field id of each header column (-1: not read)
	headerBad string // why the header cannot be used, once it was read
	haveHead  bool
}

// ingestCSV reads the CSV export from r (src's stream, possibly behind a peeking buffer).
func ingestCSV(ctx context.Context, r io.Reader, src *ingest.Source, emit ingest.Emitter) error {
	if src.MaxRecord <= 0 {
		opts := *src
		opts.MaxRecord = ingest.DefaultMaxRecord
		src = &opts
	}
	f := &csvFile{src: src, emit: emit, tap: newTap(r, src.MaxRecord+csvSlack), line: 1}
	f.restart(0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		fields, err := f.cr.Read()
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, errRowTooLong):
			if err := f.skipLongRow(); err != nil {
				return err
			}
			continue
		case errors.As(err, &pe):
			// A malformed row; csv.Reader resumes after the lines it consumed.
		case err != nil:
			return err // the stream broke: the core reports the break
		}
		rec := f.row()
		why := ""
		switch {
		case rec.Length > int64(src.MaxRecord):
			rec.Raw = rec.Raw[:min(len(rec.Raw), normalize.SnippetLen)]
			why = fmt.Sprintf("CSV row of %d bytes exceeds the %d-byte limit (--max-record)", rec.Length, src.MaxRecord)
		case pe != nil:
			why = "malformed CSV row: " + pe.Err.Error()
		}
		switch {
		case !f.haveHead && why != "":
			f.badHeader(rec, why)
		case why != "":
			emit.Reject(rec, why)
		case !f.haveHead:
			f.header(fields, rec)
		case f.headerBad != "":
			emit.Reject(rec, f.headerBad)
		case len(fields) != len(f.cols):
			emit.Reject(rec, fmt.Sprintf("CSV row has %d fields; the header names %d", len(fields), len(f.cols)))
		default:
			f.event(fields, rec)
		}
	}
}

// restart begins a new csv.Reader at stream offset off.
func (f *csvFile) restart(off int64) {
	f.tap.rewind(off)
	f.tap.release(off)
	f.base, f.prev = off, off
	f.cr = csv.NewReader(f.tap)
	f.cr.FieldsPerRecord = -1 // a short or long row is a reject with a reason, not a stop
	f.cr.ReuseRecord = true
}

// row locates the row just read: from the end of the previous row, past blank lines, to the
// reader's offset, without the line terminator.
func (f *csvFile) row() ingest.Record {
	end := f.base + f.cr.InputOffset()
	span := f.tap.bytes(f.prev, end)
	skip := 0
	for skip < len(span) && (span[skip] == '\n' || span[skip] == '\r') {
		skip++
	}
	raw := span[skip:]
	lead := int64(bytes.Count(span[:skip], []byte{'\n'}))
	rec := ingest.Record{Offset: f.prev + int64(skip), Line: f.line + lead, Index: normalize.NoIndex}
	f.line += int64(bytes.Count(span, []byte{'\n'}))
	raw = bytes.TrimSuffix(raw, []byte{'\n'})
	raw = bytes.TrimSuffix(raw, []byte{'\r'})
	rec.Raw, rec.Length = raw, int64(len(raw))
	f.prev = end
	f.tap.release(end)
	return rec
}

// skipLongRow rejects a row that outgrew the limit while being read and restarts reading at the
// next line. When the row was a quoted field spanning lines, the lines after the restart point
// are read as rows of their own and rejected for their field count: encoding/csv cannot find the
// end of a quoted field without reading it whole.
func (f *csvFile) skipLongRow() error {
	span := f.tap.bytes(f.prev, f.tap.served)
	skip := 0
	for skip < len(span) && (span[skip] == '\n' || span[skip] == '\r') {
		skip++
	}
	start := f.prev + int64(skip)
	rec := ingest.Record{Offset: start, Line: f.line + int64(bytes.Count(span[:skip], []byte{'\n'})), Index: normalize.NoIndex}
	rec.Raw = append([]byte(nil), span[skip:skip+min(len(span)-skip, normalize.SnippetLen)]...)
	f.line += int64(bytes.Count(span, []byte{'\n'}))
	end, next, found, err := f.tap.skipLine(f.tap.served)
	if err != nil {
		return err
	}
	if found {
		f.line++
	}
	rec.Length = end - start
	why := fmt.Sprintf("CSV row of more than %d bytes exceeds the %d-byte limit (--max-record)", f.src.MaxRecord, f.src.MaxRecord)
	if f.haveHead {
		f.emit.Reject(rec, why)
	} else {
		f.badHeader(rec, why)
	}
	f.restart(next)
	return nil
}

// badHeader rejects a header row that could not be read; the rows after it cannot be mapped to
// fields, so each becomes a reject saying so.
func (f *csvFile) badHeader(rec ingest.Record, why string) {
	f.haveHead = true
	f.headerBad = "the CSV header row could not be read (" + why + "): rows cannot be mapped to fields"
	f.emit.Reject(rec, f.headerBad)
}

// header reads the header row. An export without an action column, or without a time column,
// is not GitHub's: the header and every row become rejects saying so.
func (f *csvFile) header(fields []string, rec ingest.Record) {
	f.haveHead = true
	f.cols = make([]int, len(fields))
	seen := map[string]bool{}
	for i, name := range fields {
		if i == 0 {
			name = string(bytes.TrimPrefix([]byte(name), []byte("\xef\xbb\xbf")))
		}
		f.cols[i] = columnID(name)
		seen[name] = true
	}
	switch {
	case !seen["action"]:
		f.headerBad = "the CSV header has no action column: not a GitHub audit log export"
	case !seen["@timestamp"] && !seen["created_at"]:
		f.headerBad = "the CSV header has neither @timestamp nor created_at: not a GitHub audit log export"
	default:
		return
	}
	f.emit.Reject(rec, f.headerBad)
}

// event turns one data row into an event.
func (f *csvFile) event(fields []string, rec ingest.Record) {
	var r record
	for i, v := range fields {
		if p := r.field(f.cols[i]); p != nil {
			*p = text(v)
		}
	}
	ev := normalize.Event{}
	if err := r.toEvent(&ev, f.src.AssumeTZ); err != nil {
		f.emit.Reject(rec, err.Error())
		return
	}
	f.emit.Event(rec, &ev)
}
