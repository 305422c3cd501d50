package parquet_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/report/parquet"
)

// files lists the Parquet files under root, relative and in path order.
func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	}))
	slices.Sort(out)
	return out
}

// withoutSource drops the source column (index 4 of the events), as partitioned files do.
func withoutSource(r export.Row) export.Row {
	return append(append(export.Row(nil), r[:4]...), r[5:]...)
}

func TestPartitionLayout(t *testing.T) {
	table := exporttest.Events(150_000) // 62.5 hours from 2026-03-03 10:00: four days
	want, err := exporttest.Collect(context.Background(), table)
	require.NoError(t, err)
	root := write(t, table, "day", "source")
	got := files(t, root)
	var expect []string
	for _, day := range []string{"2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"} {
		for _, src := range []string{"access-log", "aws-cloudtrail", "vault-audit"} {
			expect = append(expect, "day="+day+"/source="+src+"/part-0.parquet")
		}
	}
	require.Equal(t, expect, got)

	// each file holds exactly its partition's rows, in table order, without the source column
	for _, name := range got {
		day := strings.TrimPrefix(strings.Split(name, "/")[0], "day=")
		src := strings.TrimPrefix(strings.Split(name, "/")[1], "source=")
		var part []export.Row
		for _, r := range want {
			if r[1].(time.Time).Format(time.DateOnly) == day && r[4] == src {
				part = append(part, withoutSource(r))
			}
		}
		f := read(t, filepath.Join(root, name))
		require.Empty(t, f.schema.FieldIndices("source"), "source is in the path, not the file")
		requireRows(t, part, f.rows)
	}

	day := files(t, write(t, table, "day"))
	require.Equal(t, []string{"day=2026-03-03/part-0.parquet", "day=2026-03-04/part-0.parquet",
		"day=2026-03-05/part-0.parquet", "day=2026-03-06/part-0.parquet"}, day)
	src := files(t, write(t, table, "source"))
	require.Equal(t, []string{"source=access-log/part-0.parquet", "source=aws-cloudtrail/part-0.parquet",
		"source=vault-audit/part-0.parquet"}, src)
}

// TestPartitionOpenLimit shows the open-writer policy: past MaxOpen, the partition written
// least recently is closed and continues in part-1, and the result is still every row once.
func TestPartitionOpenLimit(t *testing.T) {
	table := exporttest.Events(3000)
	dir := filepath.Join(t.TempDir(), "out")
	req := &export.Request{Table: table, Meta: exporttest.Meta("events"), Partition: []string{"source"}}
	require.NoError(t, parquet.Format{MaxOpen: 2, BufferBytes: 64 << 10}.Write(context.Background(), dir, req))
	got := files(t, dir)
	require.Contains(t, got, "source=access-log/part-1.parquet")
	var n int
	for _, name := range got {
		n += len(read(t, filepath.Join(dir, name)).rows)
	}
	require.Equal(t, 3000, n)

	// the same input, the same files, byte for byte
	again := filepath.Join(t.TempDir(), "out")
	require.NoError(t, parquet.Format{MaxOpen: 2, BufferBytes: 64 << 10}.Write(context.Background(), again, req))
	require.Equal(t, got, files(t, again))
	for _, name := range got {
		require.Equal(t, fileBytes(t, filepath.Join(dir, name)), fileBytes(t, filepath.Join(again, name)), name)
	}
}

func TestPartitionErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		table *export.Table
		keys  []string
		err   string
	}{
		{exporttest.Events(1), []string{"source", "day"}, "keys must be distinct and in the order day,source"},
		{exporttest.Events(1), []string{"day", "day"}, "keys must be distinct"},
		{exporttest.Events(1), []string{"hour"}, `unknown partition key "hour" (known: day, source)`},
		{arrowtest.Table("credentials", export.CredentialColumns, 1), []string{"day"}, "--partition day needs a time column, and the credentials table has none"},
		{arrowtest.Table("findings", export.FindingColumns, 1), []string{"source"}, "--partition source needs a source column, and the findings table has none"},
	} {
		req := &export.Request{Table: c.table, Meta: exporttest.Meta(c.table.Name), Partition: c.keys}
		err := parquet.Format{}.Write(ctx, filepath.Join(t.TempDir(), "out"), req)
		require.ErrorContains(t, err, c.err)
	}
	require.True(t, parquet.Format{}.Dir(&export.Request{Partition: []string{"day"}}))
	require.False(t, parquet.Format{}.Dir(&export.Request{}))
}

// TestPartitionValues covers folder names: Hive escaping and the null partition.
func TestPartitionValues(t *testing.T) {
	cols := []export.Column{{Name: "time", Kind: export.Time, Nullable: true}, {Name: "source", Kind: export.String}}
	at := time.Date(2024, 5, 31, 23, 59, 59, 999999999, time.UTC)
	rows := []export.Row{{at, "a/b=c:d"}, {nil, "plain"}, {at, ""}}
	table := &export.Table{Name: "t", Columns: cols, Rows: func(ctx context.Context, fn func(export.Row) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}}
	require.Equal(t, []string{
		"day=2024-05-31/source=__HIVE_DEFAULT_PARTITION__/part-0.parquet",
		"day=2024-05-31/source=a%2Fb%3Dc%3Ad/part-0.parquet",
		"day=__HIVE_DEFAULT_PARTITION__/source=plain/part-0.parquet",
	}, files(t, write(t, table, "day", "source")))
}
