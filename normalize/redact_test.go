package normalize

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"GET /api?access_token=abc123&x=1":       "GET /api?access_token=" + TokenHandle("abc123") + "&x=1",
		"token=a%2Fb":                            "token=" + TokenHandle("a/b"),
		`{"password": "hunter2"}`:                `{"password": "` + TokenHandle("hunter2") + `"}`,
		"Authorization: Bearer abcdefghijkl":     "Authorization: Bearer " + TokenHandle("abcdefghijkl"),
		"https://u:s3cr3t@example.com/":          "https://u:" + TokenHandle("s3cr3t") + "@example.com/",
		"use hf_" + strings.Repeat("a", 34):      "use " + TokenHandle("hf_"+strings.Repeat("a", 34)),
		"arn:aws:secretsmanager:r:1:secret:prod": "arn:aws:secretsmanager:r:1:secret:prod",
		"key AKIAIOSFODNN7EXAMPLE":               "key AKIAIOSFODNN7EXAMPLE",
		"password=****":                          "password=****",
		"secret=HIDDEN_DUE_TO_SECURITY_REASONS":  "secret=HIDDEN_DUE_TO_SECURITY_REASONS",

		"Authorization: Bearer abc":                                                    "Authorization: Bearer " + TokenHandle("abc"),
		`"Authorization": "Bearer x1"`:                                                 `"Authorization": "Bearer ` + TokenHandle("x1") + `"`,
		"Authorization:[Bearer x1] Accept:[*/*]":                                       "Authorization:[Bearer " + TokenHandle("x1") + "] Accept:[*/*]",
		"password = hunter2 # dev":                                                     "password = " + TokenHandle("hunter2") + " # dev",
		`{\"password\":\"hunter2\"}`:                                                   `{\"password\":\"` + TokenHandle("hunter2") + `\"}`,
		"mysqldump -uroot -pS3cret db > d.sql":                                         "mysqldump -uroot -p" + TokenHandle("S3cret") + " db > d.sql",
		"curl -u alice:pa55 https://x/":                                                "curl -u alice:" + TokenHandle("pa55") + " https://x/",
		"AccountName=a;AccountKey=K+/8==;Suffix=":                                      "AccountName=a;AccountKey=" + TokenHandle("K+/8==") + ";Suffix=",
		"postgres://app:p@ss@db:5432/x":                                                "postgres://app:" + TokenHandle("p@ss") + "@db:5432/x",
		"-----BEGIN EC PRIVATE KEY-----\nMHc\nCAQ\n-----END EC PRIVATE KEY-----\nnext": TokenHandle("MHcCAQ") + "next",
	} {
		got, _ := Redact(in)
		require.Equal(t, want, got, in)
	}
}

