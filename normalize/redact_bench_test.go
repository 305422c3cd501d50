package normalize

import "testing"

// benchClean is text as it arrives in most fields: no credential, so Redact must only scan it.
var benchClean = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"arn:aws:s3:::prod-backups/2026/03/01/db.sql.gz",
	"arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-password-AbCdEf",
	"/api/v1/namespaces/kube-system/secrets?labelSelector=app%3Dweb&limit=500",
	"GET /static/js/app.3f9c2b.js HTTP/1.1",
	"aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/s3.cp",
	`{"error":"AccessDenied","message":"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject"}`,
	"/usr/bin/python3 /opt/app/manage.py migrate --database=default --noinput",
	"vault:secret/data/app/db_password",
	"2026-03-01T12:00:00.123456Z",
}

// benchSecrets is text that carries credentials, in the shapes Redact recognises.
var benchSecrets = []string{
	"GET /api?access_token=abc123def456&x=1",
	"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4eHh4eHh4In0.c2lnbmF0dXJl",
	`{"password": "hunter2", "user": "alice"}`,
	"postgres://app:s3cr3t@db.internal:5432/prod",
	"git clone https://x:ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789@github.com/o/r",
	"mysql -uroot -pSuperSecret1 -h db prod",
}

func BenchmarkRedact(b *testing.B) {
	for _, c := range []struct {
		name string
		in   []string
	}{{"clean", benchClean}, {"secrets", benchSecrets}} {
		n := 0
		for _, s := range c.in {
			n += len(s)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for _, s := range c.in {
					Redact(s)
				}
			}
		})
	}
}

// benchNames are attribute names as ingesters emit them: mostly not credentials.
var benchNames = []string{
	"eventName", "sourceIPAddress", "userAgent", "requestParameters.bucketName", "errorCode",
	"password", "secretId", "x-amz-security-token", "client_secret", "resource_type",
	"objectRef.namespace", "AWS_SECRET_ACCESS_KEY",
}

func BenchmarkIsCredentialName(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, n := range benchNames {
			IsCredentialName(n)
		}
	}
}
