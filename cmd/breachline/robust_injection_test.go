package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// hostileTrail is CloudTrail evidence whose fields an intruder controls: terminal escape
// sequences, a bell, carriage returns and backspaces (to rewrite what the examiner's terminal
// shows), spreadsheet formulas (to run when an export is opened), and SQL (to change what a
// filter selects). One line is no JSON at all, so that a reject carries them too.
const hostileTrail = `{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue\u001b[2J\u001b]0;pwned\u0007","sourceIPAddress":"203.0.113.7","userAgent":"agent\u001b[31mRED\u001b[0m\rFAKE\b\b\u0007","requestID":"req\u001b[1A\r","requestParameters":{"secretId":"arn:aws:secretsmanager:eu-west-1:1:secret:prod/db\u001b[8m"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/o'brien\"; DROP TABLE events;--"}}
{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:01Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"203.0.113.8","userAgent":"=cmd|' /C calc'!A0","requestID":"@SUM(1+1)","requestParameters":{"bucketName":"+1","key":"-1"},"userIdentity":{"type":"IAMUser","arn":"\t=1+1"}}
{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:02Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"203.0.113.9","userAgent":"\r=HYPERLINK(\"http://x\")","requestID":"-2+3","requestParameters":{"bucketName":"b","key":"100% sure_ok"},"userIdentity":{"type":"IAMUser","arn":"+cmd"}}
{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:03Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","sourceIPAddress":"203.0.113.10","userAgent":"+1","requestID":"-1","userIdentity":{"type":"IAMUser","arn":"@x"}}
not json` + "\x1b[2J\x07\r\x08" + ` =cmd|' /C calc'!A0
`

// hostileCase ingests hostileTrail (under a file name with an escape sequence, spaces, quotes
// and a newline) into a case in a fresh directory, and returns the directory and the case.
func hostileCase(t *testing.T) (dir, casePath string, run func(want int, args ...string) (string, string)) {
	dir = t.TempDir()
	casePath = filepath.Join(dir, "case.db")
	ev := filepath.Join(dir, "evidence \"o'k\"\n\x1b[31mred.jsonl")
	require.NoError(t, os.WriteFile(ev, []byte(hostileTrail), 0o644))
	run = func(want int, args ...string) (string, string) {
		t.Helper()
		var o, e bytes.Buffer
		code := Main(context.Background(), append(args, "--case", casePath), &o, &e)
		require.Equal(t, want, code, "%v: %s", args, e.String())
		return o.String(), e.String()
	}
	run(exitOK, "ingest", ev)
	return dir, casePath, run
}

// requireNoControls fails when out holds a control character a terminal acts on.
func requireNoControls(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			lo, hi := max(0, i-60), min(len(out), i+20)
			t.Fatalf("%s: control character %U reached the output at byte %d: %q", what, r, i, out[lo:hi])
		}
	}
}

// TestTerminalOutputIsEscaped runs every command that prints for people (the table format and
// the commands without another) on a case whose evidence plants escape sequences, bells,
// carriage returns and backspaces in every field, and in the evidence file's name: none reaches
// stdout or stderr raw.
func TestTerminalOutputIsEscaped(t *testing.T) {
	_, _, run := hostileCase(t)
	run(exitOK, "correlate")
	events, _ := run(exitOK, "timeline", "--format", "jsonl")
	eventIDs := ids(t, events)
	require.Len(t, eventIDs, 4)
	cmds := [][]string{
		{"timeline"}, {"timeline", "--contains", "agent"}, {"evidence"}, {"rejects"}, {"custody"}, {"custody", "--deep"},
		{"findings"}, {"credentials"}, {"inventory", "list"}, {"formats"},
		{"pivot", "--ip", "203.0.113.7"}, {"pivot", "--principal", "arn:aws:iam::1:user/o'brien\"; DROP TABLE events;--"},
	}
	for _, id := range eventIDs {
		cmds = append(cmds, []string{"show", id})
	}
	findings, _ := run(exitOK, "findings", "--format", "jsonl")
	for _, id := range func() []string {
		if findings == "" {
			return nil
		}
		return ids(t, findings)
	}() {
		cmds = append(cmds, []string{"explain", id})
	}
	for _, args := range cmds {
		o, e := run(exitOK, args...)
		requireNoControls(t, strings.Join(args, " ")+" (stdout)", o)
		requireNoControls(t, strings.Join(args, " ")+" (stderr)", e)
	}
	// The ingest's own summary and messages, and a re-run's.
	dir := t.TempDir()
	ev := filepath.Join(dir, "x\x1b[2J\a\r\b.jsonl")
	require.NoError(t, os.WriteFile(ev, []byte(hostileTrail), 0o644))
	missing := filepath.Join(dir, "gone\x1b[31m.jsonl")
	casePath := filepath.Join(dir, "c.db")
	for range 2 {
		var o, e bytes.Buffer
		code := Main(context.Background(), []string{"ingest", "--case", casePath, ev, missing}, &o, &e)
		require.Equal(t, exitPartial, code, e.String())
		requireNoControls(t, "ingest (stdout)", o.String())
		requireNoControls(t, "ingest (stderr)", e.String())
		require.Contains(t, e.String(), `gone\x1b[31m.jsonl`, "the name is shown, escaped")
	}
}

