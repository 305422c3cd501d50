package export

import (
	"bufio"
	"errors"
	"os"
)

// WriteFile creates the file path (which must not exist, as the path Format.Write is given) and
// calls write with a buffered writer on it, then flushes and closes it: the opening and closing
// that every single-file format needs, once.
func WriteFile(path string, write func(w *bufio.Writer) error) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		return err
	}
	return w.Flush()
}
