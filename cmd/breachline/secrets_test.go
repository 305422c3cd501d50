package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// plantedCase is a case built from testdata/secrets: evidence with known tokens planted in it
// (evidence/), a secrets inventory that lists one of them raw, and an indicator, correlated so
// that findings cite events whose original records hold the tokens.
type plantedCase struct {
	t      *testing.T
	path   string
	tokens []string
	// out collects the stdout and stderr of every command run with collect.
	out bytes.Buffer
}

func newPlantedCase(t *testing.T, dir string, evidenceDirs ...string) *plantedCase {
	raw, err := os.ReadFile("testdata/secrets/tokens.txt")
	require.NoError(t, err)
	pc := &plantedCase{t: t, path: filepath.Join(dir, "case.db"), tokens: strings.Fields(string(raw))}
	require.NotEmpty(t, pc.tokens)
	var evidence []string
	for _, d := range evidenceDirs {
		files, err := filepath.Glob(filepath.Join(d, "*"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		evidence = append(evidence, files...)
	}
	pc.collect(exitOK, append([]string{"ingest"}, evidence...)...)
	pc.collect(exitOK, "inventory", "import", "testdata/secrets/inventory.csv")
	pc.collect(exitOK, "ioc", "import", "testdata/secrets/iocs.csv")
	pc.collect(exitOK, "correlate")
	return pc
}

// run runs a command on the case and requires exit code want: a command that fails where it
// should not is a failure even when it prints nothing secret.
func (pc *plantedCase) run(want int, args ...string) (stdout, stderr string) {
	pc.t.Helper()
	var o, e bytes.Buffer
	code := Main(context.Background(), append(args, "--case", pc.path), &o, &e)
	require.Equal(pc.t, want, code, "%v exited %d: %s", args, code, e.String())
	return o.String(), e.String()
}

// collect is run, keeping the output for the check for planted tokens.
func (pc *plantedCase) collect(want int, args ...string) string {
	pc.t.Helper()
	o, e := pc.run(want, args...)
	pc.out.WriteString(o)
	pc.out.WriteString(e)
	return o
}

// ids returns the "id" of every JSON line of out.
func ids(t *testing.T, out string) []string {
	var ids []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v struct{ ID string }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &v))
		ids = append(ids, v.ID)
	}
	return ids
}

