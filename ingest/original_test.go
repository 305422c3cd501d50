package ingest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOriginalsReadsEveryRecordInOnePass: records come back in the order asked whatever the
// order of their offsets, overlapping spans share bytes without clobbering each other, and a span
// past the end of a truncated stream is named while the others are still returned.
func TestOriginalsReadsEveryRecordInOnePass(t *testing.T) {
	text := "alpha\nbravo\ncharlie\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	dir := t.TempDir()
	for name, content := range map[string][]byte{"plain.log": []byte(text), "packed.log.gz": gz.Bytes()} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, content, 0o644))
		sum := sha256.Sum256(content)
		want := hex.EncodeToString(sum[:])

		recs, err := Originals(path, want, []Span{{12, 7}, {0, 5}, {6, 5}, {0, 5}, {3, 5}})
		require.NoError(t, err, name)
		require.Equal(t, [][]byte{[]byte("charlie"), []byte("alpha"), []byte("bravo"), []byte("alpha"), []byte("ha\nbr")}, recs, name)
		_ = append(recs[1], "XXXX"...)
		require.Equal(t, "ha\nbr", string(recs[4]), "a record's capacity ends with it")

		recs, err = Originals(path, want, []Span{{6, 5}, {18, 10}, {40, 1}})
		require.ErrorContains(t, err, "record at offset 18 (10 bytes): the stream ends at byte 20")
		require.ErrorContains(t, err, "record at offset 40 (1 bytes)")
		require.Equal(t, [][]byte{[]byte("bravo"), nil, nil}, recs, name)

		rec, err := Original(path, want, 6, 5)
		require.NoError(t, err)
		require.Equal(t, "bravo", string(rec))

		_, err = Originals(path, "00", []Span{{0, 5}})
		require.ErrorContains(t, err, "has changed since it was ingested")
	}
}
