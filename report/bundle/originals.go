package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/timeline"
)

// originals copies every evidence file into data/originals (or only lists it, --no-originals),
// checking that the bytes are still those the case recorded.
func (w *writer) originals(cfg *Config) error {
	names := map[string]string{} // sha256 → name under data/originals
	taken := map[string]string{} // name → sha256
	var sums []byte
	for i := range cfg.Evidence {
		ev := &cfg.Evidence[i]
		if n, ok := names[ev.SHA256]; ok {
			ev.Original, ev.Shipped = n, !w.opt.NoOriginals
			continue
		}
		n := originalName(ev.Path)
		if other, ok := taken[n]; ok && other != ev.SHA256 {
			n = ev.SHA256[:16] + "/" + n
		}
		names[ev.SHA256], taken[n] = n, ev.SHA256
		ev.Original, ev.Shipped = n, !w.opt.NoOriginals
		sums = fmt.Appendf(sums, "%s  %s\n", ev.SHA256, n)
		if w.opt.NoOriginals {
			continue
		}
		if err := w.copyOriginal(ev, path.Join(originalsDir, n)); err != nil {
			return err
		}
	}
	return w.writeFile(OriginalsSums, sums)
}

func (w *writer) copyOriginal(ev *EvidenceConfig, rel string) error {
	src := ev.AbsPath
	if src == "" {
		src = ev.Path
	}
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) && ev.Path != src {
		in, err = os.Open(ev.Path)
	}
	if err != nil {
		return fmt.Errorf("evidence %s (sha256 %s) cannot be read for the bag: %w (--no-originals ships its hash only)", ev.Path, ev.SHA256, err)
	}
	defer in.Close()
	dst := w.abs(rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copying evidence %s: %w", ev.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != ev.SHA256 {
		return fmt.Errorf("evidence %s has changed since it was ingested: sha256 %s, the case recorded %s; nothing was bagged", src, got, ev.SHA256)
	}
	w.sums[rel], w.sizes[rel] = ev.SHA256, n
	return nil
}

// mappings ships the user mapping files that evidence was read with, so that reproduction reads
// the file with the same mapping.
func (w *writer) mappings(cfg *Config, entries []timeline.CustodyEntry) error {
	shipped := map[string]string{} // parser → file
	for i := range cfg.Evidence {
		ev := &cfg.Evidence[i]
		if ev.Format == "" || builtinFormat(ev.Format) {
			continue
		}
		if f, ok := shipped[ev.Parser]; ok {
			ev.Mapping = f
			continue
		}
		arg, dir := mappingArg(entries, ev)
		var found string
		for _, p := range []string{arg, filepath.Join(dir, arg)} {
			if arg == "" || p == "" {
				continue
			}
			if _, m, err := all.WithMapping(p); err == nil && m.Name()+"@"+m.Version() == ev.Parser {
				found = p
				break
			}
		}
		if found == "" {
			w.opt.Warn(fmt.Sprintf("warning: evidence %s was read with mapping %s (%s), which was not found as %q: the bag cannot reproduce it", ev.Path, ev.Parser, ev.Format, arg))
			continue
		}
		b, err := os.ReadFile(found)
		if err != nil {
			return err
		}
		name := safeName(strings.ReplaceAll(ev.Parser, "/", "_")) + filepath.Ext(found)
		rel := path.Join(mappingsDir, name)
		if err := w.writeFile(rel, b); err != nil {
			return err
		}
		ev.Mapping = name
		shipped[ev.Parser] = name
		cfg.Mappings = append(cfg.Mappings, MappingFile{Name: ev.Parser, File: name, From: found, SHA256: w.sums[rel]})
	}
	return nil
}
