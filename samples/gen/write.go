package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"

	"github.com/breachline/breachline/internal/synth"
)

// write writes the incident's logs under dir/logs.
func write(dir string, noise int, seed int64) error {
	// The records' ids count from the start on every call, so that each writes the same bytes.
	ctSeq, vaultSeq, k8sSeq, hubSeq, ghSeq, gcpSeq = 0, 0, 0, 0, 0, 0
	ctBase, ctWindow := cloudTrailDays()
	ctBaseFile, err := cloudTrailFile(ctBase)
	if err != nil {
		return err
	}
	ctWindowFile, err := cloudTrailFile(ctWindow)
	if err != nil {
		return err
	}
	hubBase, hubWindow := hubAPI()
	github, err := gitHubAudit()
	if err != nil {
		return err
	}
	gcp, err := gcpAudit()
	if err != nil {
		return err
	}
	hub, err := hubAudit()
	if err != nil {
		return err
	}
	truth, err := truthJSON()
	if err != nil {
		return err
	}
	files := map[string][]byte{
		// CloudTrail delivers gzipped files; one of them is kept plain, as examiners often get.
		"logs/cloudtrail/111122223333_CloudTrail_eu-west-1_20260301T0000Z.json.gz": gz(ctBaseFile),
		"logs/cloudtrail/111122223333_CloudTrail_eu-west-1_20260303T0000Z.json":    ctWindowFile,
		"logs/hub-api/access.log.1.gz":                                             gz(accessLogFile(hubBase)),
		"logs/hub-api/access.log":                                                  accessLogFile(hubWindow),
		"logs/vault/audit.log":                                                     lines(vaultLog()),
		"logs/k8s/kube-apiserver-audit.log":                                        lines(k8sAudit()),
		"logs/github/datalab-audit-log.json":                                       github,
		"logs/gcp/datalab-prod-cloudaudit.json":                                    gcp,
		"logs/hub/audit-log-export.json":                                           hub,
		"inventory.csv":                                                            inventoryCSV(),
		"iocs.csv":                                                                 indicatorsCSV(),
		"truth.json":                                                               append(truth, '\n'),
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			return err
		}
	}
	if noise > 0 {
		return writeNoise(filepath.Join(dir, "logs", "noise"), noise, seed)
	}
	return nil
}

// noiseSources are the background generators, one file each. Their identities, keys and
// addresses (10.0.0.0/8) never meet the incident's, so the ground truth holds at any volume.
var noiseSources = []struct {
	file string
	gen  func(w io.Writer, n int, seed int64) error
}{
	{"cloudtrail.json", synth.CloudTrail},
	{"access.log", synth.AccessLog},
	{"vault-audit.log", synth.VaultAudit},
	{"k8s-audit.log", synth.K8sAudit},
	{"gcp-audit.json", synth.GCPAudit},
	{"github-audit.jsonl", synth.GitHubAudit},
	{"hub-audit.json", synth.HubAudit},
	{"azure.json", synth.Azure},
	{"audit.log", synth.Auditd},
}

func writeNoise(dir string, n int, seed int64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, src := range noiseSources {
		f, err := os.Create(filepath.Join(dir, src.file))
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := src.gen(bw, n, seed+int64(i)); err != nil {
			f.Close()
			return err
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

func lines(ls []string) []byte {
	var b bytes.Buffer
	for _, l := range ls {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// gz compresses b deterministically: no name, no modification time.
func gz(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}
