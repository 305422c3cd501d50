package bundle

import (
	"archive/zip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Stamp adds an RFC 3161 time-stamp response (from a query that `bundle --tsq` wrote) to the bag
// as tagmanifest-sha256.txt.tsr, after checking that it is granted and stamps this bag's tag
// manifest. A zip bag is rewritten under a temporary name with the response added.
func Stamp(bagPath, responsePath string) (*Timestamp, error) {
	der, err := os.ReadFile(responsePath)
	if err != nil {
		return nil, err
	}
	ts, err := ParseTimestampResponse(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", responsePath, err)
	}
	b, err := openBag(bagPath)
	if err != nil {
		return nil, err
	}
	tm, err := b.read(TagManifestTxt)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("%s: %s: %w", bagPath, TagManifestTxt, err)
	}
	sum := sha256.Sum256(tm)
	if !ts.Matches(sum[:]) {
		b.Close()
		return nil, fmt.Errorf("%s stamps %x, not this bag's %s (sha256 %x)", responsePath, ts.Imprint, TagManifestTxt, sum)
	}
	if b.files[ResponseFile] {
		b.Close()
		return nil, fmt.Errorf("%s already holds a time-stamp response (%s)", bagPath, ResponseFile)
	}
	if b.dir != "" {
		b.Close()
		return ts, writeNew(filepath.Join(bagPath, ResponseFile), der, 0o644)
	}
	defer b.Close()
	return ts, addToZip(b.zr, bagPath, ResponseFile, der)
}

// addToZip rewrites the zip at name with one more file beside bagit.txt.
func addToZip(zr *zip.ReadCloser, name, file string, body []byte) (err error) {
	prefix := ""
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/"+BagitTxt) && strings.Count(f.Name, "/") == 1 {
			prefix = strings.TrimSuffix(f.Name, BagitTxt)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".partial-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	var modified = zr.File[0].Modified
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			return err
		}
	}
	h := &zip.FileHeader{Name: path.Join(prefix, file), Method: zip.Deflate, Modified: modified}
	h.SetMode(0o644)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, strings.NewReader(string(body))); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
