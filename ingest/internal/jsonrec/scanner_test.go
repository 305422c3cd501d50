package jsonrec

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

type got struct {
	Offset, Length, Line, Index int64
	Raw, Bad                    string
}

func scanAll(t *testing.T, r io.Reader, max int, wrappers ...string) ([]got, error) {
	t.Helper()
	s := New(r, max, wrappers...)
	var out []got
	for s.Next() {
		rec := s.Record()
		out = append(out, got{rec.Offset, rec.Length, rec.Line, rec.Index, string(rec.Raw), s.Bad()})
	}
	return out, s.Err()
}

// scan runs the scanner over in both with ordinary reads and one byte at a time, which moves
// every buffer boundary through every record, and requires the same answer.
func scan(t *testing.T, in string, max int, wrappers ...string) []got {
	t.Helper()
	a, err := scanAll(t, strings.NewReader(in), max, wrappers...)
	require.NoError(t, err)
	b, err := scanAll(t, iotest.OneByteReader(strings.NewReader(in)), max, wrappers...)
	require.NoError(t, err)
	require.Equal(t, a, b, "one-byte reads must give the same records")
	for _, g := range a {
		if g.Bad == "" || !strings.Contains(g.Bad, "exceeds") {
			require.Equal(t, g.Raw, in[g.Offset:g.Offset+g.Length], "raw bytes must be the stream's bytes at the offset")
		}
	}
	return a
}

func TestJSONLines(t *testing.T) {
	in := "{\"a\":1}\n\n{\"b\":\"x\\\"}\"}\r\n{\"c\":[1,2]}"
	require.Equal(t, []got{
		{0, 7, 1, -1, `{"a":1}`, ""},
		{9, 12, 3, -1, `{"b":"x\"}"}`, ""},
		{23, 11, 4, -1, `{"c":[1,2]}`, ""},
	}, scan(t, in, 0))
}

func TestPrettyConcatenated(t *testing.T) {
	in := "{\n  \"a\": {\n    \"b\": 1\n  }\n}\n{\n  \"c\": 2\n}\n"
	recs := scan(t, in, 0)
	require.Len(t, recs, 2)
	require.Equal(t, int64(1), recs[0].Line)
	require.Equal(t, int64(6), recs[1].Line)
	require.Equal(t, "", recs[1].Bad)
}

func TestWrapperAndArray(t *testing.T) {
	in := `{"Records": [ {"x":1}, {"y":[{"z":2}]} ], "NextToken":"{not a record"}` + "\n" + `[{"q":1},{"r":2}]`
	recs := scan(t, in, 0, "Records")
	require.Equal(t, []got{
		{14, 7, 1, 0, `{"x":1}`, ""},
		{23, 15, 1, 1, `{"y":[{"z":2}]}`, ""},
		{72, 7, 2, 0, `{"q":1}`, ""},
		{80, 7, 2, 1, `{"r":2}`, ""},
	}, recs)
}

func TestWrapperKeyAfterOtherMembers(t *testing.T) {
	in := `{"QueryStatus":"FINISHED","QueryStatistics":{"EventsMatched":2,"x":[1,{"y":"]"}]},"QueryResultRows":[[{"a":"1"}],[{"b":"2"}]],"NextToken":"t"}`
	recs := scan(t, in, 0, "QueryResultRows")
	require.Len(t, recs, 2)
	require.Equal(t, `[{"a":"1"}]`, recs[0].Raw)
	require.Equal(t, int64(1), recs[1].Index)
}

func TestObjectWithoutWrapperKeyIsARecord(t *testing.T) {
	recs := scan(t, `{"eventVersion":"1","resources":[1]}`, 0, "Records")
	require.Len(t, recs, 1)
	require.Equal(t, int64(-1), recs[0].Index)
}

