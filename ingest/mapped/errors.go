package mapped

import (
	"fmt"
	"strconv"
	"strings"
)

// MappingError is a fault in a mapping file, located by file, line and the key it concerns, so
// that the examiner can fix the mapping without guessing which of its entries is wrong. It prints
// as `mapping.yaml:12: field "time": unknown transform "epoch_sec" (known: …)`. Parse and Load
// return every fault they find, joined with errors.Join; errors.As finds the first.
type MappingError struct {
	File string // the mapping's name as given to Parse, or its path as given to Load
	Line int    // 1-based; 0 when the fault is the file as a whole
	// Key is where in the mapping the fault is: "fields.time", "attrs.country", "detect", or ""
	// for the top level.
	Key string
	Err error
}

// Error prints the fault as path:line: key: message, the form editors and terminals link to.
func (e *MappingError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if label := keyLabel(e.Key); label != "" {
		b.WriteString(label)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying fault (a regexp syntax error, for instance).
func (e *MappingError) Unwrap() error { return e.Err }

// keyLabel names a key the way a mapping author thinks of it: field "time", attr "country".
func keyLabel(key string) string {
	if name, ok := strings.CutPrefix(key, "fields."); ok {
		return fmt.Sprintf("field %q", name)
	}
	if name, ok := strings.CutPrefix(key, "attrs."); ok {
		return fmt.Sprintf("attr %q", name)
	}
	return key
}
