package timeline

import (
	"strconv"
)

// An event's attrs are a JSON object whose keys repeat on every event of a format, and many of
// whose values do too (an account, a region, a referrer). The events table stores them as a
// shape (the keys, as a JSON array, once in the strings dictionary) and the values as a JSON
// array, in which a string that repeats is written as [id], its id in strings: a CloudTrail
// event's attrs shrink to a third. The split keeps each other value's bytes as they are, so
// joining shape and values gives back the canonical JSON byte for byte (decodeAttrs), and the
// events_v view rebuilds the same text with SQLite's own JSON functions (attrsSQL). An object
// whose text SQLite would quote differently (escapes other than \" and \\, numbers that are
// not plain integers, nested objects or arrays) is stored whole.

// attrCoder decides whether a string value of attrs (its JSON text, quotes included) under key
// (quoted too) is written as its strings id, and returns the id.
type attrCoder func(key, quoted []byte) (id int64, code bool, err error)

// encodeAttrs splits canonical attrs JSON into its shape and values; ok is false when the object
// must be stored as it is.
//
// The shape and values are appended to the given buffers.
func encodeAttrs(shapeBuf, valuesBuf, obj []byte, coder attrCoder) (shape, values []byte, ok bool, err error) {
	shape, values = append(shapeBuf, '['), append(valuesBuf, '[')
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return shapeBuf, valuesBuf, false, nil
	}
	i := 1
	if obj[i] == '}' {
		return shapeBuf, valuesBuf, false, nil // {} is stored as is
	}
	for {
		k, n := plainString(obj[i:])
		if n == 0 || i+n >= len(obj) || obj[i+n] != ':' {
			return shapeBuf, valuesBuf, false, nil
		}
		if len(shape) > len(shapeBuf)+1 {
			shape = append(shape, ',')
			values = append(values, ',')
		}
		shape = append(shape, k...)
		i += n + 1
		v := scalar(obj[i:])
		if v == 0 {
			return shapeBuf, valuesBuf, false, nil
		}
		coded := false
		if obj[i] == '"' && coder != nil {
			id, code, err := coder(k, obj[i:i+v])
			if err != nil {
				return shapeBuf, valuesBuf, false, err
			}
			if code {
				values = append(values, '[')
				values = strconv.AppendInt(values, id, 10)
				values = append(values, ']')
				coded = true
			}
		}
		if !coded {
			values = append(values, obj[i:i+v]...)
		}
		i += v
		switch {
		case i < len(obj) && obj[i] == ',':
			i++
		case i == len(obj)-1 && obj[i] == '}':
			return append(shape, ']'), append(values, ']'), true, nil
		default:
			return shapeBuf, valuesBuf, false, nil
		}
	}
}

// plainString returns the JSON string at the start of b (quotes included) and its length, when it
// holds no escape but \" and \\; n is 0 otherwise.
func plainString(b []byte) ([]byte, int) {
	if len(b) < 2 || b[0] != '"' {
		return nil, 0
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '"':
			return b[:i+1], i + 1
		case '\\':
			if i+1 >= len(b) || (b[i+1] != '"' && b[i+1] != '\\') {
				return nil, 0
			}
			i++
		default:
			if b[i] < 0x20 {
				return nil, 0
			}
		}
	}
	return nil, 0
}

// scalar returns the length of the value at the start of b that attrsSQL renders unchanged: a
// plain string, a plain integer within int64, true, false or null; 0 otherwise.
func scalar(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch c := b[0]; {
	case c == '"':
		_, n := plainString(b)
		return n
	case c == '-' || (c >= '0' && c <= '9'):
		n := 0
		if c == '-' {
			n = 1
		}
		start := n
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			n++
		}
		if n == start || (b[start] == '0' && n > start+1) || (c == '-' && b[start] == '0') {
			return 0
		}
		if n < len(b) && (b[n] == '.' || b[n] == 'e' || b[n] == 'E') {
			return 0
		}
		if d := n - start; d > 19 || (d == 19 && string(b[start:n]) > "9223372036854775807") {
			return 0 // beyond int64 (a negative one too, but for -2^63 itself: rare enough)
		}
		return n
	case c == 't' && len(b) >= 4 && string(b[:4]) == "true":
		return 4
	case c == 'f' && len(b) >= 5 && string(b[:5]) == "false":
		return 5
	case c == 'n' && len(b) >= 4 && string(b[:4]) == "null":
		return 4
	}
	return 0
}

