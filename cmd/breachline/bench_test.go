package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/all"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/internal/synth"
	"github.com/breachline/breachline/timeline"
)

// benchInputs are the generated inputs of the end-to-end benchmark, one per format.
var benchInputs = []struct {
	format string
	file   string
	gen    func(w io.Writer, n int, seed int64) error
}{
	{"aws-cloudtrail", "cloudtrail.json", synth.CloudTrail},
	{"access-log", "access.log", synth.AccessLog},
	{"vault-audit", "vault.log", synth.VaultAudit},
	{"k8s-audit", "k8s-audit.log", synth.K8sAudit},
	{"gcp-audit", "gcp.json", synth.GCPAudit},
	{"azure", "azure.json", synth.Azure},
	{"github-audit", "github.jsonl", synth.GitHubAudit},
	{"github-audit", "github.csv", synth.GitHubAuditCSV},
	{"auditd", "audit.log", synth.Auditd},
	{"hub-audit", "hub-audit.json", synth.HubAudit},
}

// BenchmarkEndToEnd ingests generated evidence into a fresh case file through the same code as
// `breachline ingest`: hashing, detection, parsing, redaction, SQLite and index rebuild.
func BenchmarkEndToEnd(b *testing.B) {
	const n = 200_000
	for _, in := range benchInputs {
		b.Run(in.format+"/"+in.file, func(b *testing.B) {
			dir := b.TempDir()
			path := filepath.Join(dir, in.file)
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			w := bufio.NewWriterSize(f, 1<<20)
			if err := in.gen(w, n, 1); err != nil {
				b.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			info, _ := f.Stat()
			f.Close()
			b.SetBytes(info.Size())
			ctx := context.Background()
			defer tuneGC()()
			var events int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				casePath := filepath.Join(dir, "case.db")
				os.Remove(casePath)
				cs, err := timeline.Create(ctx, casePath)
				if err != nil {
					b.Fatal(err)
				}
				bulk, err := cs.BeginBulk(ctx, info.Size())
				if err != nil {
					b.Fatal(err)
				}
				res, err := ingest.Run(ctx, ingest.Config{Ingesters: all.Ingesters()}, []string{path}, cs.Sink(ctx, timeline.Actor{Examiner: "bench"}))
				if err != nil || res[0].Err != nil || res[0].Evidence.Format != in.format {
					b.Fatalf("ingest: %v %+v", err, res)
				}
				if err := bulk.End(ctx); err != nil {
					b.Fatal(err)
				}
				if res[0].Evidence.Rejects > 0 {
					b.Fatalf("%d rejects in generated data", res[0].Evidence.Rejects)
				}
				events += res[0].Evidence.Events
				cs.Close()
			}
			b.StopTimer()
			ingesttest.ReportRate(b, events)
		})
	}
}
