package jsonrec

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
)

type got struct {
	Offset, Length, Line, Index int64
	Raw, Bad                    string
}

// meta is the metadata keys the scans declare.
var meta = []string{"NextToken", "QueryStatus", "QueryStatistics", "kind"}

func scanAll(t *testing.T, r io.Reader, max int, wrappers ...string) ([]got, error) {
	t.Helper()
	s := New(r, max, wrappers...).Metadata(meta...)
	var out []got
	for s.Next() {
		rec := s.Record()
		out = append(out, got{rec.Offset, rec.Length, rec.Line, rec.Index, string(rec.Raw), s.Bad()})
	}
	return out, s.Err()
}

// scan runs the scanner over in both with ordinary reads and one byte at a time, which moves
// every buffer boundary through every record, and requires the same answer and a clean end.
func scan(t *testing.T, in string, max int, wrappers ...string) []got {
	t.Helper()
	recs, err := scanErr(t, in, max, wrappers...)
	require.NoError(t, err)
	return recs
}

// scanErr is scan for input that may end badly: it returns the error that ended the scan.
func scanErr(t *testing.T, in string, max int, wrappers ...string) ([]got, error) {
	t.Helper()
	a, errA := scanAll(t, strings.NewReader(in), max, wrappers...)
	b, errB := scanAll(t, iotest.OneByteReader(strings.NewReader(in)), max, wrappers...)
	require.Equal(t, a, b, "one-byte reads must give the same records")
	require.Equal(t, errA, errB, "one-byte reads must end the same way")
	for _, g := range a {
		if g.Bad == "" || !strings.Contains(g.Bad, "exceeds") {
			require.Equal(t, g.Raw, in[g.Offset:g.Offset+g.Length], "raw bytes must be the stream's bytes at the offset")
		}
	}
	return a, errA
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

// TestTruncatedAtEndOfInput: input that ends inside a record or a container is a break at the
// end of input, as a truncated gzip is: the complete records come, the cut one does not (the
// core's break reject covers it), and the error says what was cut.
func TestTruncatedAtEndOfInput(t *testing.T) {
	for _, c := range []struct {
		in, why string
		records int
	}{
		{`[{"a":1},{"b":`, "JSON record cut off by the end of input", 1},
		{`{"Records":[{"a":1},{"b":"x`, "JSON record cut off by the end of input", 1},
		{`{"Records":[{"a":1},`, "JSON array not closed at the end of input", 1},
		{`[{"a":1}` + "\n", "JSON array not closed at the end of input", 1},
		{`{"Records":[{"a":1}] `, "container object not closed at the end of input", 1},
		{`{"Records":[{"a":1}],"NextTok`, "container object not closed at the end of input", 1},
		{`{"Records":[{"a":1}],"NextToken":"ab`, "JSON record cut off by the end of input", 1},
		{`{"a":1}` + "\n" + `{"b":`, "JSON record cut off by the end of input", 1},
	} {
		recs, err := scanErr(t, c.in, 0, "Records")
		require.Len(t, recs, c.records, c.in)
		for _, r := range recs {
			require.Empty(t, r.Bad, c.in)
		}
		require.ErrorIs(t, err, ErrTruncated, c.in)
		var re *ingest.ReadError
		require.ErrorAs(t, err, &re)
		require.Equal(t, int64(len(c.in)), re.Offset, "the break is at the end of input: %s", c.in)
		require.EqualError(t, re.Err, c.why+" (truncated)", c.in)
	}
}

// TestUnexpectedMembersAreRead: a wrapper object's members other than its record array and
// declared metadata never vanish: an array's elements are records, anything else is a bad
// record spanning the member.
func TestUnexpectedMembersAreRead(t *testing.T) {
	in := `{"Records":[{"x":1}],"Other":[{"y":2},3],"n":5,"o":{"z":[1]},"NextToken":"t"}`
	require.Equal(t, []got{
		{12, 7, 1, 0, `{"x":1}`, ""},
		{30, 7, 1, 0, `{"y":2}`, ""},
		{38, 1, 1, 1, `3`, ""},
		{41, 5, 1, -1, `"n":5`, `unexpected member "n" of the container object, not read (not a record array of this format)`},
		{47, 13, 1, -1, `"o":{"z":[1]}`, `unexpected member "o" of the container object, not read (not a record array of this format)`},
	}, scan(t, in, 0, "Records"))

	// Members before the record array are read the same way.
	recs := scan(t, `{"Other":"x","QueryStatus":"FINISHED","Records":[{"x":1}]}`+"\n"+`{"a":1}`, 0, "Records")
	require.Equal(t, []string{`"Other":"x"`, `{"x":1}`, `{"a":1}`}, []string{recs[0].Raw, recs[1].Raw, recs[2].Raw})
	require.Contains(t, recs[0].Bad, `unexpected member "Other"`)

	// What cannot be walked member by member is one bad record up to the object's end.
	recs = scan(t, `{"Records":[{"x":1}], 5, "n":{"a":"}"}}`+"\n"+`{"b":2}`, 0, "Records")
	require.Equal(t, []got{
		{12, 7, 1, 0, `{"x":1}`, ""},
		{22, 17, 1, -1, `5, "n":{"a":"}"}}`, "container object is not well-formed JSON here: its rest is not read"},
		{40, 7, 2, -1, `{"b":2}`, ""},
	}, recs)
	recs = scan(t, `{"Records":[], "n": }`, 0, "Records")
	require.Equal(t, []got{{15, 6, 1, -1, `"n": }`, `container member "n" has no value: the rest of the container object is not read`}}, recs)

	// A bad metadata value is reported, a long one is still metadata.
	recs = scan(t, `{"Records":[], "NextToken": {"a": tru`+"\n"+`e}}`, 0, "Records")
	require.Len(t, recs, 0, "a value split over lines is fine inside a container")
	recs = scan(t, `{"Records":[], "NextToken": "`+strings.Repeat("t", 3000)+`"}`, 1024, "Records")
	require.Empty(t, recs)
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

func TestMemberNamesTheArray(t *testing.T) {
	s := New(strings.NewReader(`{"Records":[{"x":1}],"Other":[{"y":2}]}`+"\n"+`[{"z":3}]`+"\n"+`{"a":1}`), 0, "Records")
	var got []string
	for s.Next() {
		got = append(got, s.Member())
	}
	require.NoError(t, s.Err())
	require.Equal(t, []string{"Records", "Other", "", ""}, got)
}

// TestLinesAfterLongMember: a member over the limit, its key and value on different lines,
// leaves the line count right.
func TestLinesAfterLongMember(t *testing.T) {
	in := "{\"Records\":[],\n\"Other\":\n\"" + strings.Repeat("x", 3000) + "\",\n\"n\":\n1}\n{\"a\":1}"
	recs := scan(t, in, 1024, "Records")
	require.Len(t, recs, 3)
	require.Equal(t, []int64{2, 4, 6}, []int64{recs[0].Line, recs[1].Line, recs[2].Line})
	require.Contains(t, recs[0].Bad, "exceeds the 1024-byte limit")
}
