package linerec

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJSONLinesCutsOnlyBeforeWholeRecords: a file is cut only when it is JSON lines, and only
// before a line that is one whole object naming no wrapper key.
func TestJSONLinesCutsOnlyBeforeWholeRecords(t *testing.T) {
	for head, splits := range map[string]bool{
		"{\"a\":1}\n{\"b\":2}\n":                 true,
		"\xef\xbb\xbf\n  \n{\"a\":\"}{\"}\r\n":   true,
		"{\n  \"a\": 1\n}\n":                     false, // pretty-printed
		"[{\"a\":1},\n{\"b\":2}]\n":              false, // an array
		"{\"entries\":[{\"a\":1}]}\n{\"b\":2}\n": false, // a container first
		"{\"a\":1}":                              false, // the first line does not end in head
		"not json\n{\"a\":1}\n":                  false,
	} {
		require.Equal(t, splits, JSONLines([]byte(head), "entries") != nil, "%q", head)
	}

	cut := JSONLines([]byte("{\"a\":1}\n"), "entries")
	for line, ok := range map[string]bool{
		`{"a":1}`:                        true,
		`{"a":"} {","b":[1,{"c":"\""}]}`: true,
		"{\"a\":1}  \r":                  true,
		`{"a":1},`:                       false, // an array element
		`{"a":1} {"b":2}`:                false, // two records
		`{"a":{"b":1}`:                   false, // not closed
		` {"a":1}`:                       false, // not in the first column
		`{"a":"}`:                        false, // a string not closed
		`{"entries":[]}`:                 false, // names a wrapper key
		"\xef\xbb\xbf{\"a\":1}":          false, // a byte-order mark
		"":                               false,
	} {
		require.Equal(t, ok, cut([]byte(line)), "%q", line)
	}
}