// TestRedactSecrets plants secrets in the shapes logs carry them in: each must be gone from the
// output, replaced by the handle of exactly the secret.
func TestRedactSecrets(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		// 1: Authorization values are credentials whatever their length and scheme.
		{"Authorization: Bearer abc", "abc"},
		{"authorization: bearer x9", "x9"},
		{"Proxy-Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"},
		{"AUTHORIZATION: TOKEN t0k", "t0k"},
		{"Authorization: token ghp_short", "ghp_short"},
		{`-H "Authorization: Bearer sh0rt"`, "sh0rt"},
		{`"headers":{"authorization":"Bearer q9"}`, "q9"},
		{`"authorization": ["Bearer q9"]`, "q9"},
		{"authorization=Bearer%20abc123", "abc123"},
		{"Authorization: Bearer Bearer abc", "abc"},
		{"Authorization: rawApiKey123", "rawApiKey123"},
		{"Authorization: Digest username=\"bob\", response=\"6629fae4\"", `username="bob", response="6629fae4"`},
		{"Authorization: AWS4-HMAC-SHA256 Credential=AKIAX/20260301/us-east-1/s3/aws4_request, Signature=fe5f80f7",
			"Credential=AKIAX/20260301/us-east-1/s3/aws4_request, Signature=fe5f80f7"},
		{"sent Bearer eyJhbGciOiJub25lIn0xyz to the proxy", "eyJhbGciOiJub25lIn0xyz"},
		{"retry with Basic dXNlcjpwYXNz.", "dXNlcjpwYXNz"},
		// 2: credential-like names, however spelled and spaced.
		{"DB_PASSWORD=hunter2", "hunter2"},
		{"export MYSQL_ROOT_PASSWORD=r00t", "r00t"},
		{"PGPASSWORD=pg-secret psql -h db", "pg-secret"},
		{`"db_password": "s3cret"`, "s3cret"},
		{"password = x9", "x9"},
		{"password:x9", "x9"},
		{"{Username:alice Password:hunter2}", "hunter2"},
		{"map[password:hunter2 user:alice]", "hunter2"},
		{"client_secret=cs-123", "cs-123"},
		{"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "wJalrXUtnFEMI/K7MDENG"},
		{"github_token: ghx", "ghx"},
		{"'passphrase': 'correct horse'", "correct horse"},
		{"x-api-key: k-123", "k-123"},
		{"SSHPASS=hunter2 sshpass -e ssh host", "hunter2"},
		{"MYSQL_PWD=hunter2", "hunter2"},
		{`"password":"x\"y"`, `x"y`},
		// 3: JSON inside a JSON string.
		{`{\"password\":\"hunter2\"}`, "hunter2"},
		{`"msg":"body {\"token\": \"abc\"}"`, "abc"},
		{`"msg":"{\"password\":\"a\\\"b\"}"`, `a"b`},
		{`"msg":"password=abc\nnext=1"`, "abc"},
		// 4: command lines.
		{"mysql -pSECRET", "SECRET"},
		{"mysql -u root -p'my pass' db", "my pass"},
		{"mysql --password=SECRET", "SECRET"},
		{"mysqldump -uroot -pSECRET db", "SECRET"},
		{"/usr/bin/mysqladmin -h db -pS3 status", "S3"},
		{"curl -u user:pass https://api", "pass"},
		{"curl --user user:pass https://api", "pass"},
		{"curl --user=user:pass https://api", "pass"},
		{"curl -uuser:pass https://api", "pass"},
		{"sshpass -p SECRET ssh root@host", "SECRET"},
		{"sshpass -pSECRET ssh root@host", "SECRET"},
		{`a0="sshpass" a1="-p" a2="SECRET" a3="ssh"`, "SECRET"},
		{`a0="mysql" a1="-uroot" a2="-pSECRET"`, "SECRET"},
		{"redis-cli -h cache -a R3dis ping", "R3dis"},
		{"ldapsearch -x -D cn=admin -w LdapPw -b dc=x", "LdapPw"},
		{"docker login --password hunter2 registry", "hunter2"},
		{"az storage blob list --account-key K3y== -c x", "K3y=="},
		{"smbclient //h/s -U alice%Pw0rd", "Pw0rd"},
		// 5: Azure storage and service bus.
		{"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc+def/ghi==;EndpointSuffix=core.windows.net", "abc+def/ghi=="},
		{"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=sak+1=", "sak+1="},
		{"https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026&sig=abc%2Bdef%3D", "abc+def="},
		// 6: connection strings with '@' in the password.
		{"postgres://user:p@ss@host/db", "p@ss"},
		{"mongodb+srv://u:a@b@c@cluster0.example.net/?retryWrites=true", "a@b@c"},
		{"redis://:r3d@cache:6379/0", "r3d"},
		{"amqp://guest:gu:est@mq", "gu:est"},
		// 7: PEM private keys, newlines real or escaped, END missing.
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIB\nAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA"},
		{`"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIB\nADANBgkq\n-----END PRIVATE KEY-----\n"`, "MIIEvQIBADANBgkq"},
		{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXk"},
		{"-----BEGIN ENCRYPTED PRIVATE KEY-----\r\nMIIFHzBJ\r\n-----END ENCRYPTED PRIVATE KEY-----", "MIIFHzBJ"},
		{"key: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE", "MHcCAQEE"},
	} {
		out, hs := Redact(c.in)
		require.NotContains(t, out, c.secret, c.in)
		require.Contains(t, hs, TokenHandle(c.secret), "%s -> %s", c.in, out)
		require.Contains(t, out, TokenHandle(c.secret), c.in)
		again, more := Redact(out)
		require.Equal(t, out, again, c.in)
		require.Empty(t, more, c.in)
	}
}

// TestRedactLeavesAlone: names of secrets, prose and options of other tools are not credentials.
func TestRedactLeavesAlone(t *testing.T) {
	for _, s := range []string{
		"aws-sm:arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-password-AbCdEf",
		"vault:secret/data/app/db_password",
		"github:acme-corp/payments/environments/production/actions/DB_PASSWORD",
		"file:db1:/run/secrets/pg_pass",
		"k8s:kube-system/bootstrap-token-abcdef",
		"Action: secretsmanager:GetSecretValue",
		`{"Action":"secretsmanager:GetSecretValue","Resource":"*"}`,
		"image: bitnami/sealed-secrets:0.24.5",
		"secret_ref=vault:secret/prod/db token_type=bearer secretName: db-creds",
		"password_policy=strong password_last_changed=2026-03-01 token_count=512",
		`"secretId": "prod/db", "SecretId": "prod/api", "secret_arn": "arn:aws:x"`,
		"X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260301%2Fus-east-1%2Fs3%2Faws4_request",
		"nextToken=AAAAAQAAAAEAAAAB",
		"WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"",
		"WWW-Authenticate: Basic realm=\"Restricted\"",
		"Bearer authentication failed for user alice",
		"Basic Authentication is disabled",
		"Authorization: Bearer",
		"Authorization: Bearer " + TokenHandle("x"),
		"password=" + TokenHandle("x"),
		"mkdir -p /var/lib/app && ssh -p 2222 host",
		"docker run -p 8080:80 -u 1000 nginx",
		"mysql -p db",
		"mysql --password -h db",
		"docker login --password-stdin registry.example.com",
		"curl -u alice https://x/",
		"https://example.com:8443/path/@user?email=a@b.c",
		"git@github.com:acme/repo.git",
		"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
		"if password == \"\" {",
		"Failed password for invalid user admin from 203.0.113.7 port 22 ssh2",
		"system:serviceaccount:kube-system:token-cleaner",
		"GET /api/v1/namespaces/payments/secrets/db-password HTTP/1.1",
		"credential.helper=store",
	} {
		got, hs := Redact(s)
		require.Equal(t, s, got, s)
		require.Empty(t, hs, s)
	}
}

func TestRedactValue(t *testing.T) {
	h, ok := RedactValue("hunter2")
	require.True(t, ok)
	require.Equal(t, TokenHandle("hunter2"), h)
	for _, v := range []string{"", "-", "****", "REDACTED", "null", TokenHandle("x"), "aws-key-id:AKIAEXAMPLE"} {
		got, ok := RedactValue(v)
		require.False(t, ok, v)
		require.Equal(t, v, got)
	}
	// Only a well-formed handle is spared: a value that merely starts like one is a value.
	_, ok = RedactValue("sha256:not-a-digest hunter2")
	require.True(t, ok)
}

// TestRedactLinear: hostile input (the same unterminated shape over and over) costs time linear
// in its length; a detector that rescans to the end at every occurrence would make one long log
// line stall an ingest.
func TestRedactLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	fastest := func(s string) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			Redact(s)
			best = min(best, time.Since(start))
		}
		return best
	}
	for _, unit := range []string{"-p ", "mysql -p", "curl -u ", "Authorization: ", "Authorization: Bearer ",
		`"Authorization": "Bearer `, "password=\"", `\"password\":\"`, "bearer ", "://a:b", "-----BEGIN ",
		"-----BEGIN PRIVATE KEY-----", "--password ", "x-api-key: ", "Digest a=\""} {
		small, large := fastest(strings.Repeat(unit, 500)), fastest(strings.Repeat(unit, 500*64))
		require.Less(t, large, 640*max(small, time.Microsecond), "%q: %v for 64 times the text that took %v", unit, large, small)
	}
}
