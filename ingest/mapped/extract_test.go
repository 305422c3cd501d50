package mapped

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// scanPaths are the paths the differential tests read.
var scanPaths = []string{"a", "a.b", "a.b.c", "a[0]", "a[1].b", "b", "b[2]", `c["x.y"]`, "d", "ts", "op", "actor.name", "detail"}

func newTestScan(t testing.TB) (*jsonScan, []int32) {
	tr := newTrie()
	var next int32
	slots := make([]int32, len(scanPaths))
	for i, p := range scanPaths {
		steps, err := parsePath(p)
		require.NoError(t, err)
		slots[i] = tr.add(steps, &next)
	}
	tr.finish()
	return newJSONScan(tr, next), slots
}

// lookup finds a path in a value decoded by encoding/json.
func lookup(v any, steps []step) (any, bool) {
	for _, st := range steps {
		if st.index < 0 {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[st.key]; !ok {
				return nil, false
			}
		} else {
			a, ok := v.([]any)
			if !ok || st.index >= len(a) {
				return nil, false
			}
			v = a[st.index]
		}
	}
	return v, true
}

// checkAgainstStd holds the scanner to encoding/json: it accepts the same objects (but for keys
// given twice on a mapped path, which it refuses on purpose) and finds the same values.
func checkAgainstStd(t *testing.T, data []byte) {
	js, slots := newTestScan(t)
	err := js.scan(data)
	var std any
	var stdErr error
	if !json.Valid(data) {
		stdErr = errors.New("invalid")
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		stdErr = dec.Decode(&std)
	}
	_, isObject := std.(map[string]any)
	if err != nil && strings.Contains(err.Error(), "appears twice") {
		return // refused on purpose, whether or not the rest of the record is valid
	}
	if stdErr != nil || !isObject {
		require.Error(t, err, "scan accepted what encoding/json rejects or is not an object: %q", data)
		return
	}
	require.NoError(t, err, "scan rejected a valid object: %q", data)
	if !utf8.Valid(data) {
		return // encoding/json replaces invalid bytes, scan keeps them: values differ on purpose
	}
	for i, p := range scanPaths {
		steps, _ := parsePath(p)
		want, found := lookup(std, steps)
		got, k := js.text(slots[i])
		switch w := want.(type) {
		case nil:
			require.Equal(t, kAbsent, k, "%s in %q", p, data)
			_ = found
		case string:
			require.Equal(t, kString, k, p)
			require.Equal(t, w, got, "%s in %q", p, data)
		case json.Number:
			require.Equal(t, kNumber, k, p)
			require.Equal(t, string(w), got, p)
		case bool:
			require.Equal(t, kBool, k, p)
			require.Equal(t, map[bool]string{true: "true", false: "false"}[w], got, p)
		case map[string]any:
			require.Equal(t, kObject, k, p)
		case []any:
			require.Equal(t, kArray, k, p)
		}
		if found {
			require.True(t, reflect.DeepEqual(want, js.attr(slots[i])), "attr %s in %q: %#v", p, data, js.attr(slots[i]))
		}
	}
}

func TestScanMatchesEncodingJSON(t *testing.T) {
	cases := []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":{"b":{"c":"deep"}}}`, `{"a":[1,{"b":2}]}`, `{"a":[]}`,
		`{"b":[0,1,"two",3]}`, `{"c":{"x.y":"dotted"}}`, `{"a":"\u00e9\n\t\"\\\/\b\f\r"}`,
		`{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\ude00x"}`, `{"a":"\ud83d\u0041"}`,
		`{"a":-0.5e+10}`, `{"a":0}`, `{"a":-0}`, `{"a":1E5}`, `{"a":true,"b":false,"d":null}`,
		`{"d":{"k":[1,2,{"z":null}]}}`, `{"a\u002eb":1}`, `{"\u0061":"escaped key"}`,
		// invalid
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":+1}`, `{"a":1e}`, `{"a":tru}`,
		`{"a":"x` + "\n" + `"}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a" 1}`, `{"a":1,}`, `{,}`,
		`{"a":[1,]}`, `{"a":1}}`, `{"a":1} x`, `[{"a":1}]`, `"a"`, `{'a':1}`, `{"a":NaN}`,
		`{"a":1`, `{"a"`, `{"a":[`, `{"a":"x"` + "\x00" + `}`,
		// duplicates: on a mapped path they are refused, elsewhere allowed
		`{"a":1,"a":2}`, `{"zz":1,"zz":2}`, `{"a":{"b":1,"b":1}}`,
	}
	for _, c := range cases {
		t.Run(c, func(t *testing.T) { checkAgainstStd(t, []byte(c)) })
	}
	// Every fixture record too.
	files, _ := filepath.Glob("testdata/*/*.json*")
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.jsonl") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 && line[0] == '{' {
				checkAgainstStd(t, line)
			}
		}
	}
}

func TestScanDepth(t *testing.T) {
	js, _ := newTestScan(t)
	deep := `{"x":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`
	require.ErrorContains(t, js.scan([]byte(deep)), "nested deeper than 512 levels")
}

// FuzzScan compares the scanner with encoding/json on arbitrary input.
func FuzzScan(f *testing.F) {
	for _, s := range []string{`{"a":{"b":{"c":"x"}},"b":[1,2,3]}`, `{"a":[{"b":"\u00e9"}]}`, `{"c":{"x.y":null}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkAgainstStd(t, data) })
}
