package mapped

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/normalize"
)

// CSV is read with encoding/csv, which gives fields but not bytes: a window under it keeps the
// bytes of the current row, and csv.Reader.InputOffset says where each row ends, so every row's
// offset, length, line and raw bytes are exact. Rows may span lines inside quotes.
//
// What encoding/csv does after a malformed row, and so what this ingester does: the row is a
// reject, and reading goes on at the line after the one where the fault was found. A quoted
// field that is never closed runs to the end of the file, which is then one reject. A row longer
// than --max-record (plus 64 KiB of slack) is cut off, rejected, and reading goes on after the
// first line break outside quotes, so memory stays bounded whatever the file holds.

// rowSlack is how far past --max-record a row may run before it is cut off; rows between the
// limit and the slack are read whole and then rejected, as jsonrec and linerec reject theirs.
const rowSlack = 64 << 10

var errRowTooLong = errors.New("CSV row too long")

// window hands the evidence stream to encoding/csv and keeps the bytes from keep on.
type window struct {
	r       io.Reader
	buf     []byte // stream bytes [base, base+len(buf))
	base    int64
	next    int64 // offset of the next byte for csv
	keep    int64 // the start of the current row's region; earlier bytes may go
	limit   int64 // csv gets at most keep+limit bytes
	tripped bool
	eof     bool
	err     error // a read error of the stream, returned by the ingester
}

func (w *window) Read(p []byte) (int, error) {
	if w.next >= w.keep+w.limit {
		w.tripped = true
		return 0, errRowTooLong
	}
	if w.next == w.base+int64(len(w.buf)) && !w.fill() {
		if w.err != nil {
			return 0, w.err
		}
		return 0, io.EOF
	}
	avail := w.buf[w.next-w.base:]
	if room := w.keep + w.limit - w.next; int64(len(avail)) > room {
		avail = avail[:room]
	}
	n := copy(p, avail)
	w.next += int64(n)
	return n, nil
}

