package mapped

import (
	"fmt"
	"strconv"
)

// A JSON record is read in one pass that checks its syntax and notes where the values named by
// the mapping's paths are, without decoding anything else. The paths are compiled into a trie;
// the pass descends only into keys on it. Strings are unescaped, and objects built, only for the
// values the mapping uses. This is why the mapped ingester does not decode with jsondec: a
// record of arbitrary shape would have to become a map[string]any, which is several times
// slower, turns numbers into float64, and hides keys given twice.

// span locates a value in the record; for a string, its text between the quotes.
type span struct {
	start, end int
	kind       kind
	esc        bool // the string holds escapes
}

// maxDepth bounds nesting, so that a hostile record cannot exhaust the stack.
const maxDepth = 512

// jsonScan is the per-ingest state of the pass; it belongs to one goroutine.
type jsonScan struct {
	t    *trie
	b    []byte
	vals []span   // by slot
	seen []uint32 // by node: the generation in which the key was met, to catch duplicates
	gen  uint32
	// texts caches each slot's text for the current record (valid when made[slot] == gen): a
	// value read by several fields (type for category and action) is converted once.
	texts []string
	made  []uint32
	// whole is the record as one string, made on first use when the record is small: the
	// values of a small record are then substrings of it, one allocation instead of one per
	// value. Events keep what they reference, so a large record is not pinned for a few bytes.
	whole string
}

// wholeLimit is the size up to which a record's values share one string.
const wholeLimit = 4 << 10

func newJSONScan(t *trie, slots int32) *jsonScan {
	return &jsonScan{t: t, vals: make([]span, slots), seen: make([]uint32, len(t.nodes)),
		texts: make([]string, slots), made: make([]uint32, slots)}
}

// jsonError is a syntax error at a byte offset of the record.
type jsonError struct {
	at  int
	msg string
}

func (e *jsonError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d of the record: %s", e.at, e.msg)
}

func syntaxErr(at int, msg string) error { return &jsonError{at, msg} }

// scan reads the record b, which must be one JSON object, noting the values of the paths.
func (s *jsonScan) scan(b []byte) error {
	s.b = b
	s.whole = ""
	s.gen++
	if s.gen == 0 {
		clear(s.seen)
		clear(s.made)
		s.gen = 1
	}
	clear(s.vals)
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("record is not a JSON object")
	}
	i, err := s.value(i, 0, 0)
	if err != nil {
		return err
	}
	if i = skipWS(b, i); i != len(b) {
		return syntaxErr(i, "data after the end of the object")
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value reads the value at b[i] for trie node n (-1: not on any path) and returns its end.
func (s *jsonScan) value(i int, n int32, depth int) (int, error) {
	b := s.b
	if i >= len(b) {
		return i, syntaxErr(i, "unexpected end of the record")
	}
	sp := span{start: i}
	var err error
	switch c := b[i]; {
	case c == '{':
		sp.kind = kObject
		i, err = s.object(i, n, depth+1)
	case c == '[':
		sp.kind = kArray
		i, err = s.array(i, n, depth+1)
	case c == '"':
		sp.kind = kString
		sp.start++
		i, sp.esc, err = s.str(i)
		sp.end = i - 1
	case c == 't':
		sp.kind = kBool
		i, err = lit(b, i, "true")
	case c == 'f':
		sp.kind = kBool
		i, err = lit(b, i, "false")
	case c == 'n':
		sp.kind = kNull
		i, err = lit(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		sp.kind = kNumber
		i, err = number(b, i)
	default:
		return i, syntaxErr(i, "unexpected "+quoteByte(c))
	}
	if err != nil {
		return i, err
	}
	if sp.kind != kString {
		sp.end = i
	}
	if n >= 0 {
		if slot := s.t.nodes[n].slot; slot >= 0 {
			s.vals[slot] = sp
		}
	}
	return i, nil
}

func (s *jsonScan) object(i int, n int32, depth int) (int, error) {
	if depth > maxDepth {
		return i, syntaxErr(i, fmt.Sprintf("nested deeper than %d levels", maxDepth))
	}
	b := s.b
	var node *tnode
	if n >= 0 && (s.t.nodes[n].keys != nil) {
		node = &s.t.nodes[n]
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, syntaxErr(i, "expected a key in quotes")
		}
		end, esc, err := s.str(i)
		if err != nil {
			return end, err
		}
		child := int32(-1)
		if node != nil {
			var c int32
			if esc {
				c = node.child([]byte(unescape(b[i+1 : end-1])))
			} else {
				c = node.child(b[i+1 : end-1])
			}
			if c >= 0 {
				if s.seen[c] == s.gen {
					return i, fmt.Errorf("key %s appears twice in one object (byte %d of the record); breachline does not choose between the values", b[i:end], i)
				}
				s.seen[c] = s.gen
				child = c
			}
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return i, syntaxErr(i, "expected : after a key")
		}
		i, err = s.value(skipWS(b, i+1), child, depth)
		if err != nil {
			return i, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return i, syntaxErr(i, "object not closed")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, syntaxErr(i, "expected , or } after a value")
		}
	}
}

func (s *jsonScan) array(i int, n int32, depth int) (int, error) {
	if depth > maxDepth {
		return i, syntaxErr(i, fmt.Sprintf("nested deeper than %d levels", maxDepth))
	}
	b := s.b
	var index []int32
	if n >= 0 {
		index = s.t.nodes[n].index
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for k := 0; ; k++ {
		child := int32(-1)
		if k < len(index) {
			child = index[k]
		}
		var err error
		i, err = s.value(i, child, depth)
		if err != nil {
			return i, err
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return i, syntaxErr(i, "array not closed")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, syntaxErr(i, "expected , or ] after a value")
		}
	}
}

// plainByte marks the bytes a JSON string holds as they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads the string at b[i] == '"' and returns the offset after its closing quote.
func (s *jsonScan) str(i int) (int, bool, error) {
	b := s.b
	esc := false
	j := i + 1
	for {
		for j < len(b) && plainByte[b[j]] {
			j++
		}
		if j >= len(b) {
			return j, esc, syntaxErr(i, "string not terminated")
		}
		switch b[j] {
		case '"':
			return j + 1, esc, nil
		case '\\':
			esc = true
			if j+1 >= len(b) {
				return j, esc, syntaxErr(i, "string not terminated")
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) || !isHex4(b[j+2:j+6]) {
					return j, esc, syntaxErr(j, `invalid \u escape`)
				}
				j += 6
			default:
				return j, esc, syntaxErr(j, "invalid escape \\"+string(b[j+1]))
			}
		default:
			return j, esc, syntaxErr(j, "control character "+quoteByte(b[j])+" in a string")
		}
	}
}

func lit(b []byte, i int, word string) (int, error) {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return i, syntaxErr(i, "invalid literal (expected "+word+")")
	}
	return i + len(word), nil
}

func number(b []byte, i int) (int, error) {
	j := i
	if b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		for j < len(b) && isDigit(b[j]) {
			j++
		}
	default:
		return j, syntaxErr(i, "invalid number")
	}
	if j < len(b) && b[j] == '.' {
		j++
		if j >= len(b) || !isDigit(b[j]) {
			return j, syntaxErr(i, "invalid number")
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j >= len(b) || !isDigit(b[j]) {
			return j, syntaxErr(i, "invalid number")
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
	}
	return j, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !isDigit(c) && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
