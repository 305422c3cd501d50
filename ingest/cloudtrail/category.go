package cloudtrail

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// categorize sets the category and, for secret and credential events, the secret references and
// the credentials issued or revoked.
func categorize(r *record, p *params, resp *response, ev *normalize.Event) {
	ev.Category = normalize.APICall
	switch r.EventSource + " " + r.EventName {
	case "secretsmanager.amazonaws.com GetSecretValue", "secretsmanager.amazonaws.com BatchGetSecretValue":
		ev.Category = normalize.SecretRead
		refs := secretsManagerRefs(p)
		setRefs(ev, refs)
		if ev.Resource == "" && len(refs) > 0 {
			ev.Resource, ev.ResourceType = strings.TrimPrefix(refs[0], "aws-sm:"), "AWS::SecretsManager::Secret"
		}
	case "secretsmanager.amazonaws.com PutSecretValue", "secretsmanager.amazonaws.com UpdateSecret",
		"secretsmanager.amazonaws.com CreateSecret", "secretsmanager.amazonaws.com RotateSecret":
		ev.Category = normalize.SecretWrite
		setRefs(ev, secretsManagerRefs(p))
	case "ssm.amazonaws.com GetParameter", "ssm.amazonaws.com GetParameters", "ssm.amazonaws.com GetParametersByPath":
		// Without decryption a SecureString comes back encrypted: a read of metadata, not of the secret.
		if p.WithDecryption != nil && *p.WithDecryption {
			ev.Category = normalize.SecretRead
			setRefs(ev, ssmRefs(p))
		}
	case "ssm.amazonaws.com PutParameter":
		ev.Category = normalize.SecretWrite
		setRefs(ev, ssmRefs(p))
	case "sts.amazonaws.com AssumeRole", "sts.amazonaws.com AssumeRoleWithSAML",
		"sts.amazonaws.com AssumeRoleWithWebIdentity", "sts.amazonaws.com GetSessionToken",
		"sts.amazonaws.com GetFederationToken":
		ev.Category = normalize.CredentialIssue
		if c := resp.Credentials; c != nil {
			ev.SetAttr(normalize.AttrIssuedCredential, normalize.AWSKeyHandle(c.AccessKeyID))
			ev.SetAttr("issued_expiration", c.Expiration)
		}
		if p.RoleARN != "" {
			ev.Resource, ev.ResourceType = p.RoleARN, "AWS::IAM::Role"
		}
		ev.SetAttr("role_session_name", p.RoleSession)
		if u := resp.AssumedRoleUser; u != nil {
			ev.SetAttr("issued_principal", u.ARN)
		}
		if u := resp.FederatedUser; u != nil {
			ev.SetAttr("issued_principal", u.ARN)
		}
	case "iam.amazonaws.com CreateAccessKey":
		ev.Category = normalize.CredentialIssue
		if k := resp.AccessKey; k != nil {
			ev.SetAttr(normalize.AttrIssuedCredential, normalize.AWSKeyHandle(k.AccessKeyID))
			ev.SetAttr("issued_to", k.UserName)
		}
		ev.SetAttr("target_user", p.UserName)
	case "iam.amazonaws.com DeleteAccessKey":
		ev.Category = normalize.CredentialRevoke
		ev.SetAttr(normalize.AttrRevokedCredential, normalize.AWSKeyHandle(p.AccessKeyID))
		ev.SetAttr("target_user", p.UserName)
	case "iam.amazonaws.com UpdateAccessKey":
		ev.SetAttr("target_user", p.UserName)
		ev.SetAttr("status", p.Status)
		if p.Status == "Inactive" {
			ev.Category = normalize.CredentialRevoke
			ev.SetAttr(normalize.AttrRevokedCredential, normalize.AWSKeyHandle(p.AccessKeyID))
		}
	case "signin.amazonaws.com ConsoleLogin":
		ev.Category = normalize.Auth
	case "kms.amazonaws.com Decrypt":
		// The read itself is the GetSecretValue/GetParameter event; the Decrypt it causes names
		// the secret in its encryption context, which ties the key's use to the secret.
		ev.SetAttr("secret_arn", p.EncryptionContext["SecretARN"])
		ev.SetAttr("parameter_arn", p.EncryptionContext["PARAMETER_ARN"])
	}
	if r.EventName == "BatchGetSecretValue" && len(p.Filters) > 0 {
		// Selected by filter, the secrets are not named here: Secrets Manager logs one
		// GetSecretValue per secret returned, and those carry the refs.
		var f []string
		for _, x := range p.Filters {
			f = append(f, x.Key+"="+strings.Join(x.Values, "|"))
		}
		ev.SetAttr("batch_filters", f)
	}
	if ev.Category == normalize.APICall && p.BucketName != "" {
		ev.Resource, ev.ResourceType = "arn:aws:s3:::"+p.BucketName, "AWS::S3::Bucket"
		if p.Key != "" {
			ev.Resource, ev.ResourceType = ev.Resource+"/"+p.Key, "AWS::S3::Object"
		}
	}
}

// secretsManagerRefs returns aws-sm:<secret id as the caller gave it (name or ARN)>, one per secret
// of a batch read.
func secretsManagerRefs(p *params) []string {
	var refs []string
	if p.SecretID != "" {
		refs = append(refs, "aws-sm:"+p.SecretID)
	}
	for _, id := range p.SecretIDList {
		refs = append(refs, "aws-sm:"+id)
	}
	return refs
}

// ssmRefs returns aws-ssm:<parameter name>; a by-path read is aws-ssm:<path>/* (every parameter
// below the path).
func ssmRefs(p *params) []string {
	var refs []string
	if p.Name != "" {
		refs = append(refs, "aws-ssm:"+p.Name)
	}
	for _, n := range p.Names {
		refs = append(refs, "aws-ssm:"+n)
	}
	if p.Path != "" {
		refs = append(refs, "aws-ssm:"+strings.TrimSuffix(p.Path, "/")+"/*")
	}
	return refs
}

// setRefs puts the first ref in SecretRef and, when a record touches several, all of them in
// attrs: one record stays one event.
func setRefs(ev *normalize.Event, refs []string) {
	if len(refs) == 0 {
		return
	}
	ev.SecretRef = refs[0]
	if len(refs) > 1 {
		ev.SetAttr(normalize.AttrSecretRefs, refs)
	}
}
