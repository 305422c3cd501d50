package timeline

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/normalize"
)

// Events read through the dictionary are the events read through the joined query, byte for
// byte, for every fixture, with and without filters and limits; a dictionary too large to hold
// falls back to the joined query with the same result.
func TestDictionaryReaderMatchesTheJoinedQuery(t *testing.T) {
	ctx := context.Background()
	c, _ := ingestFixtures(t)
	joined := func(f Filter) []string {
		where, args, err := f.where()
		require.NoError(t, err)
		var out []string
		n := 0
		require.NoError(t, scanEvents(ctx, c.db, selectEvent+where+eventOrder, args, func(e *normalize.Event) error {
			if f.match(e) && (f.Limit == 0 || n < f.Limit) {
				out = append(out, string(e.AppendJSON(nil)))
				n++
			}
			return nil
		}))
		return out
	}
	viaDict := func(f Filter) []string {
		var out []string
		done, err := c.eventsByDict(ctx, f, func(e *normalize.Event) error {
			out = append(out, string(e.AppendJSON(nil)))
			return nil
		})
		require.NoError(t, err)
		require.True(t, done)
		return out
	}
	all := joined(Filter{})
	require.NotEmpty(t, all)
	var coded int
	require.NoError(t, c.db.QueryRow(`SELECT count(*) FROM events WHERE attrs_shape_sid IS NOT NULL
		AND instr(substr(attrs, 2), '[') > 0`).Scan(&coded))
	require.Positive(t, coded, "the fixtures have attrs strings stored as ids")
	for _, f := range []Filter{{}, {Categories: []string{"http_request"}}, {IP: "10.0.0.0/8"}, {Limit: 7},
		{Sources: []string{"access-log", "aws-cloudtrail"}, Limit: 20000}} {
		require.Equal(t, joined(f), viaDict(f), "%+v", f)
	}
	var events []string
	require.NoError(t, c.Events(ctx, Filter{}, func(e *normalize.Event) error {
		events = append(events, string(e.AppendJSON(nil)))
		return nil
	}))
	require.Equal(t, all, events)

	// A filter on text, and a dictionary over the bound, take the joined query.
	done, err := c.eventsByDict(ctx, Filter{Contains: "x"}, func(*normalize.Event) error { return nil })
	require.NoError(t, err)
	require.False(t, done)
	tx, err := c.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	d, err := loadDictionary(ctx, tx, 3)
	require.NoError(t, err)
	require.Nil(t, d)
}
