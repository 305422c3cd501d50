package correlate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDuckDBRewrites(t *testing.T) {
	for in, want := range map[string]string{
		"CREATE TEMP TABLE x AS SELECT max(a, b), max(c) FROM temp.y":                 "CREATE TABLE x AS SELECT greatest(a, b), max(c) FROM y",
		"CREATE INDEX temp.x_k ON x(a)":                                               "",
		"SELECT 1 FROM a CROSS JOIN b ON b.id = a.id CROSS JOIN c WHERE x":            "SELECT 1 FROM a JOIN b ON b.id = a.id CROSS JOIN c WHERE x",
		"SELECT 1 FROM a CROSS JOIN (SELECT 1 FROM d, e) r ON r.k = a.k":              "SELECT 1 FROM a JOIN (SELECT 1 FROM d, e) r ON r.k = a.k",
		"SELECT group_concat(DISTINCT a || b ORDER BY a || b), group_concat(x, '; ')": "SELECT string_agg(DISTINCT a || b, ',' ORDER BY a || b), string_agg(x, '; ')",
		"SELECT 'looks like this' WHERE r LIKE 'vault:%' AND t / 3600000000000":       "SELECT 'looks like this' WHERE r ILIKE 'vault:%' AND t // 3600000000000",
		"SELECT json_extract(e.attrs, '$.a') WHERE json_type(e.attrs, p) = 'array'":   "SELECT json_extract_string(e.attrs, '$.a') WHERE json_type(e.attrs, p) = 'ARRAY'",
	} {
		require.Equal(t, want, strings.TrimSpace(DuckDB(in)), in)
	}
	require.Contains(t, DuckDB("SELECT c.value FROM inventory i, json_each(i.consumers) c"), "FROM inventory i, (SELECT key, ")
}
