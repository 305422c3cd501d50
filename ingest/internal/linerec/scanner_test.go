package linerec

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

type got struct {
	Offset, Length, Line int64
	Raw, Bad             string
}

func scanAll(r io.Reader, max int) ([]got, error) {
	s := New(r, max)
	var out []got
	for s.Next() {
		rec := s.Record()
		out = append(out, got{rec.Offset, rec.Length, rec.Line, string(rec.Raw), s.Bad()})
	}
	return out, s.Err()
}

func scan(t *testing.T, in string, max int) []got {
	t.Helper()
	a, err := scanAll(strings.NewReader(in), max)
	require.NoError(t, err)
	b, err := scanAll(iotest.OneByteReader(strings.NewReader(in)), max)
	require.NoError(t, err)
	require.Equal(t, a, b)
	return a
}

func TestLines(t *testing.T) {
	require.Equal(t, []got{
		{0, 3, 1, "one", ""},
		{5, 3, 2, "two", ""},
		{13, 5, 5, "three", ""},
	}, scan(t, "one\r\ntwo\n\n  \nthree", 0))
}

func TestLongLineIsSkippedAndScanningGoesOn(t *testing.T) {
	long := strings.Repeat("z", 3000)
	recs := scan(t, "a\n"+long+"\nb\n"+long, 1000)
	require.Len(t, recs, 4)
	require.Equal(t, "a", recs[0].Raw)
	require.Contains(t, recs[1].Bad, "line of 3000 bytes exceeds the 1000-byte limit")
	require.Equal(t, int64(3000), recs[1].Length)
	require.Len(t, recs[1].Raw, 512)
	require.Equal(t, got{3003, 1, 3, "b", ""}, recs[2])
	require.Contains(t, recs[3].Bad, "exceeds")
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	recs, err := scanAll(io.MultiReader(strings.NewReader("a\nparti"), iotest.ErrReader(boom)), 0)
	require.ErrorIs(t, err, boom)
	require.Equal(t, []got{{0, 1, 1, "a", ""}}, recs)
}
