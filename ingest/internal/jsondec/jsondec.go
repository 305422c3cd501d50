// Package jsondec is the one JSON decoder the ingesters use. It is github.com/goccy/go-json,
// which decodes log records about five times faster than encoding/json; keeping the choice behind
// this function means it can be swapped, and its tests hold it to encoding/json's results.
package jsondec

import gojson "github.com/goccy/go-json"

// Unmarshal decodes data into v with encoding/json semantics.
func Unmarshal(data []byte, v any) error { return gojson.Unmarshal(data, v) }

// RawMessage is a raw encoded JSON value, decoded later or not at all.
type RawMessage = gojson.RawMessage
