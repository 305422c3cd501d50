package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"
)

// exportedText is everything a reader of an export file can get out of it, as text: the raw
// bytes, and for containers and compressed formats what they hold (every part of an xlsx zip;
// every value and the metadata of an Arrow or Parquet file, decoded with arrow-go; the text of a
// PDF, extracted with pdftotext, which CI installs).
func exportedText(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var b strings.Builder
	b.Write(raw)
	b.WriteByte('\n')
	switch filepath.Ext(path) {
	case ".xlsx", ".zip":
		zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		require.NoError(t, err)
		for _, f := range zr.File {
			rc, err := f.Open()
			require.NoError(t, err)
			_, err = io.Copy(&b, rc)
			require.NoError(t, err)
			rc.Close()
		}
	case ".arrow":
		r, err := ipc.NewFileReader(bytes.NewReader(raw))
		require.NoError(t, err)
		defer r.Close()
		b.WriteString(r.Schema().String())
		for i := 0; i < r.NumRecords(); i++ {
			rec, err := r.RecordBatch(i)
			require.NoError(t, err)
			recordText(&b, rec)
		}
	case ".pdf":
		bin, err := exec.LookPath("pdftotext")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("pdftotext is not installed (apt-get install poppler-utils); CI requires it")
			}
			t.Logf("pdftotext is not installed: the text of %s is not searched", path)
			break
		}
		text, err := exec.Command(bin, "-layout", path, "-").Output()
		require.NoError(t, err)
		b.Write(text)
	case ".parquet":
		r, err := file.OpenParquetFile(path, false)
		require.NoError(t, err)
		defer r.Close()
		kv := r.MetaData().KeyValueMetadata()
		for i, k := range kv.Keys() {
			fmt.Fprintf(&b, "%s=%s\n", k, kv.Values()[i])
		}
		fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{BatchSize: 10_000}, memory.DefaultAllocator)
		require.NoError(t, err)
		rr, err := fr.GetRecordReader(context.Background(), nil, nil)
		require.NoError(t, err)
		defer rr.Release()
		for rr.Next() {
			recordText(&b, rr.RecordBatch())
		}
		require.NoError(t, rr.Err())
	}
	return b.String()
}

func recordText(b *strings.Builder, rec arrow.RecordBatch) {
	for c := 0; c < int(rec.NumCols()); c++ {
		col := rec.Column(c)
		for i := 0; i < col.Len(); i++ {
			b.WriteString(col.ValueStr(i))
			b.WriteByte('\n')
		}
	}
}
