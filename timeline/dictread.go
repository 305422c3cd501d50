package timeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/breachline/breachline/normalize"
)

// A reader of many events (an export, timeline --format jsonl) spends much of its time in
// SQLite joining the strings table a dozen times per row and in go-sqlite3 copying each joined
// text. When the dictionary is small enough to hold, it is read once instead, in the same read
// transaction as the events (so both see the same snapshot while an ingest runs), and the rows
// carry only the ids: dictEvents. Above maxDictStrings, or for a filter that searches the
// strings' text (--contains), the joined query stays (selectEvent).

// maxDictStrings bounds the dictionary a reader holds: about 100 MB of strings at the most.
const maxDictStrings = 1 << 20

// dictionary is the strings table, by id.
type dictionary struct {
	values []string
	has    []bool
}

// loadDictionary reads the strings table, or returns nil when it holds more than max strings.
func loadDictionary(ctx context.Context, q *sql.Tx, max int) (*dictionary, error) {
	var n, top int64
	if err := q.QueryRowContext(ctx, "SELECT count(*), coalesce(max(id), 0) FROM strings").Scan(&n, &top); err != nil {
		return nil, err
	}
	if n > int64(max) || top > 2*int64(max) {
		return nil, nil
	}
	d := &dictionary{values: make([]string, top+1), has: make([]bool, top+1)}
	rows, err := q.QueryContext(ctx, "SELECT id, value FROM strings")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		if id < 0 || id > top {
			return nil, fmt.Errorf("strings id %d out of range", id)
		}
		d.values[id], d.has[id] = v, true
	}
	return d, rows.Err()
}

// get returns the string of id; a NULL id is "".
func (d *dictionary) get(id sql.NullInt64) (string, error) {
	if !id.Valid {
		return "", nil
	}
	if id.Int64 < 0 || id.Int64 >= int64(len(d.values)) || !d.has[id.Int64] {
		return "", fmt.Errorf("no string with id %d in the case's dictionary", id.Int64)
	}
	return d.values[id.Int64], nil
}

// quoted returns the JSON form of the string whose id is written in digits, as attrs' [id]
// values are: only strings plainString accepts are coded, so quoting is escaping " and \.
func (d *dictionary) quoted(buf []byte, digits []byte) ([]byte, bool) {
	id, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return nil, false
	}
	s, err := d.get(sql.NullInt64{Int64: id, Valid: true})
	if err != nil {
		return nil, false
	}
	buf = append(buf[:0], '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			buf = append(buf, '\\')
		}
		buf = append(buf, s[i])
	}
	return append(buf, '"'), true
}

// selectEventIDs is selectEventsFrom with the dictionary columns and the attrs shape as ids.
func selectEventIDs(table string) string {
	var b strings.Builder
	b.WriteString("SELECT e.eid, e.time_ns, e.time_raw")
	for _, d := range dictColumns {
		b.WriteString(", e." + d.col)
	}
	b.WriteString(`, v.format, v.parser, e.resource, e.request_id, v.sha256, v.path, e.offset, e.length, e.line,
	e.record_index, e.raw_hash, e.attrs_shape_sid, e.attrs FROM ` + table + " e LEFT JOIN evidence v ON v.id = e.evidence_id")
	return b.String()
}

// eventsByDict is Events through the dictionary: done is false, with nothing called, when the
// filter searches text or the dictionary is too large to hold.
func (c *Case) eventsByDict(ctx context.Context, f Filter, fn func(*normalize.Event) error) (done bool, err error) {
	if f.Contains != "" {
		return false, nil
	}
	where, args, err := f.where()
	if err != nil {
		return false, err
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	d, err := loadDictionary(ctx, tx, maxDictStrings)
	if err != nil || d == nil {
		return false, err
	}
	q := selectEventIDs("events") + where + eventOrder
	cidr := strings.Contains(f.IP, "/")
	if f.Limit > 0 && !cidr {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	n := 0
	err = dictEvents(ctx, tx, d, q, args, func(e *normalize.Event) error {
		if !f.match(e) {
			return nil
		}
		if err := fn(e); err != nil {
			return err
		}
		if n++; f.Limit > 0 && n >= f.Limit {
			return errEnough
		}
		return nil
	})
	if err == errEnough {
		err = nil
	}
	return true, err
}

// errEnough stops a read at its limit.
var errEnough = errors.New("enough rows")

// dictEvents runs the events query q (selectEventIDs with a condition and an order) and calls fn
// with each event, its strings taken from d.
func dictEvents(ctx context.Context, tx *sql.Tx, d *dictionary, q string, args []any, fn func(*normalize.Event) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r storedRow
	var ids [11]sql.NullInt64
	var shape sql.NullInt64
	var attrs sql.NullString
	dst := r.head()
	for i := range ids {
		dst = append(dst, &ids[i])
	}
	dst = append(append(dst, r.middle()...), &shape, &attrs)
	var quoteBuf []byte
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		for i := range ids {
			if r.strs[i], err = d.get(ids[i]); err != nil {
				return err
			}
		}
		e := r.event()
		if attrs.Valid {
			if shape.Valid {
				shapeText, err := d.get(shape)
				if err != nil {
					return err
				}
				b, ok := decodeAttrsWith(make([]byte, 0, len(shapeText)+2*len(attrs.String)+2), []byte(shapeText), []byte(attrs.String),
					func(digits []byte) ([]byte, bool) {
						var ok bool
						quoteBuf, ok = d.quoted(quoteBuf, digits)
						return quoteBuf, ok
					})
				if !ok {
					return fmt.Errorf("event %s: stored attrs do not match their shape", e.ID)
				}
				e.AttrsJSON = b
			} else {
				e.AttrsJSON = []byte(attrs.String)
			}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
