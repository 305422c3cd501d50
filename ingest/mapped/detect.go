package mapped

import (
	"bytes"
	"encoding/csv"
	"slices"

	"github.com/breachline/breachline/ingest/internal/jsonrec"
)

var byteOrderMark = []byte{0xEF, 0xBB, 0xBF}

// Detect implements ingest.Ingester with the mapping's detect rule: every condition it gives
// must hold. keys must all hold a value in the first JSON record; columns must all be in the CSV
// header; regex must match somewhere in head. A JSON mapping also needs head to start with an
// object or an array. head may be cut in the middle of a record: a first record that is cut
// off does not match.
func (m *Ingester) Detect(head []byte) bool {
	d := &m.p.detect
	body := bytes.TrimPrefix(head, byteOrderMark)
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return false
	}
	if !m.p.csv && trimmed[0] != '{' && trimmed[0] != '[' {
		return false
	}
	if d.re != nil && !d.re.Match(head) {
		return false
	}
	if len(d.keys) > 0 && !m.firstRecordHasKeys(head) {
		return false
	}
	if len(d.columns) > 0 && !m.headerHasColumns(body) {
		return false
	}
	return true
}

func (m *Ingester) firstRecordHasKeys(head []byte) bool {
	sc := jsonrec.New(bytes.NewReader(head), len(head)+1, m.p.wrappers...)
	if !sc.Next() || sc.Bad() != "" {
		return false
	}
	js := newJSONScan(m.p.trie, m.p.slots)
	if js.scan(sc.Record().Raw) != nil {
		return false
	}
	for _, slot := range m.p.detect.keys {
		if k := js.vals[slot].kind; k == kAbsent || k == kNull {
			return false
		}
	}
	return true
}

func (m *Ingester) headerHasColumns(body []byte) bool {
	opt := &m.p.csvOpt
	cr := csv.NewReader(bytes.NewReader(body))
	cr.Comma, cr.Comment = opt.comma, opt.comment
	cr.LazyQuotes, cr.TrimLeadingSpace = opt.lazyQuotes, opt.trimLeadingSpace
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return false
	}
	for _, col := range m.p.detect.columns {
		if !slices.Contains(header, col) {
			return false
		}
	}
	return true
}
