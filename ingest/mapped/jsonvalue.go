package mapped

import (
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"
)

// The values the record pass located are turned into text or attribute values only when a field
// asks for them.

// unescape decodes the text of a JSON string (between its quotes, already checked by str).
// Escapes are decoded as encoding/json does, a lone surrogate becoming U+FFFD; bytes that are
// not valid UTF-8 are kept as they are, for the core to show as \xNN rather than lose.
func unescape(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			out = append(out, c)
			continue
		}
		i++
		switch b[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(b[i+1:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					r2 = hex4(b[i+3:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default: // " \ /
			out = append(out, b[i])
		}
	}
	return string(out)
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// text returns the value of slot as text: a string unescaped, a number or boolean as written.
// Null and missing values are absent; objects and arrays have no text (the kind says which).
func (s *jsonScan) text(slot int32) (string, kind) {
	sp := s.vals[slot]
	switch sp.kind {
	case kString, kNumber, kBool:
		if s.made[slot] == s.gen {
			return s.texts[slot], sp.kind
		}
		var v string
		switch {
		case sp.esc:
			v = unescape(s.b[sp.start:sp.end])
		case len(s.b) <= wholeLimit:
			if s.whole == "" {
				s.whole = string(s.b)
			}
			v = s.whole[sp.start:sp.end]
		default:
			v = string(s.b[sp.start:sp.end])
		}
		s.texts[slot], s.made[slot] = v, s.gen
		return v, sp.kind
	case kNull:
		return "", kAbsent
	}
	return "", sp.kind
}

// attr returns the value of slot as an attribute: strings, json.Number for numbers (exactly as
// written), booleans, and maps and slices of those; nil when absent or null.
func (s *jsonScan) attr(slot int32) any {
	sp := s.vals[slot]
	switch sp.kind {
	case kAbsent, kNull:
		return nil
	case kString:
		v, _ := s.text(slot)
		return v
	}
	v, _ := s.build(sp.start)
	return v
}

// build constructs the value at b[i], which scan has already checked.
func (s *jsonScan) build(i int) (any, int) {
	b := s.b
	i = skipWS(b, i)
	switch c := b[i]; {
	case c == '{':
		m := make(map[string]any)
		i = skipWS(b, i+1)
		if b[i] == '}' {
			return m, i + 1
		}
		for {
			end, esc, _ := s.str(i)
			key := string(b[i+1 : end-1])
			if esc {
				key = unescape(b[i+1 : end-1])
			}
			i = skipWS(b, end) + 1 // the colon
			var v any
			v, i = s.build(i)
			m[key] = v
			i = skipWS(b, i)
			if b[i] == '}' {
				return m, i + 1
			}
			i = skipWS(b, i+1)
		}
	case c == '[':
		a := make([]any, 0, 4)
		i = skipWS(b, i+1)
		if b[i] == ']' {
			return a, i + 1
		}
		for {
			var v any
			v, i = s.build(i)
			a = append(a, v)
			i = skipWS(b, i)
			if b[i] == ']' {
				return a, i + 1
			}
			i = skipWS(b, i+1)
		}
	case c == '"':
		end, esc, _ := s.str(i)
		if esc {
			return unescape(b[i+1 : end-1]), end
		}
		return string(b[i+1 : end-1]), end
	case c == 't':
		return true, i + 4
	case c == 'f':
		return false, i + 5
	case c == 'n':
		return nil, i + 4
	}
	end, _ := number(b, i)
	return json.Number(b[i:end]), end
}