// decodeAttrs joins a shape and its values back into the canonical JSON object; coded holds, as
// a JSON array, the strings the [id] values stand for, in order (attrsCodedSQL).
func decodeAttrs(dst, shape, values, coded []byte) ([]byte, bool) {
	c := 1
	return decodeAttrsWith(dst, shape, values, func([]byte) ([]byte, bool) {
		if c >= len(coded) {
			return nil, false
		}
		s, sn := plainString(coded[c:])
		if sn == 0 {
			return nil, false
		}
		c += sn
		if c < len(coded) && coded[c] == ',' {
			c++
		}
		return s, true
	})
}

// decodeAttrsWith is decodeAttrs with the strings of the [id] values given by str: called with
// the digits of each id in order, it returns the string quoted as JSON.
func decodeAttrsWith(dst, shape, values []byte, str func(id []byte) ([]byte, bool)) ([]byte, bool) {
	dst = append(dst, '{')
	i, j := 1, 1
	for n := 0; ; n++ {
		if i >= len(shape) || j >= len(values) {
			return dst, false
		}
		if shape[i] == ']' {
			return append(dst, '}'), values[j] == ']'
		}
		k, kn := plainString(shape[i:])
		if kn == 0 {
			return dst, false
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, k...)
		dst = append(dst, ':')
		if values[j] == '[' {
			end := j + 1
			for end < len(values) && values[end] != ']' {
				end++
			}
			s, ok := str(values[j+1 : end])
			if !ok {
				return dst, false
			}
			dst = append(dst, s...)
			j = end + 1
		} else {
			v := scalar(values[j:])
			if v == 0 {
				return dst, false
			}
			dst = append(dst, values[j:j+v]...)
			j += v
		}
		i += kn
		if i < len(shape) && shape[i] == ',' {
			i++
		}
		if j < len(values) && values[j] == ',' {
			j++
		}
	}
}

// attrsSQL rebuilds the attrs JSON of the events table aliased e in SQL, with the shape's text in
// the expression shape: SQLite's json_quote escapes exactly \" and \\ in the strings encodeAttrs
// splits, and integers print as written. It runs on SQLite 3.38 and later (the JSON functions
// built in), so the Debian sqlite3 shell reads the view.
func attrsSQL(e, shape string) string {
	at := func(suffix string) string { return "json_extract(" + e + ".attrs, '$[' || k.key || ']" + suffix + "')" }
	return "CASE WHEN " + e + ".attrs_shape_sid IS NULL THEN " + e + ".attrs ELSE (SELECT '{' || group_concat(" +
		"json_quote(k.value) || ':' || CASE json_type(" + e + ".attrs, '$[' || k.key || ']') " +
		"WHEN 'array' THEN json_quote((SELECT value FROM strings WHERE id = " + at("[0]") + ")) " +
		"WHEN 'text' THEN json_quote(" + at("") + ") WHEN 'true' THEN 'true' " +
		"WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' ELSE CAST(" + at("") + " AS TEXT) END, ',') || '}' " +
		"FROM json_each(" + shape + ") k) END"
}

// attrsCodedSQL selects, for the Go reader, the strings that the [id] values of the events row
// aliased e stand for, as a JSON array in order, or NULL when it has none.
func attrsCodedSQL(e string) string {
	return "CASE WHEN " + e + ".attrs_shape_sid IS NOT NULL AND instr(substr(" + e + ".attrs, 2), '[') > 0 THEN " +
		"(SELECT json_group_array(s.value ORDER BY v.key) FROM json_each(" + e + ".attrs) v JOIN strings s ON s.id = v.value ->> 0 " +
		"WHERE v.type = 'array') END"
}
