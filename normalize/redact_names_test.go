package normalize

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsCredentialName(t *testing.T) {
	credentials := []string{
		"password", "Password", "PASSWORD", "passwd", "pwd", "DB_PASSWORD", "db_password",
		"MYSQL_ROOT_PASSWORD", "PGPASSWORD", "dbPassword", "user.password", "--password",
		"http-password", "secret", "client_secret", "clientSecret", "AWS_SECRET_ACCESS_KEY",
		"SecretAccessKey", "SecretString", "webhook_secret", "token", "access_token",
		"accessToken", "refresh_token", "id_token", "x-auth-token", "X-Amz-Security-Token",
		"AWS_SESSION_TOKEN", "GITHUB_TOKEN", "HF_TOKEN", "client_token", "csrf_token",
		"sas_token", "apikey", "api_key", "X-Api-Key", "apiKey", "AccountKey", "SharedAccessKey",
		"private_key", "privateKey", "passphrase", "ssh_passphrase", "passcode", "credentials",
		"credential", "issued_credential", "auth_key", "authKey", "sig", "signature",
		"X-Amz-Signature", "jwt", "auth", "authorization", "Proxy-Authorization", "MYSQL_PWD",
		"SSHPASS", "REDISCLI_AUTH", "credentials_in_request", strings.Repeat("x", 60) + "_password",
	}
	metadata := []string{
		"secret_ref", "secretRef", "secret_refs", "secret_name", "secretName", "secret_id",
		"SecretId", "secret_arn", "SecretARN", "secret_version", "secret_path", "secret_project",
		"secret_type", "service_account_secret_name", "token_type", "tokenType",
		"incoming_token_type", "token_type_hint", "token_expires_in", "token_id", "token_scopes",
		"token_policies", "token_issue_time", "token_ipaddr", "token_count", "token_url",
		"token_present", "token_hash", "unique_token_identifier", "client_token_redacted",
		"password_last_changed", "password_policy", "password_file", "password_hint",
		"password_length", "password_set", "PasswordLastUsed", "PasswordResetRequired",
		"MinimumPasswordLength", "PasswordReusePrevention", "MaxPasswordAge", "credential_id",
		"credentialType", "credential_source", "credential.helper", "credentials_seen",
		"hashed_token", "hashed_token_unrecognized", "private_key_id", "privateKeyId",
		"nextToken", "NextToken", "paginationToken", "X-Amz-Credential",
		"GOOGLE_APPLICATION_CREDENTIALS", "secretsmanager", "max_tokens", "prompt_tokens",
		"token_endpoint_auth_method", "secret_id_accessor", "SharedAccessKeyName",
		"username", "user", "key", "keyId", "accessKeyId", "aws_access_key_id", "AccessKey",
		"eventName", "author", "auth_type", "authMethod", "auth_metadata", "signin_id",
		"SignatureVersion", "result_signature", "", "_-.", strings.Repeat("x", 60) + "_password_file",
	}
	for _, n := range credentials {
		require.True(t, IsCredentialName(n), n)
	}
	for _, n := range metadata {
		require.False(t, IsCredentialName(n), n)
	}
}

func TestIsCredentialNameDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		for _, n := range benchNames {
			IsCredentialName(n)
		}
	})
	require.Zero(t, allocs)
}
