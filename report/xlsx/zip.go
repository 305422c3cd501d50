package xlsx

import (
	"archive/zip"
	"errors"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"
)

// sortedZip is the zip writer excelize saves through. It makes the package reproducible:
// excelize writes its streamed sheets in map order, which changes from run to run, so entries
// are first written to a spool file and then copied, still compressed, into the output in name
// order; and every entry carries the same modification time (the case's as-of time) instead
// of none. It also writes straight to the output file, where excelize's own Write would first
// build the whole compressed workbook in memory.
type sortedZip struct {
	out      io.Writer
	spool    *os.File
	zw       *zip.Writer
	modified time.Time
}

func newSortedZip(out io.Writer, spool *os.File, modified time.Time) *sortedZip {
	return &sortedZip{out: out, spool: spool, zw: zip.NewWriter(spool), modified: modified}
}

// Create starts an entry in the spool.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	return z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.modified})
}

// AddFS is part of excelize's ZipWriter; excelize does not call it when saving.
func (z *sortedZip) AddFS(fs.FS) error { return errors.New("xlsx: AddFS is not supported") }

// Close finishes the spool and copies its entries to the output in name order, which also puts
// [Content_Types].xml first, where readers that stream a package look for it. Copy keeps each
// entry's compressed bytes and its header, including the ZIP64 version for entries over 4 GiB
// that excelize otherwise patches into its in-memory buffer.
func (z *sortedZip) Close() error {
	if err := z.zw.Close(); err != nil {
		return err
	}
	size, err := z.spool.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(z.spool, size)
	if err != nil {
		return err
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	w := zip.NewWriter(z.out)
	for _, f := range files {
		if err := w.Copy(f); err != nil {
			return err
		}
	}
	return w.Close()
}
