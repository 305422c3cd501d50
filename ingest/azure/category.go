package azure

import (
	"strings"

	"github.com/breachline/breachline/normalize"
)

// secretReadSuffixes are ARM operations whose response carries a secret: account keys,
// connection strings, cluster credentials, app settings and publishing profiles. The activity log
// records that the call was made, never the secret.
var secretReadSuffixes = []string{
	"/listkeys/action", "/listadminkeys/action", "/listquerykeys/action",
	"/listconnectionstrings/action", "/readonlykeys/action", "/listcredentials/action",
	"/listclusteradmincredential/action", "/listclusterusercredential/action",
	"/listclustermonitoringusercredential/action", "/listsecrets/action", "/publishxml/action",
	"microsoft.web/sites/config/list/action", "microsoft.web/sites/slots/config/list/action",
}

// credentialIssueSuffixes are ARM operations that mint a credential: a storage SAS token.
var credentialIssueSuffixes = []string{"/listaccountsas/action", "/listservicesas/action"}

// categorizeActivity sets the category of an activity log event. Control-plane calls are
// api_call; those that return secrets are secret_read and those that write Key Vault secrets
// secret_write (secret_ref names what, never its value); Microsoft.Authorization changes (role
// assignments, locks, elevation) are admin; the system categories (service and resource health,
// alerts, autoscale, Advisor, Defender, Policy evaluations) are other.
func categorizeActivity(ev *normalize.Event, logCategory string) {
	op := ev.Action
	ev.Category = normalize.APICall
	if logCategory != "" && !strings.EqualFold(logCategory, "Administrative") {
		ev.Category = normalize.Other
		return
	}
	const kvSecrets = "microsoft.keyvault/vaults/secrets/"
	switch {
	case hasPrefixFold(op, kvSecrets):
		switch strings.ToLower(op[len(kvSecrets):]) {
		case "getsecret/action":
			ev.Category = normalize.SecretRead
		case "write", "setsecret/action":
			ev.Category = normalize.SecretWrite
		}
		if vault, secret := kvFromResourceID(ev.Resource); secret != "" {
			ev.SecretRef = kvRef(vault, secret)
		}
	case hasSuffix(op, secretReadSuffixes):
		ev.Category = normalize.SecretRead
		if ev.Resource != "" {
			ev.SecretRef = "azure-arm:" + strings.ToLower(ev.Resource)
		}
	case hasSuffix(op, credentialIssueSuffixes):
		ev.Category = normalize.CredentialIssue
	case hasPrefixFold(op, "microsoft.authorization/") && !hasPrefixFold(op, "microsoft.authorization/policies/"):
		ev.Category = normalize.Admin
	}
}

func hasSuffix(s string, suffixes []string) bool {
	for _, x := range suffixes {
		if hasSuffixFold(s, x) {
			return true
		}
	}
	return false
}