// TestPlantedSecretsAppearNowhere runs every command that prints on a case built from evidence
// with planted tokens, in every output form, and requires that no token appears in the case file
// or in any output: secrets become handles before anything is stored or printed, and original
// records read back from the evidence are redacted the same way. Only show --raw prints the
// exact bytes, and it says so on stderr.
func TestPlantedSecretsAppearNowhere(t *testing.T) {
	dir := t.TempDir()
	pc := newPlantedCase(t, dir, "testdata/secrets/evidence")

	events := ids(t, pc.collect(exitOK, "timeline", "--format", "jsonl"))
	findings := ids(t, pc.collect(exitOK, "findings", "--format", "jsonl"))
	require.NotEmpty(t, events)
	require.NotEmpty(t, findings)
	var cred struct{ Credential string }
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(pc.collect(exitOK, "credentials", "--format", "jsonl"), "\n", 2)[0]), &cred))
	require.NotEmpty(t, cred.Credential)

	for _, f := range []string{"table", "jsonl", "csv"} {
		pc.collect(exitOK, "timeline", "--format", f, "--limit", "0")
		pc.collect(exitOK, "evidence", "--format", f)
		pc.collect(exitOK, "rejects", "--format", f)
		pc.collect(exitOK, "custody", "--format", f)
		pc.collect(exitOK, "findings", "--format", f)
		pc.collect(exitOK, "credentials", "--format", f)
		pc.collect(exitOK, "inventory", "list", "--format", f)
		pc.collect(exitOK, "formats", "--format", f)
		pc.collect(exitOK, "pivot", "--ip", "203.0.113.7", "--format", f)
		pc.collect(exitOK, "pivot", "--credential", cred.Credential, "--format", f)
		pc.collect(exitOK, "pivot", "--principal", "arn:aws:iam::1:user/a", "--format", f)
		pc.collect(exitOK, "pivot", "--secret", "aws-sm:prod/hub-token", "--format", f)
	}
	cited := false
	for _, id := range findings {
		out := pc.collect(exitOK, "explain", id)
		cited = cited || strings.Contains(out, "access_token=")
		pc.collect(exitOK, "explain", "--no-records", id)
	}
	require.True(t, cited, "some finding must cite a record that held a planted token")
	for _, id := range events {
		pc.collect(exitOK, "show", id)
	}
	// A token typed on the command line is not echoed back either.
	for _, tok := range pc.tokens {
		pc.collect(exitUsage, "timeline", "--credential", tok)
		pc.collect(exitOK, "timeline", "--contains", tok)
	}

	raw, stderr := pc.run(exitOK, "show", "--raw", "-q", events[len(events)-1])
	require.NotEmpty(t, raw)
	require.Contains(t, stderr, "warning: --raw prints the record exactly as logged; the output may contain credentials",
		"--raw warns, even with -q")

	out := pc.out.String()
	require.NotZero(t, len(out))
	var files []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		files = append(files, filepath.Join(dir, e.Name())) // the case, and a WAL if one is left
	}
	for _, tok := range pc.tokens {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, tok) {
				t.Fatalf("planted token %q reached the output:\n%s", tok, line)
			}
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			require.False(t, bytes.Contains(b, []byte(tok)), "planted token %q is in %s", tok, f)
		}
	}
	require.Regexp(t, `access_token=case-hmac:[0-9a-f]{64}`, out, "tokens must be replaced by handles, not dropped")
}

// TestPlantedSecretsInEveryExport exports every table of the planted case to every format (and
// Parquet partitioned by day and source), and requires that no planted token is in any file
// written, read the way a reader of it would: raw bytes, every part of a workbook, every value
// and the metadata of an Arrow or Parquet file decoded. The progress bars (drawn on a
// pseudo-terminal) and the error output of refused exports are searched too.
func TestPlantedSecretsInEveryExport(t *testing.T) {
	dir := t.TempDir()
	pc := newPlantedCase(t, dir, "testdata/secrets/evidence")
	out := filepath.Join(dir, "exports")
	require.NoError(t, os.Mkdir(out, 0o755))
	formats := []string{"arrow", "parquet", "xlsx", "csv", "jsonl", "timesketch"}
	tables := []string{"events", "findings", "credentials", "exposures", "uses", "rejects"}
	for _, f := range formats {
		ext := f
		if f == "timesketch" {
			ext = "jsonl"
		}
		for _, table := range tables {
			if f == "timesketch" && table != "events" {
				continue // a Timesketch timeline is made of events
			}
			pc.collect(exitOK, "export", "--to", f, "--table", table, "--out", filepath.Join(out, f+"-"+table+"."+ext))
		}
		pc.collect(exitOK, "export", "--to", f, "--contains", "PLANTED", "--out", filepath.Join(out, f+"-filtered."+ext))
	}
	pc.collect(exitOK, "export", "--to", "parquet", "--partition", "day,source", "--out", filepath.Join(out, "lake"))
	for _, tok := range pc.tokens {
		pc.collect(exitUsage, "export", "--to", "csv", "--credential", tok, "--out", filepath.Join(out, "refused.csv"))
	}
	t.Run("token typed as a filter", func(t *testing.T) { exportFilterLeak(t, pc) })

	// Progress bars are drawn only on a terminal: give the commands one.
	if ptmx, tty, err := openPTY(); err != nil {
		t.Logf("no pseudo-terminal (%v): progress bars not searched", err)
	} else {
		var drawn bytes.Buffer
		copied := make(chan struct{})
		go func() { _, _ = io.Copy(&drawn, ptmx); close(copied) }()
		for _, args := range [][]string{
			{"ingest", "--reparse", "testdata/secrets/evidence"},
			{"export", "--to", "parquet", "--out", filepath.Join(out, "tty.parquet")},
			{"export", "--to", "xlsx", "--out", filepath.Join(out, "tty.xlsx")},
			{"timeline", "--credential", pc.tokens[0]},
		} {
			var o bytes.Buffer
			Main(context.Background(), append(args, "--case", pc.path), &o, tty)
			pc.out.Write(o.Bytes())
		}
		tty.Close()
		<-copied
		ptmx.Close()
		require.NotZero(t, drawn.Len(), "the commands drew on the terminal")
		pc.out.Write(drawn.Bytes())
	}

	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	}))
	require.Greater(t, len(files), 30)
	texts := map[string]string{}
	for _, f := range files {
		texts[f] = exportedText(t, f)
	}
	for _, tok := range pc.tokens {
		require.NotContains(t, pc.out.String(), tok, "a planted token reached the output")
		for f, text := range texts {
			require.False(t, strings.Contains(text, tok), "planted token %q is in %s", tok, f)
		}
	}
	require.Regexp(t, `case-hmac:[0-9a-f]{64}`, texts[filepath.Join(out, "parquet-events.parquet")], "tokens become handles in exports, not dropped")
}