// plainNumber matches a decimal number, which a spreadsheet reads as a number, never a formula:
// the CSV writer keeps -1 and +3.5 as they are, so that they still sort as numbers.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$`)

// formulaStart reports whether a spreadsheet would read cell as a formula (or a DDE command).
func formulaStart(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainNumber.MatchString(cell)
}

// TestExportsNeutraliseFormulas exports every table of the hostile case to CSV and to a
// workbook: no CSV cell starts with a character that makes a spreadsheet run it, and no sheet
// of the workbook holds a formula; the planted values are still there, as text.
func TestExportsNeutraliseFormulas(t *testing.T) {
	dir, _, run := hostileCase(t)
	run(exitOK, "correlate")
	planted := []string{"=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "-1", "@x", "+cmd", "-2+3"}
	var all strings.Builder
	for _, table := range []string{"events", "findings", "credentials", "exposures", "uses", "rejects"} {
		out := filepath.Join(dir, table+".csv")
		run(exitOK, "export", "--to", "csv", "--table", table, "--out", out)
		f, err := os.Open(out)
		require.NoError(t, err)
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			for _, cell := range rec {
				require.False(t, formulaStart(cell), "%s: a cell a spreadsheet would run: %q", out, cell)
				all.WriteString(cell + "\n")
			}
		}
		f.Close()
	}
	for _, p := range planted {
		if plainNumber.MatchString(p) {
			require.Contains(t, all.String(), "\n"+p+"\n", "a plain number is kept as it is")
			continue
		}
		require.Contains(t, all.String(), "'"+p, "the planted value is kept, neutralised")
	}
	for _, format := range []string{"table", "csv"} {
		o, _ := run(exitOK, "timeline", "--format", format)
		if format == "csv" {
			recs, err := csv.NewReader(strings.NewReader(o)).ReadAll()
			require.NoError(t, err)
			for _, rec := range recs {
				for _, cell := range rec {
					require.False(t, formulaStart(cell), "timeline --format csv: %q", cell)
				}
			}
		}
	}

	out := filepath.Join(dir, "case.xlsx")
	run(exitOK, "export", "--to", "xlsx", "--out", out)
	zr, err := zip.OpenReader(out)
	require.NoError(t, err)
	defer zr.Close()
	var text strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			require.NotRegexp(t, `<f[ >]`, string(b), "%s holds a formula", f.Name)
		}
		text.Write(b)
	}
	for _, p := range []string{"=cmd|&#39; /C calc&#39;!A0", "@SUM(1+1)", "=HYPERLINK"} {
		require.Contains(t, strings.ReplaceAll(text.String(), "'", "&#39;"), p, "the planted value is in the workbook as text")
	}
}

// TestFiltersAreParameters passes quotes, semicolons and SQL to every timeline and export
// filter: each either selects exactly what it names or is refused with a validation message,
// and the case is unchanged.
func TestFiltersAreParameters(t *testing.T) {
	dir, casePath, run := hostileCase(t)
	before := sqlInt(t, casePath, "SELECT count(*) FROM events")
	require.Equal(t, int64(4), before)
	evil := `x' OR '1'='1'; DROP TABLE events; --`
	principal := `arn:aws:iam::1:user/o'brien"; DROP TABLE events;--`
	count := func(args ...string) int {
		o, _ := run(exitOK, append([]string{"timeline", "--format", "jsonl"}, args...)...)
		return len(ids(t, o))
	}
	require.Equal(t, 1, count("--principal", principal), "a value with quotes selects its event")
	require.Equal(t, 0, count("--principal", evil))
	require.Equal(t, 0, count("--secret", evil))
	require.Equal(t, 0, count("--contains", evil))
	require.Equal(t, 1, count("--contains", "o'brien\""))
	require.Equal(t, 1, count("--contains", "100%"), "% is a literal, not a wildcard")
	require.Equal(t, 0, count("--contains", "%%%"))
	require.Equal(t, 1, count("--contains", "sure_ok"), "_ is a literal")
	require.Equal(t, 0, count("--contains", "sure_o_"))
	refused := func(args ...string) {
		t.Helper()
		var o, e bytes.Buffer
		code := Main(context.Background(), append(args, "--case", casePath), &o, &e)
		// --ip is checked once the case is open, and refused with exit 1; the others are usage
		// errors (2). Either way the message is the validation's, never SQLite's.
		require.Contains(t, []int{exitError, exitUsage}, code, "%v: %s", args, e.String())
		require.NotRegexp(t, `(?i)sql|syntax error|no such (table|column)`, e.String(), "%v", args)
		require.Contains(t, e.String(), "--", "%v: the message names the flag", args)
	}
	for _, args := range [][]string{
		{"--since", evil}, {"--until", evil}, {"--source", evil}, {"--category", evil}, {"--ip", evil},
		{"--credential", evil}, {"--since", "2026-03-02'; DROP TABLE events;--"},
	} {
		refused(append([]string{"timeline"}, args...)...)
		refused(append([]string{"export", "--to", "csv", "--out", filepath.Join(dir, "x.csv")}, args...)...)
	}
	for _, args := range [][]string{{"--principal", evil}, {"--secret", evil}, {"--contains", evil}, {"--principal", principal}} {
		out := filepath.Join(dir, "f.csv")
		run(exitOK, append([]string{"export", "--to", "csv", "--force", "--out", out}, args...)...)
	}
	for _, args := range [][]string{{"--principal", evil}, {"--secret", evil}} {
		run(exitOK, append([]string{"pivot"}, args...)...)
	}
	refused("pivot", "--ip", evil)
	require.Equal(t, before, sqlInt(t, casePath, "SELECT count(*) FROM events"))
	caseIntact(t, dir, casePath)
}

