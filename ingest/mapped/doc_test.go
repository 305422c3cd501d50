package mapped

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/ingest"
	"github.com/breachline/breachline/ingest/ingesttest"
	"github.com/breachline/breachline/normalize"
)

// TestDocExample runs the worked example of docs/mapping.md, so that the page cannot drift from
// what the code does.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/mapping.md")
	require.NoError(t, err)
	block := func(lang string) string {
		_, rest, ok := strings.Cut(string(doc), "```"+lang+"\n")
		require.True(t, ok, "no %s block", lang)
		body, _, _ := strings.Cut(rest, "```")
		return body
	}
	ing, err := Parse("secrets-service.yaml", []byte(block("yaml")))
	require.NoError(t, err)
	record := block("json")
	em := &recordingEmitter{}
	src := &ingest.Source{Reader: strings.NewReader(record), Options: ingest.Options{MaxRecord: 1 << 20, Key: ingesttest.Key}}
	require.NoError(t, ing.Ingest(context.Background(), src, em))
	require.Len(t, em.events, 1)
	ev := em.events[0]
	require.Equal(t, "2026-03-02T10:00:05.000000000Z", normalize.FormatTime(ev.Time))
	require.Equal(t, normalize.TZExplicit, ev.TZBasis)
	require.Equal(t, normalize.SecretRead, ev.Category)
	require.Equal(t, "Secret.Read", ev.Action)
	require.Equal(t, normalize.Success, ev.Outcome)
	require.Equal(t, "alice", ev.Principal)
	require.Equal(t, "human", ev.PrincipalType)
	require.Equal(t, "198.51.100.7", ev.SrcIP)
	require.True(t, strings.HasPrefix(ev.Credential, "case-hmac:"))
	require.Equal(t, "svc:prod/db/password", ev.SecretRef)
	require.Equal(t, "req-0002", ev.RequestID)
	require.Equal(t, "3.5", ev.Attrs["latency_ms"].(interface{ String() string }).String())

	em = &recordingEmitter{}
	bad := strings.Replace(record, "Secret.Read", "secret.delete", 1)
	src = &ingest.Source{Reader: strings.NewReader(bad), Options: ingest.Options{MaxRecord: 1 << 20, Key: ingesttest.Key}}
	require.NoError(t, ing.Ingest(context.Background(), src, em))
	require.Len(t, em.rejects, 1)
	require.Equal(t, `field "category": value "secret.delete" is not in the map at secrets-service.yaml:13, which has no default`, em.rejects[0])
	flat := strings.Join(strings.Fields(string(doc)), " ")
	require.True(t, strings.Contains(flat, em.rejects[0]), "the page quotes the reason")
}

type recordingEmitter struct {
	events  []normalize.Event
	rejects []string
}

func (r *recordingEmitter) Event(_ ingest.Record, ev *normalize.Event) {
	e := *ev
	e.Attrs = map[string]any{}
	for k, v := range ev.Attrs {
		e.Attrs[k] = v
	}
	r.events = append(r.events, e)
}
func (r *recordingEmitter) Reject(_ ingest.Record, reason string) {
	r.rejects = append(r.rejects, reason)
}
func (r *recordingEmitter) Note(string) {}
