package azure

import (
	"errors"
	"strings"
)

// kind is what a record is. It is decided per record, so that an export mixing the activity log,
// Entra and Key Vault (one Event Hub, one workspace query) is read whole.
type kind int

const (
	kindActivity kind = iota // Azure Monitor activity log (control plane)
	kindResource             // any other resource log, read through the common schema
	kindSignIn               // Entra ID sign-in (user, non-interactive, service principal, managed identity)
	kindAudit                // Entra ID audit
	kindKeyVault             // Key Vault AuditEvent (data plane)
	kindRisk                 // Entra ID Protection risk detection
)

// errKubeAudit rejects AKS kube-audit records: they wrap a Kubernetes audit event in
// properties.log, which the Kubernetes audit ingester reads; this one does not pretend to.
var errKubeAudit = errors.New("AKS kube-audit record: its Kubernetes audit event (properties.log) belongs to the Kubernetes audit ingester")

// Categories and Log Analytics tables of each kind, lower case.
var (
	signInCategories = map[string]bool{
		"signinlogs": true, "noninteractiveusersigninlogs": true, "serviceprincipalsigninlogs": true,
		"managedidentitysigninlogs": true, "microsoftserviceprincipalsigninlogs": true,
		// Log Analytics table names.
		"aadnoninteractiveusersigninlogs": true, "aadserviceprincipalsigninlogs": true,
		"aadmanagedidentitysigninlogs": true,
	}
	riskCategories = map[string]bool{
		"userriskevents": true, "serviceprincipalriskevents": true,
		// Log Analytics table names.
		"aaduserriskevents": true, "aadserviceprincipalriskevents": true,
	}
	activityCategories = map[string]bool{
		"administrative": true, "servicehealth": true, "resourcehealth": true, "alert": true,
		"autoscale": true, "recommendation": true, "security": true, "policy": true,
	}
)

// classify decides the kind from the record's own labels (category, Log Analytics table) and,
// where an envelope has none (Graph API, REST), from the fields only that kind has.
func (r *record) classify() (kind, error) {
	cat := strings.ToLower(first(r.top.Category, r.top.CategoryValue))
	table := strings.ToLower(string(r.top.Type))
	switch {
	case len(r.top.Tables) > 0:
		return 0, errors.New("Log Analytics query API response (columnar tables) is not read: export the rows as JSON")
	case strings.HasPrefix(cat, "kube-audit"):
		return 0, errKubeAudit
	case table == "azkvauditlogs",
		cat == "auditevent" && (isKeyVaultID(r.resourceID()) || strings.EqualFold(string(r.top.ResourceProvider), "microsoft.keyvault")):
		return kindKeyVault, nil
	case riskCategories[cat], riskCategories[table],
		r.top.RiskEventType != "", r.props.RiskEventType != "":
		return kindRisk, nil // before audits: a risk detection has an activityDateTime too
	case signInCategories[cat], signInCategories[table]:
		return kindSignIn, nil
	case cat == "auditlogs", table == "auditlogs",
		r.props.ActivityDisplayName != "", r.props.ActivityDateTime != "",
		r.top.ActivityDisplayName != "", r.top.ActivityDateTime != "":
		return kindAudit, nil
	case r.top.CreatedDateTime != "" && (r.top.UserPrincipalName != "" || r.top.AppID != "" || len(r.top.Status) > 0):
		return kindSignIn, nil // a Graph API signIn
	case table == "azureactivity", activityCategories[cat],
		r.top.EventTimestamp != "", r.top.EventTimestampPy != "":
		return kindActivity, nil
	case r.top.OperationName != "":
		return kindResource, nil
	}
	return 0, errors.New("not an Azure log record: no category, operationName or Entra fields")
}

// resourceID is the ARM id of what the record is about, from whichever envelope carried it.
func (r *record) resourceID() string {
	return first(r.top.ResourceID, r.top.ResourceIDPy, r.top.ResourceIDLA)
}

func isKeyVaultID(id string) bool {
	return indexFold(id, "/providers/microsoft.keyvault/") >= 0
}
