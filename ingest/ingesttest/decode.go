package ingesttest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest/internal/jsondec"
	"github.com/breachline/breachline/ingest/internal/jsonrec"
)

// Unmarshal is a JSON decoding function: jsondec.Unmarshal or encoding/json's.
type Unmarshal func(data []byte, v any) error

// DecoderMatches decodes every record of the JSON inputs in dir (testdata/*.json*, golden files
// excepted) into a T twice, with the fast decoder behind jsondec and with encoding/json, and
// requires the same value: jsondec promises encoding/json's semantics, and every format holds it
// to that on its own fixtures. decode is the package's decoding step, given the decoder to use;
// at least min records must be compared.
func DecoderMatches[T any](t *testing.T, dir string, min int, wrappers []string, decode func(raw []byte, v *T, u Unmarshal) error) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json*"))
	require.NoError(t, err)
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".golden.jsonl") {
			continue
		}
		f, err := os.Open(path)
		require.NoError(t, err)
		sc := jsonrec.New(f, 0, wrappers...)
		for sc.Next() {
			if sc.Bad() != "" {
				continue
			}
			var fast, std T
			errFast := decode(sc.Record().Raw, &fast, jsondec.Unmarshal)
			errStd := decode(sc.Record().Raw, &std, json.Unmarshal)
			require.Equal(t, errStd == nil, errFast == nil, "%s@%d: decoders disagree on validity", path, sc.Record().Offset)
			if errStd == nil {
				require.Equal(t, std, fast, "%s@%d", path, sc.Record().Offset)
			}
			n++
		}
		f.Close()
	}
	require.GreaterOrEqual(t, n, min, "too few records compared")
}

// Plain is the decoding step of formats that decode a record directly into their struct.
func Plain[T any](raw []byte, v *T, u Unmarshal) error { return u(raw, v) }
