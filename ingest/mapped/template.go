package mapped

import (
	"fmt"
	"strings"
)

// A template builds a value from several of the record's values:
// "hub-space:{data.repo.name}/{data.key}". Each {…} is a source path (a column name in CSV);
// {{ and }} stand for literal braces. When any placeholder has no value the template has none
// either: a half-built secret reference would point at the wrong secret.

type tmplPart struct {
	lit  string
	path string // set for a placeholder
	slot int32  // the placeholder's slot, set by compile
}

func parseTemplate(t string) ([]tmplPart, error) {
	var parts []tmplPart
	var lit strings.Builder
	holes := 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '{' && i+1 < len(t) && t[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(t) && t[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(t[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("template %q: { at byte %d is not closed (write {{ for a literal brace)", t, i)
			}
			path := t[i+1 : i+1+end]
			if path == "" {
				return nil, fmt.Errorf("template %q: empty {} at byte %d", t, i)
			}
			if lit.Len() > 0 {
				parts = append(parts, tmplPart{lit: lit.String(), slot: -1})
				lit.Reset()
			}
			parts = append(parts, tmplPart{path: path, slot: -1})
			holes++
			i += end + 1
		case c == '}':
			return nil, fmt.Errorf("template %q: } at byte %d has no { (write }} for a literal brace)", t, i)
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, tmplPart{lit: lit.String(), slot: -1})
	}
	if holes == 0 {
		return nil, fmt.Errorf("template %q has no {placeholder}; use value: for a constant", t)
	}
	return parts, nil
}