// exportFilterLeak exports, on a copy of the case, with a planted token typed as --contains, and
// looks for the token in the custody log, in its output and in the exported files.
//
// The filter is recorded in the custody entry's "filter", in the Arrow and Parquet metadata
// (breachline.filter) and on the workbook's Summary sheet, and `custody` prints it: each value
// is redacted with the case's key first (filterFlags.text).
func exportFilterLeak(t *testing.T, pc *plantedCase) {
	dir := t.TempDir()
	casePath := filepath.Join(dir, "copy.db")
	b, err := os.ReadFile(pc.path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(casePath, b, 0o644))
	var out bytes.Buffer
	tok := pc.tokens[0]
	for _, f := range []string{"csv", "arrow", "parquet", "xlsx"} {
		var o, e bytes.Buffer
		code := Main(context.Background(), []string{"export", "--case", casePath, "--to", f, "--contains", tok, "--out", filepath.Join(dir, "x."+f)}, &o, &e)
		require.Equal(t, exitOK, code, e.String())
		out.Write(o.Bytes())
		out.Write(e.Bytes())
	}
	var o, e bytes.Buffer
	require.Equal(t, exitOK, Main(context.Background(), []string{"custody", "--case", casePath}, &o, &e))
	out.Write(o.Bytes())
	var leaks []string
	if strings.Contains(out.String(), tok) {
		leaks = append(leaks, "custody output")
	}
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		if strings.Contains(exportedText(t, filepath.Join(dir, en.Name())), tok) {
			leaks = append(leaks, en.Name())
		}
	}
	if len(leaks) > 0 {
		t.Fatalf("a token typed as --contains is recorded verbatim in: %s", strings.Join(leaks, ", "))
	}
}

