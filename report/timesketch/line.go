package timesketch

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/breachline/breachline/report/export"
)

// reserved are the keys a line sets itself; an event column of the same name would be lost.
var reserved = map[string]bool{"message": true, "datetime": true, "timestamp": true, "timestamp_desc": true,
	"tag": true, "findings": true, "_id": true, "_index": true, "_source": true, "_type": true}

// encoder turns event rows into lines. A line's keys come in a fixed order (Timesketch's own
// fields, the tags, then the event's fields in the event model's order) so that the same case
// gives the same file, and a line reads well in a terminal too.
type encoder struct {
	cols    []export.Column
	keys    [][]byte // `,"name":` for each column
	timeCol int
	msg     messageColumns
}

func newEncoder(cols []export.Column) (*encoder, error) {
	e := &encoder{cols: cols, timeCol: -1}
	for i, c := range cols {
		if reserved[c.Name] {
			return nil, fmt.Errorf("timesketch: the event column %q would overwrite a Timesketch field", c.Name)
		}
		if c.Name == "time" && c.Kind == export.Time {
			e.timeCol = i
		}
		e.keys = append(e.keys, []byte(`,"`+c.Name+`":`))
	}
	if e.timeCol < 0 {
		return nil, fmt.Errorf("timesketch: the events table has no time column")
	}
	e.msg = newMessageColumns(cols)
	return e, nil
}

// DatetimeLayout is the datetime field's layout: ISO 8601 with the offset written as +00:00,
// as Timesketch documents it, to the microsecond, the precision of its timestamp field, so that
// the two agree. The exact nanoseconds are in the event's time field.
const DatetimeLayout = "2006-01-02T15:04:05.000000+00:00"

// appendLine appends one line, newline included. Null values are left out rather than written as
// null, which would give OpenSearch a field without a type.
func (e *encoder) appendLine(b []byte, r export.Row, tags map[string]*eventTags) []byte {
	t := r[e.timeCol].(time.Time).UTC()
	b = append(b, `{"message":`...)
	b = appendString(b, cut(e.msg.message(r)))
	b = append(b, `,"datetime":"`...)
	b = t.AppendFormat(b, DatetimeLayout)
	b = append(b, `","timestamp":`...)
	b = strconv.AppendInt(b, t.UnixMicro(), 10)
	b = append(b, `,"timestamp_desc":"`+TimestampDesc+`"`...)
	if e.msg.id >= 0 && len(tags) > 0 {
		id, _ := r[e.msg.id].(string)
		if et := tags[id]; et != nil {
			b = appendList(append(b, `,"tag":`...), et.tags)
			b = appendList(append(b, `,"findings":`...), et.findings)
		}
	}
	for i, c := range e.cols {
		v := r[i]
		if v == nil {
			continue
		}
		b = append(b, e.keys[i]...)
		switch c.Kind {
		case export.Int64:
			b = strconv.AppendInt(b, v.(int64), 10)
		case export.Bool:
			b = strconv.AppendBool(b, v.(bool))
		case export.Time:
			b = appendString(b, export.Text(v))
		default:
			// String, and JSON (attrs) as its text: one string field whatever the source put
			// in it, so that events of different sources never give OpenSearch conflicting
			// types for the same key, nor more fields than an index takes (1,000 by default).
			b = appendString(b, cut(v.(string)))
		}
	}
	return append(b, "}\n"...)
}

func appendList(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string. Only what JSON requires is escaped: quotes,
// backslashes and control characters; other text, non-ASCII included, is written as it is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
