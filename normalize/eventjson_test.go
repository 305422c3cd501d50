package normalize

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestJSONKeysAreTheContract checks that a fully populated event prints exactly Fields, in order.
func TestJSONKeysAreTheContract(t *testing.T) {
	e := Event{ID: "x", Time: time.Unix(1, 5).UTC(), TimeRaw: "r", TZBasis: TZExplicit, Source: "s", Parser: "p@1",
		Category: Auth, Action: "a", Outcome: Success, Principal: "pr", PrincipalType: "pt", SrcIP: "1.2.3.4",
		UserAgent: "ua", Credential: "aws-key-id:AKIA", Resource: "r", ResourceType: "rt", SecretRef: "s:r",
		RequestID: "q", EvidenceSHA256: "e", EvidencePath: "p", Offset: 1, Length: 2, Line: 3, RecordIndex: 0,
		RawSHA256: "h", Attrs: map[string]any{"k": "v"}}
	b, err := e.MarshalJSON()
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	_, _ = dec.Token()
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	require.Equal(t, Fields, keys)

	var back Event
	require.NoError(t, json.Unmarshal(b, &back))
	b2, _ := back.MarshalJSON()
	require.Equal(t, string(b), string(b2))
}

func TestEmptyValuesAreOmittedButOffsetsKept(t *testing.T) {
	e := Event{ID: "x", RecordIndex: NoIndex}
	b, _ := e.MarshalJSON()
	require.Equal(t, `{"id":"x","offset":0,"length":0}`, string(b))
}

// TestMarshalAttrsMatchesEncodingJSON holds the hand-written attrs encoder to encoding/json's
// output (without HTML escaping) on the value types ingesters use.
func TestMarshalAttrsMatchesEncodingJSON(t *testing.T) {
	attrs := map[string]any{
		"s": "a<b>&\"q\"\n\x01é", "i": 42, "i64": int64(-7), "f": 1.5, "fi": float64(3), "b": true, "n": nil,
		"ss": []string{"x", "y"}, "as": []any{"x", 1.25, false}, "m": map[string]any{"z": 1, "a": "b"},
		"big": 1e20, "tiny": 1e-9, "huge": 1e21,
	}
	got, err := MarshalAttrs(attrs)
	require.NoError(t, err)
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(attrs))
	require.Equal(t, strings.TrimSuffix(sb.String(), "\n"), string(got))
}
