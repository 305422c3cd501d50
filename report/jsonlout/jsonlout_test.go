package jsonlout_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/normalize"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/report/jsonlout"
)

// Events leave out keys without a value and read back as events with the same values.
func TestEventsAreTheEventModel(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.jsonl")
	const n = 30
	require.NoError(t, jsonlout.Format{}.Write(ctx, path, &export.Request{Table: exporttest.Events(n)}))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	i := 0
	for ; sc.Scan(); i++ {
		var e normalize.Event
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e), sc.Text())
		row := exporttest.EventRow(i)
		require.Equal(t, row[0], e.ID)
		require.True(t, row[1].(time.Time).Equal(e.Time))
		if row[9] == nil {
			require.NotContains(t, sc.Text(), `"principal"`)
		} else {
			require.Equal(t, row[9], e.Principal)
		}
		if row[25] != nil {
			require.JSONEq(t, row[25].(string), string(e.AttrsJSON))
		}
	}
	require.Equal(t, n, i)
}

// Result tables keep every key, null where there is no value.
func TestResultTablesKeepNulls(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.jsonl")
	tab := &export.Table{Name: "findings", Columns: export.FindingColumns, Rows: func(ctx context.Context, fn func(export.Row) error) error {
		return fn(export.Row{"f1", "rule@1", "high", time.Date(2026, 3, 3, 1, 2, 3, 4, time.UTC), "a \"summary\"", nil, nil, nil, nil, `["e1"]`})
	}}
	require.NoError(t, jsonlout.Format{}.Write(ctx, path, &export.Request{Table: tab}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, `{"id":"f1","rule":"rule@1","severity":"high","time":"2026-03-03T01:02:03.000000004Z","summary":"a \"summary\"","credential":null,"secret_ref":null,"owner":null,"src_ip":null,"events":["e1"]}`+"\n", string(b))
}