// htmlTrail is CloudTrail evidence whose fields carry markup: a secret read by an indicator
// address under a principal named with an image tag, the secret's name closing a table cell and
// opening a script, and the stolen key then used by a principal named with an SVG handler.
const htmlTrail = `{"eventVersion":"1.09","eventTime":"2026-03-02T10:00:00Z","eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","sourceIPAddress":"203.0.113.7","userAgent":"javascript:alert(1)","requestID":"r-1","requestParameters":{"secretId":"prod/</td><script>alert(1)</script>"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/<img src=x onerror=alert(1)>","accessKeyId":"AKIAHOSTILE000000001"}}
{"eventVersion":"1.09","eventTime":"2026-03-02T11:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"203.0.113.7","userAgent":"<a href=\"javascript:alert(2)\">x</a>","requestID":"r-2","requestParameters":{"bucketName":"b","key":"k"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/\"><svg onload=alert(3)>","accessKeyId":"AKIASTOLEN0000000001"}}
`

// TestReportsRenderLoggedMarkupInert ingests evidence whose fields carry markup, correlates it
// so that the markup reaches findings, credentials and the key events, and renders every report:
// HTML holds it only escaped, Markdown only with every < escaped (a Markdown renderer passes raw
// HTML through), and the markup is there, not dropped.
func TestReportsRenderLoggedMarkupInert(t *testing.T) {
	dir := t.TempDir()
	casePath := filepath.Join(dir, "case.db")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	run := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		code := Main(context.Background(), append(args, "--case", casePath), &o, &e)
		require.Equal(t, exitOK, code, "%v: %s", args, e.String())
		return o.String()
	}
	run("ingest", write("trail.jsonl", htmlTrail))
	run("inventory", "import", write("inventory.csv", "secret_ref,credential,owner,kind,scopes,data_categories,consumers,revoked_at\n"+
		`"aws-sm:prod/</td><script>alert(1)</script>",aws-key-id:AKIASTOLEN0000000001,"<a href=""javascript:alert(4)"">owner</a>",aws-key,"<b onmouseover=alert(5)>",payments,,`+"\n"))
	run("ioc", "import", write("iocs.csv", "type,value,note\nip,203.0.113.7,\"<iframe src=javascript:alert(6)>\"\n"))
	run("correlate")
	require.Contains(t, run("credentials", "--format", "jsonl"), `"misused"`, "the markup must reach a misused credential")
	for _, regime := range [][]string{{"gdpr-art33"}, {"gdpr-art34"}, {"nis2", "--stage", "notification"}} {
		for _, f := range []string{"html", "md"} {
			out := filepath.Join(dir, strings.Join(regime, "")+"."+f)
			run(append([]string{"report", "--regime", regime[0], "--format", f, "--out", out}, regime[1:]...)...)
			b, err := os.ReadFile(out)
			require.NoError(t, err)
			doc := string(b)
			switch f {
			case "html":
				for _, bad := range []string{"<script", "<img src=x", "<svg", "<iframe", "<a href=\"javascript", "<b onmouseover", "</td><script"} {
					require.NotContains(t, doc, bad, "%s %s", regime, f)
				}
				require.Contains(t, doc, "&lt;script&gt;alert(1)&lt;/script&gt;", "%s: the secret's name is shown, escaped", regime)
			case "md":
				require.NotRegexp(t, `(^|[^\\])<(script|img|svg|iframe|a |b |/td)`, doc, "%s: every < is escaped", regime)
				require.Contains(t, doc, `\<script\>alert(1)\</script\>`, "%s: the secret's name is shown, escaped", regime)
			}
		}
	}
}
