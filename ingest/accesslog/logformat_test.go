package accesslog

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
)

const (
	apacheXFF   = `%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D \"%{X-Forwarded-For}i\"`
	nginxMain   = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`
	nginxTiming = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time`
)

// logFormatCases are the golden directories of --log-format and the format each is read with
// (testdata/logformat/README.md).
var logFormatCases = map[string]string{
	"apache":    apacheXFF,
	"nginx":     nginxTiming,
	"userspace": `%v:%p %h %l %u %t "%r" %>s %b`,
	"rejects":   apacheXFF,
	"quotes":    nginxMain,
}

func TestGoldenLogFormat(t *testing.T) {
	for dir, format := range logFormatCases {
		t.Run(dir, func(t *testing.T) {
			ingesttest.Golden(t, New(), "testdata/logformat/"+dir, ingest.Options{LogFormat: format}, ingesttest.Lines)
		})
	}
}

// TestLogFormatSettings: the evidence row says which format read the file.
func TestLogFormatSettings(t *testing.T) {
	mem := ingesttest.Ingest(t, New(), "testdata/logformat/nginx/timing.log", ingest.Options{LogFormat: nginxTiming})
	require.Len(t, mem.Evidence, 1)
	require.Equal(t, nginxTiming, mem.Evidence[0].Settings["log_format"])
}

func TestCompileLogFormat(t *testing.T) {
	lf, err := CompileLogFormat(apacheXFF)
	require.NoError(t, err)
	type plan struct {
		Lit, Directive, Attr string
		Role                 role
		Quoted, Integer      bool
	}
	var got []plan
	for _, s := range lf.steps {
		got = append(got, plan{s.lit, s.directive, s.attr, s.role, s.quoted, s.integer})
	}
	require.Equal(t, []plan{
		{"", "%h", "", roleClient, false, false},
		{" ", "%l", "", roleIdent, false, false},
		{" ", "%u", "", roleUser, false, false},
		{" [", "%t", "", roleTime, false, false},
		{"] ", "%r", "", roleRequest, true, false},
		{" ", "%>s", "", roleStatus, false, false},
		{" ", "%b", "", roleBytes, false, false},
		{" ", "%{Referer}i", "", roleReferrer, true, false},
		{" ", "%{User-Agent}i", "", roleUserAgent, true, false},
		{" ", "%D", "duration_us", roleAttr, false, true},
		{" ", "%{X-Forwarded-For}i", "x_forwarded_for", roleAttr, true, false},
	}, got)
	require.Equal(t, "", lf.tail)
	require.Equal(t, apacheXFF, lf.String())

	for _, good := range []string{
		nginxTiming,
		`%h %l %u %t "%r" %>s %b`,
		`%a %{c}a %A %B %{ms}T %T %{us}T %I %O %S %k %L %m %U %q %H %X %R %f %{remote}p %{tid}P %P %V %{Foo}o %{sid}C %{X}e %{n}n %%%t`,
		`$host $remote_addr ${remote_user} [$time_local] "$request" $status $bytes_sent $http_x_forwarded_for cost=$request_time$`,
	} {
		_, err := CompileLogFormat(good)
		require.NoError(t, err, good)
	}

	for format, want := range map[string]string{
		``:                                    "log format: position 1: no % directive or $variable: nothing to read",
		`%h %l %u`:                            "log format: position 1: no time field (%t or $time_local): an event needs its time",
		`%h %Z %t`:                            "log format: position 4: %Z: unknown or unsupported directive",
		`%h %{%d/%b/%Y}t`:                     "log format: position 4: %{%d/%b/%Y}t: only %t is supported: a strftime %{…}t time cannot be read",
		`%h%u %t`:                             "log format: position 3: %u: follows %h with no text between them: where one field ends cannot be known",
		`%h %t %h`:                            "log format: position 7: %h: its field is already read by %h at position 1",
		`%h %t %{Referer`:                     "log format: position 7: %{Referer: no closing '}'",
		`%h %t %`:                             "log format: position 7: %: the format ends inside a directive",
		`%h %t %{x}b`:                         "log format: position 7: %{x}b: takes no {argument}",
		`%h %t %>b`:                           "log format: position 7: %>b: the < and > modifiers are supported on %s only",
		`$remote_addr %t`:                     "log format: position 1: mixes Apache % directives and nginx $variables",
		`$remote_addr [$time_iso8601]`:        "log format: position 15: $time_iso8601: only $time_local is supported as the time",
		`$remote_addr [$time_local] ${status`: "log format: position 28: ${status: no closing '}'",
		`%t %D %D`:                            "log format: position 7: %D: attrs.duration_us is already read by %D at position 4",
	} {
		_, err := CompileLogFormat(format)
		require.EqualError(t, err, want, format)
		var fe *FormatError
		require.ErrorAs(t, err, &fe)
	}
}

// FuzzLogFormat compiles arbitrary formats and reads arbitrary lines with the ones that compile:
// neither may panic, and a line either fits or is refused with a reason.
func FuzzLogFormat(f *testing.F) {
	for _, format := range logFormatCases {
		f.Add(format, `192.0.2.1 - a b [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "x" 1 "-"`)
	}
	f.Add(`%v:%p %h %l %u %t "%r" %>s %b`, `h:1 192.0.2.1 - - [02/Mar/2026:10:00:00 +0000] "GET /" 200 5`)
	f.Add(`$remote_addr [$time_local] "$request`, "192.0.2.1 [02/Mar/2026:10:00:00 +0000] \"GET \\\"/")
	f.Add(nginxMain, `192.0.2.1 - - [02/Mar/2026:10:00:00 +0000] "GET /?q="x" HTTP/1.1" 200 5 "-" "Mozilla "x" y" "-"`)
	f.Fuzz(func(t *testing.T, format, line string) {
		lf, err := CompileLogFormat(format)
		if err != nil {
			return
		}
		p := parser{key: ingesttest.Key}
		_ = p.parseWith(lf, line)
		em := &countEmitter{}
		src := &ingest.Source{Reader: bytes.NewReader([]byte(line)), Options: ingest.Options{MaxRecord: 4096, Key: ingesttest.Key, LogFormat: format}}
		require.NoError(t, New().Ingest(context.Background(), src, em))
	})
}
