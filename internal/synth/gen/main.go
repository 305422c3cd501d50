// Command gen writes synthetic evidence for benchmarks: n records of one format, split into
// files (gzip-compressed if asked), the way a cloud delivers them into a directory. The same
// arguments always give the same bytes.
//
//	go run ./internal/synth/gen -format aws-cloudtrail -n 300000 -files 6 -gzip -out /tmp/ct
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/breachline/breachline/internal/synth"
)

// generators are the formats gen writes, by source name, with the file extension.
var generators = map[string]struct {
	ext string
	gen func(w io.Writer, n int, seed int64) error
}{
	"aws-cloudtrail": {".json", synth.CloudTrail},
	"access-log":     {".log", synth.AccessLog},
	"vault-audit":    {".log", synth.VaultAudit},
	"k8s-audit":      {".log", synth.K8sAudit},
	"gcp-audit":      {".json", synth.GCPAudit},
	"azure":          {".json", synth.Azure},
	"github-audit":   {".jsonl", synth.GitHubAudit},
	"auditd":         {".log", synth.Auditd},
}

func main() {
	format := flag.String("format", "aws-cloudtrail", "what to write: "+strings.Join(names(), ", "))
	n := flag.Int("n", 100000, "records in all")
	files := flag.Int("files", 1, "files to split them into")
	gz := flag.Bool("gzip", false, "gzip each file")
	out := flag.String("out", "", "directory to write into (created)")
	flag.Parse()
	g, ok := generators[*format]
	if !ok || *out == "" || *files < 1 || *n < *files {
		fmt.Fprintf(os.Stderr, "gen: need -out, a known -format (%s) and -n >= -files >= 1\n", strings.Join(names(), ", "))
		os.Exit(2)
	}
	if err := run(*out, *format, g.ext, g.gen, *n, *files, *gz); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir, format, ext string, gen func(io.Writer, int, int64) error, n, files int, gz bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < files; i++ {
		name := fmt.Sprintf("%s-%03d%s", format, i, ext)
		if gz {
			name += ".gz"
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		var w io.Writer = bw
		var zw *gzip.Writer
		if gz {
			zw = gzip.NewWriter(bw)
			w = zw
		}
		count := n / files
		if i == files-1 {
			count = n - count*(files-1)
		}
		if err := gen(w, count, int64(i+1)); err != nil {
			return err
		}
		if zw != nil {
			if err := zw.Close(); err != nil {
				return err
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

func names() []string {
	var out []string
	for k := range generators {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
