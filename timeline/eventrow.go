package timeline

import (
	"bytes"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/breachline/breachline/normalize"
)

// stringIDs gives the strings id of a value, inserting it when new: the ingest's cached
// statements, or the migration's transaction. seen remembers the attrs strings met once.
type stringIDs interface {
	id(s string) (int64, error)
	// idBytes is id for a value given as bytes, without a copy when the id is known.
	idBytes(b []byte) (int64, error)
	seenSet() map[string]struct{}
}

// seenMax bounds the attrs strings remembered as met once: past it the set starts again.
const seenMax = 200_000

// encoder turns events into rows. It keeps scratch space and the last id of each dictionary
// column (consecutive events mostly share their source's vocabulary), so that encoding allocates
// little: it runs on the writer, the ingest's one sequential stage.
type encoder struct {
	ids  stringIDs
	last [nEventCols]struct {
		s  string
		id int64
	}
	keys   map[string]*keyStat
	eid    [16]byte
	raw    [32]byte
	shape  []byte
	values []byte
	tr     []byte
}

func newEncoder(ids stringIDs) *encoder {
	return &encoder{ids: ids, keys: map[string]*keyStat{}, shape: make([]byte, 0, 256), values: make([]byte, 0, 1024), tr: make([]byte, 0, 64)}
}

// dictID returns the strings id of v for column col.
func (x *encoder) dictID(col int, v string) (int64, error) {
	if l := &x.last[col]; l.id != 0 && l.s == v {
		return l.id, nil
	}
	id, err := x.ids.id(v)
	if err == nil {
		x.last[col].s, x.last[col].id = v, id
	}
	return id, err
}

// codeAttr is the attrCoder of encode: a string value is written as its id from the second time
// it is met, so a value that repeats is stored once and one that does not (an event id) costs
// nothing in the dictionary. Short strings are cheaper written out. A key whose values hardly
// ever repeat (ids, request ids, timestamps) stops being looked at after a sample, so that its
// values do not fill the set of strings met once.
func (x *encoder) codeAttr(key, quoted []byte) (int64, bool, error) {
	if len(quoted) < 7 {
		return 0, false, nil
	}
	st := x.keys[string(key)]
	if st == nil {
		if len(x.keys) >= keyStatsMax {
			return 0, false, nil
		}
		st = &keyStat{}
		x.keys[string(key)] = st
	}
	if st.unique {
		return 0, false, nil
	}
	seen := x.ids.seenSet()
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		if _, ok := seen[string(inner)]; !ok {
			st.miss(seen, string(inner))
			return 0, false, nil
		}
		st.hits++
		id, err := x.ids.idBytes(inner)
		return id, err == nil, err
	}
	s := unquotePlain(quoted)
	if _, ok := seen[s]; !ok {
		st.miss(seen, s)
		return 0, false, nil
	}
	st.hits++
	id, err := x.ids.id(s)
	return id, err == nil, err
}

// keyStatsMax bounds the attrs keys whose repetition is tracked.
const keyStatsMax = 4096

// keyStat counts how the values of one attrs key repeat.
type keyStat struct {
	tries, hits int
	unique      bool
}

// miss remembers a value met for the first time, and gives up on a key whose first 256 values
// hardly repeated.
func (st *keyStat) miss(seen map[string]struct{}, s string) {
	st.tries++
	if st.tries == 256 && st.hits < 16 {
		st.unique = true
		return
	}
	if len(seen) >= seenMax {
		clear(seen)
	}
	seen[s] = struct{}{}
}

// unquotePlain returns the value of a JSON string that plainString accepted.
func unquotePlain(q []byte) string {
	q = q[1 : len(q)-1]
	out := make([]byte, 0, len(q))
	for i := 0; i < len(q); i++ {
		if q[i] == '\\' {
			i++
		}
		out = append(out, q[i])
	}
	return string(out)
}

// rowWriter receives an events row's values in eventInsertColumns order: a sqlbulk.Batch, or an
// anyRow for statements run through database/sql.
type rowWriter interface {
	Null()
	Int(int64)
	Text(string)
	TextBytes([]byte)
	Blob([]byte)
}

