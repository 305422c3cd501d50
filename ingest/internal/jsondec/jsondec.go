// Package jsondec is the one JSON decoder the ingesters use. It is github.com/goccy/go-json,
// which decodes log records about five times faster than encoding/json; keeping the choice behind
// this function means it can be swapped, and its tests hold it to encoding/json's results.
package jsondec

import (
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// Unmarshal decodes data into v with encoding/json semantics, except for invalid UTF-8: JSON
// decoders silently turn such bytes into U+FFFD, losing them, so they are first rewritten as the
// text \xNN (the form normalize.CleanString uses for line formats). The record's bytes in the
// evidence, and their hash, are untouched.
func Unmarshal(data []byte, v any) error {
	if !utf8.Valid(data) {
		data = escapeInvalid(data)
	}
	return gojson.Unmarshal(data, v)
}

// RawMessage is a raw encoded JSON value, decoded later or not at all.
type RawMessage = gojson.RawMessage

// escapeInvalid returns a copy of data with each byte that is not part of valid UTF-8 replaced by
// the JSON text \\xNN, which decodes to the four characters \xNN. Outside strings such a byte
// makes the record invalid anyway; inside one it now survives decoding.
func escapeInvalid(data []byte) []byte {
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(data)+16)
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			out = append(out, '\\', '\\', 'x', hex[data[i]>>4], hex[data[i]&0xf])
			i++
			continue
		}
		out = append(out, data[i:i+size]...)
		i += size
	}
	return out
}
