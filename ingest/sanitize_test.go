package ingest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/breachline/breachline/normalize"
)

func testKey(t *testing.T) *normalize.HandleKey {
	hk, err := normalize.ParseHandleKey(strings.Repeat("fedcba9876543210", 4))
	require.NoError(t, err)
	return hk
}

// TestSanitizeRedactsEveryField: a secret in any stored text field is replaced by its handle and
// the field is named in attrs.redacted, whatever field an ingester put it in.
func TestSanitizeRedactsEveryField(t *testing.T) {
	hk := testKey(t)
	fields := map[string]func(e *normalize.Event) *string{
		"time_raw":       func(e *normalize.Event) *string { return &e.TimeRaw },
		"tz_basis":       func(e *normalize.Event) *string { return &e.TZBasis },
		"action":         func(e *normalize.Event) *string { return &e.Action },
		"principal":      func(e *normalize.Event) *string { return &e.Principal },
		"principal_type": func(e *normalize.Event) *string { return &e.PrincipalType },
		"src_ip":         func(e *normalize.Event) *string { return &e.SrcIP },
		"user_agent":     func(e *normalize.Event) *string { return &e.UserAgent },
		"resource":       func(e *normalize.Event) *string { return &e.Resource },
		"resource_type":  func(e *normalize.Event) *string { return &e.ResourceType },
		"secret_ref":     func(e *normalize.Event) *string { return &e.SecretRef },
		"request_id":     func(e *normalize.Event) *string { return &e.RequestID },
	}
	const secret = "hunter2-Q7"
	want, ok := hk.RedactValue(secret)
	require.True(t, ok)
	for name, field := range fields {
		e := &normalize.Event{Time: time.Unix(0, 0)}
		*field(e) = "x password=" + secret
		require.NoError(t, sanitize(e, hk))
		require.Equal(t, "x password="+want, *field(e), name)
		var attrs map[string]any
		require.NoError(t, json.Unmarshal(e.AttrsJSON, &attrs))
		require.Equal(t, map[string]any{
			normalize.AttrRedacted:        []any{name},
			normalize.AttrCredentialsSeen: []any{want},
		}, attrs, name)
	}
}

// TestSanitizeKeepsSecretNames: references to secrets name them, and must survive intact.
func TestSanitizeKeepsSecretNames(t *testing.T) {
	for _, ref := range []string{
		"aws-sm:arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-password-AbCdEf",
		"vault:secret/data/app/db_password",
		"gcp-sm:projects/482913755021/secrets/stripe-api-key",
		"github:acme-corp/payments/environments/production/actions/DB_PASSWORD",
		"k8s:kube-system/bootstrap-token-abcdef",
		"file:db1:/run/secrets/pg_pass",
		"azure-kv:kv-prod-payments/payments-db-password",
	} {
		e := &normalize.Event{Time: time.Unix(0, 0), SecretRef: ref, Action: "secretsmanager:GetSecretValue"}
		require.NoError(t, sanitize(e, testKey(t)))
		require.Equal(t, ref, e.SecretRef)
		require.Equal(t, "secretsmanager:GetSecretValue", e.Action)
		require.Empty(t, e.AttrsJSON, "nothing redacted")
	}
}