// anyRow collects a row as database/sql arguments.
type anyRow []any

func (r *anyRow) Null()              { *r = append(*r, nil) }
func (r *anyRow) Int(v int64)        { *r = append(*r, v) }
func (r *anyRow) Text(v string)      { *r = append(*r, v) }
func (r *anyRow) TextBytes(v []byte) { *r = append(*r, string(v)) }
func (r *anyRow) Blob(v []byte)      { *r = append(*r, append([]byte(nil), v...)) }

// encode writes e as an events row to w.
func (x *encoder) encode(e *normalize.Event, w rowWriter) error {
	if len(e.ID) != 32 {
		return fmt.Errorf("event id %q is not 16 bytes of hex", e.ID)
	}
	if _, err := hex.Decode(x.eid[:], []byte(e.ID)); err != nil {
		return fmt.Errorf("event id %q is not 16 bytes of hex", e.ID)
	}
	if len(e.RawSHA256) != 64 {
		return fmt.Errorf("event %s: raw_sha256 %q is not a sha256", e.ID, e.RawSHA256)
	}
	if _, err := hex.Decode(x.raw[:], []byte(e.RawSHA256)); err != nil {
		return fmt.Errorf("event %s: raw_sha256 %q is not a sha256", e.ID, e.RawSHA256)
	}
	var ids [nEventCols]int64
	for _, f := range [...]struct {
		col int
		v   string
	}{
		{colTZ, e.TZBasis}, {colCategory, string(e.Category)}, {colAction, e.Action}, {colOutcome, string(e.Outcome)},
		{colPrincipal, e.Principal}, {colPrincipalType, e.PrincipalType}, {colSrcIP, e.SrcIP},
		{colUserAgent, e.UserAgent}, {colCredential, e.Credential}, {colResourceType, e.ResourceType},
		{colSecretRef, e.SecretRef},
	} {
		if f.v == "" {
			continue
		}
		id, err := x.dictID(f.col, f.v)
		if err != nil {
			return err
		}
		ids[f.col] = id
	}
	split := false
	if len(e.AttrsJSON) > 0 {
		var err error
		x.shape, x.values, split, err = encodeAttrs(x.shape[:0], x.values[:0], e.AttrsJSON, x.codeAttr)
		if err != nil {
			return err
		}
		if split {
			if ids[colShape], err = x.dictID(colShape, string(x.shape)); err != nil {
				return err
			}
		}
	}
	opt := func(col int) {
		if ids[col] == 0 {
			w.Null()
		} else {
			w.Int(ids[col])
		}
	}
	text := func(s string) {
		if s == "" {
			w.Null()
		} else {
			w.Text(s)
		}
	}
	w.Blob(x.eid[:])
	w.Int(e.Time.UnixNano())
	var code int64
	if e.TimeRaw != "" {
		code, x.tr = encodeTimeRaw(x.tr[:0], e.Time, e.TimeRaw)
	}
	switch {
	case code != 0:
		w.Int(code)
	default:
		text(e.TimeRaw)
	}
	for col := colTZ; col <= colCredential; col++ {
		opt(col)
	}
	text(e.Resource)
	opt(colResourceType)
	opt(colSecretRef)
	text(e.RequestID)
	w.Int(e.Offset)
	w.Int(e.Length)
	if e.Line > 0 {
		w.Int(e.Line)
	} else {
		w.Null()
	}
	if e.RecordIndex >= 0 {
		w.Int(e.RecordIndex)
	} else {
		w.Null()
	}
	w.Blob(x.raw[:])
	switch {
	case split:
		w.Int(ids[colShape])
		w.TextBytes(x.values)
	case len(e.AttrsJSON) > 0:
		w.Null()
		w.TextBytes(e.AttrsJSON) // TEXT, not a BLOB, so json functions see JSON
	default:
		w.Null()
		w.Null()
	}
	return nil
}