func TestPrettyArrayWithElementsInColumnZero(t *testing.T) {
	in := "[\n{\n  \"a\": 1\n},\n{\n  \"b\": 2\n}\n]\n"
	recs := scan(t, in, 0)
	require.Len(t, recs, 2)
	require.Equal(t, "", recs[0].Bad)
	require.Equal(t, int64(2), recs[0].Line)
	require.Equal(t, int64(5), recs[1].Line)
}

func TestBrokenLineCostsOneRecord(t *testing.T) {
	in := "{\"a\":1}\n{\"b\":\n{\"c\":3}\nnot json\n{\"d\":\"unterminated\n{\"e\":5}\n"
	recs := scan(t, in, 0)
	var bad []string
	var good []string
	for _, r := range recs {
		if r.Bad != "" {
			bad = append(bad, r.Raw)
		} else {
			good = append(good, r.Raw)
		}
	}
	require.Equal(t, []string{`{"a":1}`, `{"c":3}`, `{"e":5}`}, good)
	require.Equal(t, []string{`{"b":`, `not json`, `{"d":"unterminated`}, bad)
}

func TestOversizeRecordIsSkipped(t *testing.T) {
	big := `{"big":"` + strings.Repeat("x", 5000) + `"}`
	in := `{"a":1}` + "\n" + big + "\n" + `{"b":2}` + "\n"
	recs := scan(t, in, 1000)
	require.Len(t, recs, 3)
	require.Contains(t, recs[1].Bad, "exceeds the 1000-byte limit")
	require.Equal(t, int64(len(big)), recs[1].Length)
	require.Len(t, recs[1].Raw, 512)
	require.Equal(t, `{"b":2}`, recs[2].Raw)
	require.Equal(t, int64(3), recs[2].Line)
}

func TestTruncatedAtEndOfInput(t *testing.T) {
	recs := scan(t, `[{"a":1},{"b":`, 0)
	require.Len(t, recs, 2)
	require.Equal(t, "JSON record cut off by the end of input", recs[1].Bad)
}

func TestScalarsAndEmpty(t *testing.T) {
	require.Empty(t, scan(t, "[]", 0))
	require.Empty(t, scan(t, `{"Records":[]}`, 0, "Records"))
	require.Empty(t, scan(t, "  \n\n", 0))
	recs := scan(t, `[1, "two", null]`, 0)
	require.Equal(t, []string{"1", `"two"`, "null"}, []string{recs[0].Raw, recs[1].Raw, recs[2].Raw})
}

func TestByteOrderMark(t *testing.T) {
	recs := scan(t, "\xEF\xBB\xBF{\"a\":1}\n", 0)
	require.Equal(t, int64(3), recs[0].Offset)
}

func TestReadErrorStopsWithoutPartialRecord(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(`{"a":1}`+"\n"+`{"b":`), iotest.ErrReader(boom))
	recs, err := scanAll(t, r, 0)
	require.ErrorIs(t, err, boom)
	require.Len(t, recs, 1)
}

func TestLargeSingleLineWrapperIsStreamed(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := 0; i < 20000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"eventName":"GetObject","n":"` + strings.Repeat("y", 100) + `"}`)
	}
	b.WriteString(`]}`)
	s := New(bytes.NewReader(b.Bytes()), 4096, "Records")
	n := 0
	for s.Next() {
		require.Empty(t, s.Bad())
		n++
	}
	require.NoError(t, s.Err())
	require.Equal(t, 20000, n)
	require.LessOrEqual(t, cap(s.buf), 2*chunk, "the buffer must not grow with the file")
}

func TestWrapperAfterRecords(t *testing.T) {
	in := `{"a":1}` + "\n" + `{"kind":"EventList","items":[{"x":1},{"y":2}]}` + "\n" + `{"b":"items"}`
	recs := scan(t, in, 0, "items")
	require.Equal(t, []string{`{"a":1}`, `{"x":1}`, `{"y":2}`, `{"b":"items"}`}, []string{recs[0].Raw, recs[1].Raw, recs[2].Raw, recs[3].Raw})
}
