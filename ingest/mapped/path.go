package mapped

import (
	"fmt"
	"strings"
)

// A path names a value inside a JSON record: object keys joined by dots, array elements by
// index in brackets (actor.emails[0].value), and keys that hold dots or brackets in quoted
// brackets (labels["app.kubernetes.io/name"]). Paths are split once, when the mapping is
// compiled; records are never searched by text.

// step is one step of a path: a key, or an index when key is empty and index >= 0.
type step struct {
	key   string
	index int
}

// maxIndex bounds array indexes in paths: a mapping names a few elements, not a range.
const maxIndex = 1 << 16

// parsePath splits p into steps.
func parsePath(p string) ([]step, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	var steps []step
	i := 0
	expectKey := true // at the start and after a dot
	for i < len(p) {
		switch c := p[i]; {
		case c == '[':
			if i+1 < len(p) && p[i+1] == '"' {
				key, n, err := quotedKey(p, i+1)
				if err != nil {
					return nil, err
				}
				i = n
				if i >= len(p) || p[i] != ']' {
					return nil, fmt.Errorf("path %q: expected ] after the quoted key at byte %d", p, i)
				}
				i++
				steps = append(steps, step{key: key, index: -1})
			} else {
				j := strings.IndexByte(p[i:], ']')
				if j < 0 {
					return nil, fmt.Errorf("path %q: [ at byte %d is not closed", p, i)
				}
				idx, err := parseIndex(p[i+1 : i+j])
				if err != nil {
					return nil, fmt.Errorf("path %q: %v", p, err)
				}
				steps = append(steps, step{index: idx})
				i += j + 1
			}
			expectKey = false
			if i < len(p) && p[i] != '.' && p[i] != '[' {
				return nil, fmt.Errorf("path %q: expected . or [ after ] at byte %d", p, i)
			}
		case c == '.':
			if expectKey {
				return nil, fmt.Errorf("path %q: empty key at byte %d (quote keys that hold dots: a[\"b.c\"])", p, i)
			}
			i++
			expectKey = true
			if i == len(p) {
				return nil, fmt.Errorf("path %q ends with a dot", p)
			}
		case c == ']' || c == '"':
			return nil, fmt.Errorf("path %q: unexpected %c at byte %d", p, c, i)
		default:
			if !expectKey {
				return nil, fmt.Errorf("path %q: expected . or [ at byte %d", p, i)
			}
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' && p[j] != ']' && p[j] != '"' {
				j++
			}
			steps = append(steps, step{key: p[i:j], index: -1})
			i = j
			expectKey = false
		}
	}
	return steps, nil
}

// quotedKey reads a "…" key starting at p[i] == '"'; \" and \\ are the only escapes.
func quotedKey(p string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(p); j++ {
		switch p[j] {
		case '\\':
			if j+1 < len(p) && (p[j+1] == '"' || p[j+1] == '\\') {
				b.WriteByte(p[j+1])
				j++
				continue
			}
			return "", 0, fmt.Errorf("path %q: only \\\" and \\\\ may be escaped in a quoted key (byte %d)", p, j)
		case '"':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(p[j])
		}
	}
	return "", 0, fmt.Errorf("path %q: quoted key is not closed", p)
}

func parseIndex(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("empty index []")
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("index %q has a leading zero", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("index %q is not a number (paths name single elements: [0], [1], …)", s)
		}
		n = n*10 + int(c-'0')
		if n > maxIndex {
			return 0, fmt.Errorf("index %s is larger than %d", s, maxIndex)
		}
	}
	return n, nil
}