// selectEventsFrom is the SELECT of events in the form scanEvent reads, over table (events or
// superseded_events) aliased e, with the strings and the evidence joined.
func selectEventsFrom(table string) string {
	var b strings.Builder
	b.WriteString("SELECT e.eid, e.time_ns, e.time_raw")
	for _, d := range dictColumns {
		b.WriteString(", s_" + d.field + ".value")
	}
	b.WriteString(`, v.format, v.parser, e.resource, e.request_id, v.sha256, v.path, e.offset, e.length, e.line,
	e.record_index, e.raw_hash, s_shape.value, e.attrs, ` + attrsCodedSQL("e") + ` FROM ` + table + " e LEFT JOIN evidence v ON v.id = e.evidence_id")
	for _, d := range dictColumns {
		b.WriteString(" LEFT JOIN strings s_" + d.field + " ON s_" + d.field + ".id = e." + d.col)
	}
	b.WriteString(" LEFT JOIN strings s_shape ON s_shape.id = e.attrs_shape_sid")
	return b.String()
}

var selectEvent = selectEventsFrom("events")

type scanner interface{ Scan(...any) error }

// storedRow holds the columns both event readers scan (selectEventsFrom and selectEventIDs), the
// dictionary fields as text once resolved; event turns them into the event, attrs aside.
type storedRow struct {
	eid, raw                              []byte
	ns, offset, length                    int64
	timeRaw                               any
	strs                                  [11]string
	source, parser, res, reqID, sum, path sql.NullString
	line, index                           sql.NullInt64
}

// head returns the scan targets of the columns before the dictionary fields, and middle those
// between the dictionary fields and the attrs shape.
func (r *storedRow) head() []any { return []any{&r.eid, &r.ns, &r.timeRaw} }
func (r *storedRow) middle() []any {
	return []any{&r.source, &r.parser, &r.res, &r.reqID, &r.sum, &r.path, &r.offset, &r.length, &r.line, &r.index, &r.raw}
}

// event is the stored event without its attrs.
func (r *storedRow) event() *normalize.Event {
	e := &normalize.Event{ID: hex.EncodeToString(r.eid), Time: time.Unix(0, r.ns).UTC(), Offset: r.offset, Length: r.length}
	switch v := r.timeRaw.(type) {
	case int64:
		e.TimeRaw = renderTimeRaw(e.Time, v)
	case string:
		e.TimeRaw = v
	case []byte:
		e.TimeRaw = string(v)
	}
	d := &r.strs
	e.TZBasis, e.Category, e.Action, e.Outcome = d[0], normalize.Category(d[1]), d[2], normalize.Outcome(d[3])
	e.Principal, e.PrincipalType, e.SrcIP, e.UserAgent = d[4], d[5], d[6], d[7]
	e.Credential, e.ResourceType, e.SecretRef = d[8], d[9], d[10]
	e.Source, e.Parser, e.Resource, e.RequestID = r.source.String, r.parser.String, r.res.String, r.reqID.String
	e.EvidenceSHA256, e.EvidencePath = r.sum.String, r.path.String
	e.RawSHA256 = hex.EncodeToString(r.raw)
	e.Line = r.line.Int64
	e.RecordIndex = normalize.NoIndex
	if r.index.Valid {
		e.RecordIndex = r.index.Int64
	}
	return e
}

// scanEvent reads a row of selectEventsFrom back into the event ingest stored.
func scanEvent(s scanner) (*normalize.Event, error) {
	var r storedRow
	var dict [11]sql.NullString
	var shape, attrs, coded sql.NullString
	dst := r.head()
	for i := range dict {
		dst = append(dst, &dict[i])
	}
	dst = append(append(dst, r.middle()...), &shape, &attrs, &coded)
	if err := s.Scan(dst...); err != nil {
		return nil, err
	}
	for i := range dict {
		r.strs[i] = dict[i].String
	}
	e := r.event()
	if attrs.Valid {
		if shape.Valid {
			b, ok := decodeAttrs(make([]byte, 0, len(shape.String)+len(attrs.String)+len(coded.String)+2),
				[]byte(shape.String), []byte(attrs.String), []byte(coded.String))
			if !ok {
				return nil, fmt.Errorf("event %s: stored attrs do not match their shape", e.ID)
			}
			e.AttrsJSON = b
		} else {
			e.AttrsJSON = []byte(attrs.String)
		}
	}
	return e, nil
}