// TestPlantedSecretsThroughEveryIngester plants the tokens in records of every ingester's format
// (testdata/secrets/every: our own fixtures with tokens in user agents, URLs, request bodies,
// error messages, command lines, cookies; and testdata/secrets/evidence) and follows them through
// everything that writes or prints: every event shown, reports of every regime in every format,
// a bag (its originals aside, which are the evidence byte for byte), verification, a lake export
// and an ingest straight to a lake. No token may appear anywhere.
func TestPlantedSecretsThroughEveryIngester(t *testing.T) {
	dir := t.TempDir()
	pc := newPlantedCase(t, dir, "testdata/secrets/evidence", "testdata/secrets/every")

	// Every ingester's format, and mapped formats, read at least one record.
	var formats []struct{ Name, Description string }
	for _, l := range strings.Split(strings.TrimSpace(pc.collect(exitOK, "formats", "--format", "jsonl")), "\n") {
		var f struct{ Name, Description string }
		require.NoError(t, json.Unmarshal([]byte(l), &f))
		formats = append(formats, f)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(pc.collect(exitOK, "evidence", "--format", "jsonl")), "\n") {
		var e struct {
			Format string
			Events int
		}
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		require.Positive(t, e.Events, "%s: no event", e.Format)
		have[e.Format] = true
	}
	mapped := 0
	for _, f := range formats {
		if strings.HasPrefix(f.Description, "mapping:") {
			if have[f.Name] {
				mapped++
			}
			continue
		}
		require.True(t, have[f.Name], "no planted evidence in format %s", f.Name)
	}
	require.GreaterOrEqual(t, mapped, 2, "planted evidence read through mappings")

	for _, f := range []string{"table", "jsonl", "csv"} {
		pc.collect(exitOK, "timeline", "--format", f, "--limit", "0")
		pc.collect(exitOK, "rejects", "--format", f)
		pc.collect(exitOK, "case", "show", "--format", f)
	}
	for _, id := range ids(t, pc.collect(exitOK, "timeline", "--format", "jsonl")) {
		pc.collect(exitOK, "show", id)
	}
	for _, id := range ids(t, pc.collect(exitOK, "findings", "--format", "jsonl")) {
		pc.collect(exitOK, "explain", id)
	}
	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	for _, regime := range [][]string{{"gdpr-art33"}, {"gdpr-art34"}, {"nis2", "--stage", "early-warning"},
		{"nis2", "--stage", "notification"}, {"nis2", "--stage", "final"}} {
		for _, f := range []string{"md", "html", "pdf", "json"} {
			name := filepath.Join(out, strings.Join(regime, "")+"."+f)
			pc.collect(exitOK, append([]string{"report", "--regime", regime[0], "--format", f, "--out", name}, regime[1:]...)...)
		}
	}
	pc.collect(exitOK, "report", "--list")
	pc.collect(exitOK, "lake", "export", "--out", filepath.Join(out, "lake"))
	key := filepath.Join(dir, "signer.key")
	pc.collect(exitOK, "keygen", "--out", key)
	bag, zipped := filepath.Join(out, "bag"), filepath.Join(out, "bag.zip")
	pc.collect(exitOK, "bundle", "--key", key, "--out", bag)
	pc.collect(exitOK, "bundle", "--key", key, "--no-originals", "--out", zipped)
	pc.collect(exitOK, "verify", "--pubkey", key+".pub", bag)
	pc.collect(exitOK, "verify", "--pubkey", key+".pub", "--no-reproduce", zipped)
	pc.collect(exitOK, "ingest", "--to-lake", filepath.Join(out, "direct-lake"), "testdata/secrets/evidence", "testdata/secrets/every")

	originals := filepath.Join(bag, "data", "originals") + string(filepath.Separator)
	texts := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(p, originals) && p != key {
			texts[p] = exportedText(t, p)
		}
		return err
	}))
	require.Greater(t, len(texts), 40)
	require.Contains(t, texts, filepath.Join(bag, "data", "case.db"))
	for _, tok := range pc.tokens {
		require.NotContains(t, pc.out.String(), tok, "a planted token reached the output")
		for f, text := range texts {
			require.False(t, strings.Contains(text, tok), "planted token %q is in %s", tok, f)
		}
	}
	// The bag's originals are the evidence, tokens and all: that is what makes them evidence.
	var kept []byte
	require.NoError(t, filepath.WalkDir(originals, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "vault-audit.log" {
			kept, err = os.ReadFile(p)
		}
		return err
	}))
	require.Contains(t, string(kept), pc.tokens[3], "the bag holds the originals as they are")
}
