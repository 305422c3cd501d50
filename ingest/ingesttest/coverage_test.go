package ingesttest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/normalize"
)

// event is an event of stream's bytes [off, off+n), with their hash.
func event(stream string, off, n int64) normalize.Event {
	sum := sha256.Sum256([]byte(stream[off : off+n]))
	return normalize.Event{Offset: off, Length: n, RawSHA256: hex.EncodeToString(sum[:])}
}

func TestUncoveredFindsLostBytes(t *testing.T) {
	stream := `{"Records":[{"a":1},{"b":2}],"NextToken":"x","Other":{"c":3}}`
	events := []normalize.Event{event(stream, 12, 7), event(stream, 20, 7)}
	layout := Layout{Syntax: JSONContainer("NextToken")}

	gaps, err := Uncovered([]byte(stream), events, nil, layout)
	require.NoError(t, err)
	require.Equal(t, []Span{{27, 34}}, gaps, "the member no record or reject holds")

	rejects := []normalize.Reject{{Offset: 45, Length: 15}}
	gaps, err = Uncovered([]byte(stream), events, rejects, layout)
	require.NoError(t, err)
	require.Empty(t, gaps, "container syntax and declared metadata may lie between records")

	gaps, err = Uncovered([]byte(stream), events[:1], rejects, layout)
	require.NoError(t, err)
	require.Equal(t, []Span{{19, 26}}, gaps, "the lost record")

	bad := events[0]
	bad.RawSHA256 = "00"
	_, err = Uncovered([]byte(stream), []normalize.Event{bad}, nil, layout)
	require.ErrorContains(t, err, "is not the hash of its bytes")
	_, err = Uncovered([]byte(stream), nil, []normalize.Reject{{Offset: 60, Length: 5}}, layout)
	require.ErrorContains(t, err, "lies outside")
}

func TestUncoveredLinesAndOwnedSpans(t *testing.T) {
	stream := "\xEF\xBB\xBFa1\nb1\na2\n\n"
	a := event(stream, 3, 2)
	a.AttrsJSON = []byte(`{"lines":[[3,2],[9,2]]}`)
	events := []normalize.Event{a, event(stream, 6, 2)}
	gaps, err := Uncovered([]byte(stream), events, nil, Lines)
	require.NoError(t, err)
	require.Equal(t, []Span{{9, 2}}, gaps)
	gaps, err = Uncovered([]byte(stream), events, nil, Layout{Owns: AttrSpans("lines")})
	require.NoError(t, err)
	require.Empty(t, gaps)
}

func TestJSONContainer(t *testing.T) {
	syntax := JSONContainer("NextToken", "QueryStatistics")
	for gap, want := range map[string]bool{
		`{"Records":[`: true,
		`,`:            true,
		`]}`:           true,
		"],\n \"NextToken\": \"a,]}\"\n}\n{\"Records\" :\n [":        true,
		`{"QueryStatistics":{"n":[1,{"x":"}"}]},"QueryResultRows":[`: true,
		`],"Other":[`:                  true,
		`],"Other":5}`:                 false,
		`"stray string"`:               false,
		`5`:                            false,
		`{"Records":[], "NextToken": `: false,
		`garbage`:                      false,
	} {
		require.Equal(t, want, syntax(nil, 0, []byte(gap)), gap)
	}
}

func TestCSVHeader(t *testing.T) {
	stream := []byte("\xEF\xBB\xBFa,b\n1,2\n")
	require.True(t, CSVHeader(stream, 3, []byte("a,b")))
	require.False(t, CSVHeader(stream, 7, []byte("1,2")))
}
