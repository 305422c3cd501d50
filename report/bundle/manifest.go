package bundle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ManifestEntry is one line of a manifest: a file's sha256 and its path from the bag's root.
type ManifestEntry struct {
	SHA256 string
	Path   string
	Line   int
}

// formatManifest renders entries sorted by path as sha256sum writes them, "hash  path", which is
// also BagIt's manifest line (paths are kept free of the characters either would escape).
func formatManifest(sums map[string]string) []byte {
	paths := make([]string, 0, len(sums))
	for p := range sums {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b bytes.Buffer
	for _, p := range paths {
		fmt.Fprintf(&b, "%s  %s\n", sums[p], p)
	}
	return b.Bytes()
}

var manifestLine = regexp.MustCompile(`^([0-9a-fA-F]{64})[ \t]+\*?(.+)$`)

// parseManifest reads a manifest; name is its file, for errors.
func parseManifest(name string, b []byte) ([]ManifestEntry, error) {
	var out []ManifestEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			continue
		}
		m := manifestLine.FindStringSubmatch(line)
		if m == nil {
			return out, fmt.Errorf("%s line %d: not a manifest line (\"<sha256>  <path>\"): %q", name, n, clip(line))
		}
		p, err := unescapePath(m[2])
		if err != nil {
			return out, fmt.Errorf("%s line %d: %v", name, n, err)
		}
		out = append(out, ManifestEntry{SHA256: strings.ToLower(m[1]), Path: p, Line: n})
	}
	return out, sc.Err()
}

// unescapePath undoes BagIt's percent-encoding of CR, LF and %.
func unescapePath(p string) (string, error) {
	if !strings.Contains(p, "%") {
		return p, nil
	}
	r := strings.NewReplacer("%0D", "\r", "%0d", "\r", "%0A", "\n", "%0a", "\n", "%25", "%")
	return r.Replace(p), nil
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// hashFile returns the sha256 and size of a file of fsys.
func hashFile(fsys fs.FS, name string) (string, int64, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// payloadOxum is BagIt's "octets.streams" count of the payload.
func payloadOxum(bytes int64, files int) string { return fmt.Sprintf("%d.%d", bytes, files) }

func parseOxum(s string) (int64, int, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return 0, 0, fmt.Errorf("Payload-Oxum %q is not octets.streams", s)
	}
	n, err1 := strconv.ParseInt(a, 10, 64)
	c, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("Payload-Oxum %q is not octets.streams", s)
	}
	return n, c, nil
}

// BagInfo is bag-info.txt: labels and values in their order (a label may repeat).
type BagInfo [][2]string

// Get returns the first value of label, or "".
func (bi BagInfo) Get(label string) string {
	for _, kv := range bi {
		if strings.EqualFold(kv[0], label) {
			return kv[1]
		}
	}
	return ""
}

func (bi BagInfo) bytes() []byte {
	var b bytes.Buffer
	for _, kv := range bi {
		// A value never holds a line break here (BagIt would fold it onto indented lines).
		v := strings.NewReplacer("\r", " ", "\n", " ").Replace(kv[1])
		fmt.Fprintf(&b, "%s: %s\n", kv[0], v)
	}
	return b.Bytes()
}

func parseBagInfo(b []byte) (BagInfo, error) {
	var bi BagInfo
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(bi) > 0 {
			bi[len(bi)-1][1] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return bi, fmt.Errorf("%s line %d: not \"Label: value\"", BagInfoTxt, i+1)
		}
		bi = append(bi, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return bi, nil
}
