package parquet_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/arrowout"
	"github.com/breachline/breachline/report/arrowout/arrowtest"
	"github.com/breachline/breachline/report/export"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/report/parquet"
)

func write(t *testing.T, table *export.Table, partition ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), table.Name+".parquet")
	req := &export.Request{Table: table, Meta: exporttest.Meta(table.Name), Partition: partition}
	require.NoError(t, parquet.Format{}.Write(context.Background(), path, req))
	return path
}

// pqFile is a Parquet file read back with arrow-go.
type pqFile struct {
	schema    *arrow.Schema
	rows      []export.Row
	rowGroups int
	createdBy string
	zstd      bool
}

func read(t *testing.T, path string) *pqFile {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	require.NoError(t, err)
	defer r.Close()
	fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{BatchSize: 10_000}, memory.DefaultAllocator)
	require.NoError(t, err)
	out := &pqFile{rowGroups: r.NumRowGroups(), createdBy: r.MetaData().GetCreatedBy(), zstd: true}
	for i := range r.NumRowGroups() {
		rg := r.MetaData().RowGroup(i)
		for c := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(c)
			require.NoError(t, err)
			out.zstd = out.zstd && cc.Compression().String() == "ZSTD"
		}
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	require.NoError(t, err)
	defer rr.Release()
	out.schema, err = fr.Schema()
	require.NoError(t, err)
	for rr.Next() {
		rows, err := arrowtest.Rows(rr.RecordBatch())
		require.NoError(t, err)
		out.rows = append(out.rows, rows...)
	}
	require.NoError(t, rr.Err())
	return out
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

func requireRows(t *testing.T, want, got []export.Row) {
	t.Helper()
	require.Equal(t, len(want), len(got), "rows")
	for i := range want {
		if !arrowtest.Equal(want[i], got[i]) {
			require.Equal(t, want[i], got[i], "row %d", i)
		}
	}
}

func TestEventsRoundTrip(t *testing.T) {
	table := exporttest.Events(150_000)
	f := read(t, write(t, table))
	want, err := exporttest.Collect(context.Background(), table)
	require.NoError(t, err)
	requireRows(t, want, f.rows)
	require.Equal(t, 3, f.rowGroups)
	require.Equal(t, "breachline version test", f.createdBy)
	require.True(t, f.zstd, "every column chunk zstd")
	// the stored Arrow schema gives back the types of the Arrow export, metadata included
	for i, c := range export.EventColumns {
		field := f.schema.Field(i)
		require.Equal(t, c.Name, field.Name)
		require.Equal(t, c.Nullable, field.Nullable, c.Name)
		require.True(t, arrow.TypeEqual(arrowout.Type(c), field.Type), "%s: %s", c.Name, field.Type)
	}
	md := f.schema.Metadata()
	v, _ := md.GetValue(arrowout.KeyAsOfSeq)
	require.Equal(t, "7", v)
}

func TestOtherTablesRoundTrip(t *testing.T) {
	for _, table := range arrowtest.Tables(50) {
		t.Run(table.Name, func(t *testing.T) {
			f := read(t, write(t, table))
			want, err := exporttest.Collect(context.Background(), table)
			require.NoError(t, err)
			requireRows(t, want, f.rows)
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, table := range append(arrowtest.Tables(100), exporttest.Events(70_000)) {
		a, err := os.ReadFile(write(t, table))
		require.NoError(t, err)
		b, err := os.ReadFile(write(t, table))
		require.NoError(t, err)
		require.True(t, string(a) == string(b), "%s: two exports differ", table.Name)
	}
}

func TestEmptyTable(t *testing.T) {
	f := read(t, write(t, exporttest.Events(0)))
	require.Empty(t, f.rows)
	require.Equal(t, len(export.EventColumns), f.schema.NumFields())
}
