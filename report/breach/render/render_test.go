package render_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/report/breach"
	"github.com/breachline/breachline/report/breach/render"
	"github.com/breachline/breachline/report/export/exporttest"
	"github.com/breachline/breachline/timeline"
)

func incident(t *testing.T, profile map[string]string) *breach.Record {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	c.SetClock(func() time.Time { return time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) })
	if profile != nil {
		_, err := c.SetProfile(ctx, timeline.Actor{Examiner: "test"}, "case-set", profile, nil)
		require.NoError(t, err)
	}
	r, err := breach.Build(ctx, c, "test-1.2.3", "gdpr-art33", "")
	require.NoError(t, err)
	return r
}

func write(t *testing.T, format string, r *breach.Record) []byte {
	var b bytes.Buffer
	require.NoError(t, render.Write(&b, format, r))
	return b.Bytes()
}

// TestPDFText extracts the PDF's text with pdftotext (poppler-utils) and looks for the key facts.
func TestPDFText(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed (apt-get install poppler-utils); CI requires it")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	r := incident(t, map[string]string{"controller_name": "Hosted Spaces Example GmbH", "awareness_time": "2026-03-04T07:30:00Z"})
	pdf := write(t, "pdf", r)
	require.Equal(t, pdf, write(t, "pdf", r), "the same record gives the same PDF bytes")
	path := filepath.Join(t.TempDir(), "r.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o644))
	out, err := exec.Command(bin, "-layout", path, "-").Output()
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{
		"Personal data breach notification (GDPR Art. 33)",
		"Open items before filing",
		"TO BE COMPLETED: the DPO or other contact point",
		"Hosted Spaces Example GmbH",
		"Credentials misused (proven) 5",
		"2026-03-04T07:30:00Z",
		"Due [computed] 2026-03-07T07:30:00Z",
		"on time as of 2026-03-05T09:00:00Z",
		"2026-03-03T02:31:07Z", // alice's token's first misuse
		"Key events",
		"Case " + r.Case.ID,
		"page 1 of",
		"Evidence files",
		"Tool: breachline test-1.2.3",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	for _, e := range r.Evidence {
		if !strings.Contains(text, e.SHA256) {
			t.Errorf("the PDF's text lacks the sha256 of %s", e.Path)
		}
	}
	info, err := exec.Command("pdfinfo", path).Output()
	if err == nil {
		require.Contains(t, string(info), "A4")
		require.Contains(t, string(info), "2026")
	}
}

// TestHostileStrings: text from the logs and from the profile is rendered inert in HTML and
// Markdown: no markup, no script, control characters visible.
func TestHostileStrings(t *testing.T) {
	hostile := "<script>alert(\"x\")</script> ' \" & \x1b[31mred \u202eevil\x00 <img src=x onerror=alert(1)>"
	r := incident(t, map[string]string{"narrative": hostile, "controller_name": "ACME \"<b>\""})
	ke := r.Facts.KeyEvents.Value.([]breach.KeyEvent)
	ke[0].What = hostile
	ind := r.Facts.Indicators.Value.(breach.Indicators)
	ind.UserAgents = append(ind.UserAgents, hostile)
	r.Facts.Indicators.Value = ind

	html := string(write(t, "html", r))
	require.NotContains(t, html, "<script")
	require.NotContains(t, html, "<img src=x")
	require.NotContains(t, html, "\x1b")
	require.NotContains(t, html, "\x00")
	require.NotContains(t, html, "\u202e")
	require.Contains(t, html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	require.Contains(t, html, `\x1b[31mred`)
	require.Contains(t, html, `\u{202e}evil\x00`)
	require.NotContains(t, html, "http://")
	require.NotContains(t, html, "https://")
	require.Equal(t, strings.Count(html, "<img "), 2, "the two charts, inline")
	require.Equal(t, html, string(write(t, "html", r)))

	md := string(write(t, "md", r))
	require.NotRegexp(t, `(^|[^\\])<script`, md, "every < is escaped")
	require.NotContains(t, md, "\x1b")
	require.Contains(t, md, `\<script\>`)
	require.Equal(t, md, string(write(t, "md", r)))

	js := string(write(t, "json", r))
	require.NotContains(t, js, "<script")
}

// TestEveryRegime renders every regime and stage in every format, with no human input: each
// shows its open items first and marks each one where it belongs.
func TestEveryRegime(t *testing.T) {
	ctx := context.Background()
	c := exporttest.IncidentCase(t)
	for _, rs := range [][2]string{{"gdpr-art33", ""}, {"gdpr-art34", ""}, {"nis2", "early-warning"}, {"nis2", "notification"}, {"nis2", "final"}} {
		r, err := breach.Build(ctx, c, "test", rs[0], rs[1])
		require.NoError(t, err)
		for _, format := range render.Formats {
			out := string(write(t, format, r))
			require.NotEmpty(t, out, "%s %s", rs, format)
			switch format {
			case "md":
				require.Contains(t, out, "\n## Open items before filing\n\n- TO BE COMPLETED: ", rs)
				require.Contains(t, out, "*(open item)*: TO BE COMPLETED: ", rs)
				require.Contains(t, out, "\n## Key events\n")
				require.Contains(t, out, "\n## Evidence files\n")
			case "html":
				require.Contains(t, out, "<h2>Open items before filing</h2>\n<ul>\n<li>TO BE COMPLETED: ", rs)
				require.Contains(t, out, `<dd class="open">TO BE COMPLETED: `, rs)
			case "pdf":
				require.True(t, strings.HasPrefix(out, "%PDF-"))
			}
		}
	}
}