// fill reads more of the stream, first dropping the bytes before keep.
func (w *window) fill() bool {
	if w.eof || w.err != nil {
		return false
	}
	if drop := w.keep - w.base; drop > 0 {
		n := copy(w.buf, w.buf[drop:])
		w.buf = w.buf[:n]
		w.base = w.keep
	}
	if cap(w.buf)-len(w.buf) < 32<<10 {
		nb := make([]byte, len(w.buf), 2*cap(w.buf)+64<<10)
		copy(nb, w.buf)
		w.buf = nb
	}
	for {
		n, err := w.r.Read(w.buf[len(w.buf):cap(w.buf)])
		w.buf = w.buf[:len(w.buf)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				w.eof = true
			} else {
				w.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// bytes returns the stream's bytes [from, to), which must still be held.
func (w *window) bytes(from, to int64) []byte { return w.buf[from-w.base : to-w.base] }

// skipLine drops the rest of a row that was cut off, up to and including the line break that
// ends it, and returns where reading resumes and how long that line break was (0 at the end of
// input). inQuote says whether the cut fell inside a quoted field: a line break there is part of
// the field, so skipping goes on to the first line break outside quotes, as csv would have.
func (w *window) skipLine(inQuote bool) (resume int64, nl int, lines int64) {
	prevCR := false
	for {
		held := w.buf[w.next-w.base:]
		for i, c := range held {
			switch {
			case c == '"':
				inQuote = !inQuote
			case c == '\n' && inQuote:
				lines++
			case c == '\n':
				lines++
				nl = 1
				if (i > 0 && held[i-1] == '\r') || (i == 0 && prevCR) {
					nl = 2
				}
				w.next += int64(i) + 1
				w.keep, w.tripped = w.next, false
				return w.next, nl, lines
			}
		}
		if len(held) > 0 {
			prevCR = held[len(held)-1] == '\r'
		}
		w.next += int64(len(held))
		w.keep = w.next
		if !w.fill() {
			break
		}
	}
	w.keep, w.tripped = w.next, false
	return w.next, 0, lines
}

// csvRow is one row as the plan reads it: col maps slots to field indexes (-1 when the header
// lacks the column, -2 when it has it twice).
type csvRow struct {
	fields []string
	col    []int32
}

func (r *csvRow) text(slot int32) (string, kind) {
	switch i := r.col[slot]; {
	case i == -2:
		return "", kAmbiguous
	case i < 0 || int(i) >= len(r.fields):
		return "", kAbsent
	default:
		return r.fields[i], kString
	}
}

func (r *csvRow) attr(slot int32) any {
	if v, _ := r.text(slot); v != "" {
		return v
	}
	return nil
}

// csvReader walks one file's rows.
type csvReader struct {
	w    *window
	cr   *csv.Reader
	opt  *csvOptions
	bom  int64 // bytes of a byte order mark before the first row
	skew int64 // bytes skipped after cut-off rows, which csv never saw
	pos  int64 // end of the last row
	line int64 // line number at pos
}

func newCSVReader(src io.Reader, max int, opt *csvOptions) *csvReader {
	w := &window{r: src, limit: int64(max) + rowSlack, buf: make([]byte, 0, 128<<10)}
	c := &csvReader{w: w, opt: opt, line: 1}
	if w.fill() && bytes.HasPrefix(w.buf, []byte{0xEF, 0xBB, 0xBF}) {
		c.bom = 3
		w.next, w.keep, c.pos = 3, 3, 3
	}
	cr := csv.NewReader(bufio.NewReaderSize(w, 64<<10))
	cr.Comma = opt.comma
	cr.Comment = opt.comment
	cr.LazyQuotes = opt.lazyQuotes
	cr.TrimLeadingSpace = opt.trimLeadingSpace
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	c.cr = cr
	return c
}

// row is what next read: the record's place, and either its fields or why it is bad.
type row struct {
	rec    ingest.Record
	fields []string
	bad    string
}

// next reads the next row. It returns false at the end of input or on a read error (Err).
func (c *csvReader) next(max int) (row, bool) {
	c.w.keep = c.pos
	fields, err := c.cr.Read()
	if err != nil && c.w.err != nil {
		// The stream broke inside this row: the core reports the break from the end of the last
		// row on. (A row csv completed before the break is kept: the error comes on the next Read.)
		return row{}, false
	}
	if c.w.tripped {
		return c.cutOff(max), true
	}
	if errors.Is(err, io.EOF) {
		return row{}, false
	}
	end := c.cr.InputOffset() + c.bom + c.skew
	if end <= c.pos {
		// csv consumed nothing and yet did not end: stop rather than loop, as a read failure.
		c.w.err = fmt.Errorf("CSV reader stopped at byte %d: %v", c.pos, err)
		return row{}, false
	}
	r := row{rec: c.locate(end), fields: fields}
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		line := r.rec.Line + int64(pe.Line-pe.StartLine)
		col := pe.Column
		if line == 1 {
			col += int(c.bom)
		}
		r.bad = fmt.Sprintf("malformed CSV at line %d, column %d: %v", line, col, pe.Err)
	case err != nil:
		r.bad = "malformed CSV: " + err.Error()
	case r.rec.Length > int64(max):
		r.bad = fmt.Sprintf("row of %d bytes exceeds the %d-byte limit (--max-record)", r.rec.Length, max)
	}
	if r.bad != "" && len(r.rec.Raw) > normalize.SnippetLen {
		r.rec.Raw = r.rec.Raw[:normalize.SnippetLen]
	}
	return r, true
}

// Err returns the read error that ended the file, or nil.
func (c *csvReader) Err() error { return c.w.err }

// locate finds the row csv just read in [pos, end): past the blank and comment lines csv skips,
// and without its line break.
func (c *csvReader) locate(end int64) ingest.Record {
	b := c.w.bytes(c.pos, end)
	i := 0
	line := c.line
	for i < len(b) {
		l := b[i:]
		if j := bytes.IndexByte(l, '\n'); j >= 0 {
			l = l[:j+1]
		}
		if !c.skipped(l) {
			break
		}
		i += len(l)
		if l[len(l)-1] == '\n' {
			line++
		}
	}
	rowBytes := b[i:]
	c.line = line + int64(bytes.Count(rowBytes, []byte{'\n'}))
	switch {
	case bytes.HasSuffix(rowBytes, []byte("\r\n")):
		rowBytes = rowBytes[:len(rowBytes)-2]
	case bytes.HasSuffix(rowBytes, []byte("\n")):
		rowBytes = rowBytes[:len(rowBytes)-1]
	case bytes.HasSuffix(rowBytes, []byte("\r")): // at the end of input csv drops a last \r
		rowBytes = rowBytes[:len(rowBytes)-1]
	}
	start := c.pos + int64(i)
	c.pos = end
	return ingest.Record{Offset: start, Length: int64(len(rowBytes)), Line: line, Index: normalize.NoIndex, Raw: rowBytes}
}

// skipped reports whether csv skips the line l: an empty line, or a comment.
func (c *csvReader) skipped(l []byte) bool {
	s := string(l)
	if s == "\n" || s == "\r\n" || s == "\r" {
		return true
	}
	return c.opt.comment != 0 && strings.HasPrefix(s, string(c.opt.comment))
}

// cutOff rejects a row that ran past the limit and resumes after the next line break.
func (c *csvReader) cutOff(max int) row {
	held := c.w.bytes(c.pos, c.w.next)
	i := 0
	line := c.line
	for i < len(held) {
		l := held[i:]
		j := bytes.IndexByte(l, '\n')
		if j < 0 {
			break
		}
		if !c.skipped(l[:j+1]) {
			break
		}
		i += j + 1
		line++
	}
	start := c.pos + int64(i)
	snippet := append([]byte(nil), held[i:min(len(held), i+normalize.SnippetLen)]...)
	lines := int64(bytes.Count(held[i:], []byte{'\n'}))
	inQuote := !c.opt.lazyQuotes && bytes.Count(held[i:], []byte{'"'})%2 == 1
	seen := c.w.next
	resume, nl, skippedLines := c.w.skipLine(inQuote)
	c.skew += resume - seen
	length := resume - start - int64(nl)
	c.pos, c.line = resume, line+lines+skippedLines
	return row{
		rec: ingest.Record{Offset: start, Length: length, Line: line, Index: normalize.NoIndex, Raw: snippet},
		bad: fmt.Sprintf("row runs past the %d-byte limit (--max-record); cut off, and reading resumes after its end at byte %d", max, resume),
	}
}

// ingestCSV reads the header (unless the mapping names the columns), then one event or reject
// per row.
func (m *Ingester) ingestCSV(ctx context.Context, src *ingest.Source, emit ingest.Emitter) error {
	opt := &m.p.csvOpt
	max := src.MaxRecord
	if max <= 0 {
		max = ingest.DefaultMaxRecord
	}
	c := newCSVReader(src, max, opt)
	header := opt.columns
	headerBad := ""
	if header == nil {
		r, ok := c.next(max)
		if !ok {
			return c.Err()
		}
		if r.bad != "" {
			emit.Reject(r.rec, "CSV header: "+r.bad)
			headerBad = fmt.Sprintf("the CSV header (line %d) could not be read, so the columns are unknown", r.rec.Line)
		} else {
			header = append([]string(nil), r.fields...)
		}
	}
	row := &csvRow{col: m.columnIndexes(header, emit)}
	attrs := make(map[string]any, len(m.p.attrs)+1)
	var ev normalize.Event
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, ok := c.next(max)
		if !ok {
			return c.Err()
		}
		switch {
		case r.bad != "":
			emit.Reject(r.rec, r.bad)
		case headerBad != "":
			emit.Reject(r.rec, headerBad)
		case len(r.fields) != len(header) && opt.columns != nil:
			emit.Reject(r.rec, fmt.Sprintf("row has %d fields, the mapping's csv.columns names %d", len(r.fields), len(header)))
		case len(r.fields) != len(header):
			emit.Reject(r.rec, fmt.Sprintf("row has %d fields, the header has %d", len(r.fields), len(header)))
		default:
			row.fields = r.fields
			if err := m.p.build(row, src.AssumeTZ, src.Key, &ev, attrs); err != nil {
				emit.Reject(r.rec, err.Error())
				continue
			}
			emit.Event(r.rec, &ev)
		}
	}
}

// columnIndexes resolves the mapping's columns against this file's header, noting the ones the
// header lacks or repeats.
func (m *Ingester) columnIndexes(header []string, emit ingest.Emitter) []int32 {
	col := make([]int32, len(m.p.columns))
	for slot, name := range m.p.columns {
		col[slot] = -1
		n := 0
		for i, h := range header {
			if h == name {
				col[slot] = int32(i)
				n++
			}
		}
		switch {
		case header == nil:
		case n == 0:
			emit.Note(fmt.Sprintf("the header has no column %q, which the mapping reads: it is empty in every row", name))
		case n > 1:
			col[slot] = -2
			emit.Note(fmt.Sprintf("the header has column %q %d times: rows that need it are rejected rather than guessed", name, n))
		}
	}
	return col
}
