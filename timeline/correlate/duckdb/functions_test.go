//go:build duckdb

package duckdb

import (
	"context"
	"database/sql"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/normalize"
)

// TestTimeTextIsFormatTime: DuckDB's time_text gives normalize.FormatTime's text for every
// nanosecond time an event can hold, the ends of int64 included.
func TestTimeTextIsFormatTime(t *testing.T) {
	ctx := context.Background()
	connector, err := duck.NewConnector("", nil)
	require.NoError(t, err)
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, registerFunctions(ctx, conn))
	values := []int64{0, 1, -1, 999_999_999, 1_000_000_000, -1_000_000_001, math.MaxInt64, math.MinInt64, math.MinInt64 + 1,
		time.Date(2026, 3, 3, 10, 4, 5, 123456789, time.UTC).UnixNano(), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(),
		time.Date(2000, 2, 29, 23, 59, 59, 999999999, time.UTC).UnixNano()}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		values = append(values, r.Int64()-math.MaxInt64/2*int64(r.IntN(3)))
	}
	for _, ns := range values {
		var got string
		require.NoError(t, conn.QueryRowContext(ctx, "SELECT time_text(CAST(? AS BIGINT))", ns).Scan(&got))
		require.Equal(t, normalize.FormatTime(time.Unix(0, ns)), got, "time_text(%d)", ns)
	}
}
